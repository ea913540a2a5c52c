package io.roundhouse.sim.farm;

import io.netty.channel.EventLoopGroup;
import io.roundhouse.sim.ami.AmiServer;
import io.roundhouse.sim.ari.AriServer;
import io.roundhouse.sim.node.NodeSettings;
import io.roundhouse.sim.node.SimulatedNode;

/**
 * One whole simulated Asterisk: the node (SIP, channels, bridges) with its AMI and ARI servers, started on a shared
 * event loop group. What an agent is pointed at.
 */
public final class SimulatedAsterisk implements AutoCloseable {

    private final SimulatedNode node;
    private final AmiServer ami;
    private final AriServer ari;

    private SimulatedAsterisk(SimulatedNode node, AmiServer ami, AriServer ari) {
        this.node = node;
        this.ami = ami;
        this.ari = ari;
    }

    public static SimulatedAsterisk start(NodeSettings settings, EventLoopGroup group) {
        SimulatedNode node = new SimulatedNode(settings);
        AmiServer ami = new AmiServer(node);
        AriServer ari = new AriServer(node);
        try {
            node.start(group);
            ami.start(group);
            ari.start(group);
        } catch (RuntimeException e) {
            ari.close();
            ami.close();
            node.close();
            throw e;
        }
        return new SimulatedAsterisk(node, ami, ari);
    }

    public SimulatedNode node() {
        return node;
    }

    public AmiServer ami() {
        return ami;
    }

    public AriServer ari() {
        return ari;
    }

    public String id() {
        return node.id();
    }

    @Override
    public void close() {
        ari.close();
        ami.close();
        node.close();
    }
}
