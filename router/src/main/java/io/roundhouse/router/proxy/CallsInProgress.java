package io.roundhouse.router.proxy;

/**
 * Proxied requests waiting for their final response: counted by each {@link ProxyCall} on the event loop (the only
 * writer), read by the overload guard there and at the door (the thread of a port for new calls), and by a gauge.
 */
final class CallsInProgress {

    private volatile int count;

    void started() {
        count++;
    }

    void ended() {
        count--;
    }

    int count() {
        return count;
    }
}
