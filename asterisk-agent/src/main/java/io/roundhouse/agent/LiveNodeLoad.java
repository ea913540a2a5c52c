package io.roundhouse.agent;

import io.roundhouse.agent.ami.AsteriskMirror;
import io.roundhouse.agent.cpu.CpuGauge;
import io.roundhouse.agent.state.NodeLoad;
import java.util.function.BooleanSupplier;

/**
 * The node's load as AMI (channels, reachability), /proc (CPU) and the drain control see it now. Lives beside
 * {@link Agent}, which wires it, so that {@code state} (the seams) depends on no other package of the agent.
 */
public final class LiveNodeLoad implements NodeLoad {

    private final AsteriskMirror mirror;
    private final CpuGauge cpu;
    private final BooleanSupplier draining;

    public LiveNodeLoad(AsteriskMirror mirror, CpuGauge cpu, BooleanSupplier draining) {
        this.mirror = mirror;
        this.cpu = cpu;
        this.draining = draining;
    }

    @Override
    public int channels() {
        return mirror.channels();
    }

    @Override
    public int channelsBesides(String channelId) {
        return mirror.channelsBesides(channelId);
    }

    @Override
    public boolean hostsConfBridgeRooms() {
        return !mirror.rooms().isEmpty();
    }

    @Override
    public boolean cpuKnown() {
        return cpu.hostKnown();
    }

    @Override
    public double cpuPercent() {
        return cpu.hostPercent();
    }

    @Override
    public boolean asteriskReachable() {
        return mirror.reachable();
    }

    @Override
    public boolean draining() {
        return draining.getAsBoolean();
    }
}
