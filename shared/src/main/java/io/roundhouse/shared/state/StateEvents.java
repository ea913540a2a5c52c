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

    /**
     * As {@link #subscribe(Consumer)}, and runs {@code onSubscribed} each time the subscription is established or
     * re-established, on the subscription's thread, before the events that follow: the moment for a full refresh,
     * since events published while disconnected are lost. The default runs it once, before subscribing, for
     * implementations that never reconnect.
     */
    default Subscription subscribe(Consumer<StateEvent> listener, Runnable onSubscribed) {
        onSubscribed.run();
        return subscribe(listener);
    }

    /** A live subscription; closing it stops delivery and its thread. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
