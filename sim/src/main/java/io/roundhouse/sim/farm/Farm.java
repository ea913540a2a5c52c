package io.roundhouse.sim.farm;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.roundhouse.sim.node.NodeSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Simulated Asterisk nodes in one process, sharing a small event loop group: ten nodes cost a few threads, so a
 * whole farm runs on one machine beside the router under test.
 */
public final class Farm implements AutoCloseable {

    private final EventLoopGroup group;
    private final List<SimulatedAsterisk> nodes = new ArrayList<>();

    public Farm(int threads) {
        group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    /** Starts one more node. */
    public synchronized SimulatedAsterisk add(NodeSettings settings) {
        SimulatedAsterisk node = SimulatedAsterisk.start(settings, group);
        nodes.add(node);
        return node;
    }

    public synchronized List<SimulatedAsterisk> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public synchronized void close() {
        nodes.forEach(SimulatedAsterisk::close);
        nodes.clear();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
