package io.roundhouse.router.health;

/** What OPTIONS probing says of a node. */
public enum HealthState {
    /** Not probed yet: given the benefit of the doubt (a failed call still fails over), and probed at once. */
    UNKNOWN,
    UP,
    DOWN;

    /** Whether calls may go to a node in this state. */
    public boolean takesCalls() {
        return this != DOWN;
    }
}
