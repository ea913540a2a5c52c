package io.roundhouse.shared.state;

import java.util.function.Consumer;

/** The contract's change channel (Redis pub/sub). */
public interface StateEvents {

    void publish(StateEvent event);

    /**
     * Delivers every event to {@code listener} on a thread of the subscription's own, resubscribing with backoff when
     * the connection drops. Events published while disconnected are lost: subscribers must also refresh fully.
     */
    Subscription subscribe(Consumer<StateEvent> listener);

    /** A live subscription; closing it stops delivery and its thread. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
