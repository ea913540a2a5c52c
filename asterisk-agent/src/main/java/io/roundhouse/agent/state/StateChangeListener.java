package io.roundhouse.agent.state;

/** Told whenever something that is published changed; the publisher debounces these into one write. */
@FunctionalInterface
public interface StateChangeListener {
    void stateChanged();
}
