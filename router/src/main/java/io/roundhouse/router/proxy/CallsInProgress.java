package io.roundhouse.router.proxy;

/**
 * Proxied requests waiting for their final response: counted by each {@link ProxyCall} on the event loop, read by
 * the overload guard (there) and by a gauge (racily, which a gauge may).
 */
final class CallsInProgress {

    private int count;

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
