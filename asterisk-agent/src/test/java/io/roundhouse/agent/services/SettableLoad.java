package io.roundhouse.agent.services;

import io.roundhouse.agent.state.NodeLoad;

/** A node load the test sets: the agent's own seam (fed by AMI and /proc in production), not Redis. */
final class SettableLoad implements NodeLoad {
    volatile int channels;
    volatile double cpu;
    volatile boolean reachable = true;

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public double cpuPercent() {
        return cpu;
    }

    @Override
    public boolean asteriskReachable() {
        return reachable;
    }
}
