package io.roundhouse.agent.state;

import io.roundhouse.agent.ami.AsteriskMirror;
import io.roundhouse.agent.cpu.CpuGauge;

/** The node's load as AMI (channels, reachability) and /proc (CPU) see it now. */
public final class LiveNodeLoad implements NodeLoad {

    private final AsteriskMirror mirror;
    private final CpuGauge cpu;

    public LiveNodeLoad(AsteriskMirror mirror, CpuGauge cpu) {
        this.mirror = mirror;
        this.cpu = cpu;
    }

    @Override
    public int channels() {
        return mirror.channels();
    }

    @Override
    public double cpuPercent() {
        return cpu.hostPercent();
    }

    @Override
    public boolean asteriskReachable() {
        return mirror.reachable();
    }
}
