package io.roundhouse.router.health;

/**
 * One node's probing record and its state machine with hysteresis: {@code downAfter} consecutive misses take an up
 * node down, {@code upAfter} consecutive good replies bring a down node back, so a node that answers every other probe
 * does not flap (after Kamailio dispatcher's probing threshold and inactive threshold).
 *
 * @param state              current state
 * @param misses             consecutive misses
 * @param goods              consecutive good replies
 * @param changedAtNanos     monotonic time of the last state change
 */
public record NodeHealth(HealthState state, int misses, int goods, long changedAtNanos) {

    public static NodeHealth unknown(long nowNanos) {
        return new NodeHealth(HealthState.UNKNOWN, 0, 0, nowNanos);
    }

    /** After a good reply; the first reply of a new node makes it up at once. */
    public NodeHealth good(int upAfter, long nowNanos) {
        int g = goods + 1;
        HealthState next = switch (state) {
            case UNKNOWN -> HealthState.UP;
            case DOWN -> g >= upAfter ? HealthState.UP : HealthState.DOWN;
            case UP -> HealthState.UP;
        };
        return new NodeHealth(next, 0, g, next == state ? changedAtNanos : nowNanos);
    }

    /** After a probe that got no usable reply in time. */
    public NodeHealth miss(int downAfter, long nowNanos) {
        int m = misses + 1;
        HealthState next = state != HealthState.DOWN && m >= downAfter ? HealthState.DOWN : state;
        return new NodeHealth(next, m, 0, next == state ? changedAtNanos : nowNanos);
    }
}
