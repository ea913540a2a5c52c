package io.roundhouse.router.transport;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.roundhouse.shared.logging.LogThrottle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open stream connections by remote address (with their aliases, for connection reuse) and the count of those
 * peers opened, in total and per source address, against {@link ConnectionLimits}. Every operation is O(1) in the
 * number of open connections: each connection carries the list of names it is registered under, so closing it removes
 * exactly those (closing 10,000 connections used to scan the whole map once each, freezing the event loop for 1 s).
 * Event loop only; the counts are read by metrics scrapes.
 */
final class ConnectionTable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionTable.class);
    /**
     * Names one connection may have: its remote address and a few Via sent-by ports of its peer. Bounded, so that a
     * peer writing a new Via port in every request cannot grow the map without end.
     */
    static final int MAX_NAMES_PER_CONNECTION = 4;
    private static final AttributeKey<List<InetSocketAddress>> NAMES = AttributeKey.valueOf("roundhouse.sip.names");

    private final ConnectionLimits limits;
    private final Map<InetSocketAddress, Channel> byAddress = new HashMap<>();
    private final Map<InetAddress, int[]> acceptedBySource = new HashMap<>();
    private final LogThrottle refusalLines = new LogThrottle();
    private final LongAdder refusedTotalCap = new LongAdder();
    private final LongAdder refusedSourceCap = new LongAdder();
    private volatile int accepted;

    ConnectionTable(ConnectionLimits limits) {
        this.limits = limits;
    }

    /**
     * Counts a connection a peer opened, or refuses it: null when admitted (then {@link #released} must follow when
     * it closes), else the reason, counted and logged (rate-limited).
     */
    String admit(InetSocketAddress remote) {
        String refusal = null;
        int[] fromSource = acceptedBySource.get(remote.getAddress());
        if (accepted >= limits.max()) {
            refusedTotalCap.increment();
            refusal = "the router holds its maximum of " + limits.max() + " connections (sip.connections.max)";
        } else if (fromSource != null && fromSource[0] >= limits.maxPerSource()) {
            refusedSourceCap.increment();
            refusal = remote.getAddress().getHostAddress() + " holds its maximum of " + limits.maxPerSource()
                    + " connections (sip.connections.max-per-source)";
        }
        if (refusal != null) {
            long suppressed = refusalLines.admit();
            if (suppressed != LogThrottle.SUPPRESS) {
                log.warn("TCP connection from {} refused: {}{}", remote, refusal,
                        LogThrottle.suppressedNote(suppressed));
            }
            return refusal;
        }
        if (fromSource == null) {
            acceptedBySource.put(remote.getAddress(), new int[] {1});
        } else {
            fromSource[0]++;
        }
        accepted++;
        return null;
    }

    /** A connection {@link #admit} counted has closed. */
    void released(InetSocketAddress remote) {
        int[] fromSource = acceptedBySource.get(remote.getAddress());
        if (fromSource != null && --fromSource[0] == 0) {
            acceptedBySource.remove(remote.getAddress());
        }
        accepted--;
    }

    /** The open connection known by {@code address} (its remote address or an alias), or null. */
    Channel get(InetSocketAddress address) {
        return byAddress.get(address);
    }

    /** Registers {@code connection} under its own remote address, unless another connection has that name. */
    void register(InetSocketAddress remote, Channel connection) {
        if (byAddress.putIfAbsent(remote, connection) == null) {
            names(connection).add(remote);
        }
    }

    /** Registers {@code connection} under {@code address}, replacing a closed or absent one. */
    void put(InetSocketAddress address, Channel connection) {
        if (byAddress.put(address, connection) != connection) {
            names(connection).add(address);
        }
    }

    /** Adds {@code alias} as a name of {@code connection}, unless a live connection has it or it has enough names. */
    void alias(InetSocketAddress alias, Channel connection) {
        Channel previous = byAddress.get(alias);
        if (previous != null && previous.isActive()) {
            return;
        }
        List<InetSocketAddress> names = names(connection);
        if (names.size() < MAX_NAMES_PER_CONNECTION) {
            byAddress.put(alias, connection);
            names.add(alias);
        }
    }

    /** Forgets every name of a closed connection: O(its names). */
    void remove(Channel connection) {
        List<InetSocketAddress> names = connection.attr(NAMES).getAndSet(null);
        if (names != null) {
            for (InetSocketAddress name : names) {
                byAddress.remove(name, connection);
            }
        }
    }

    /** Every open connection, for closing at shutdown. */
    List<Channel> all() {
        return new ArrayList<>(new java.util.HashSet<>(byAddress.values()));
    }

    private static List<InetSocketAddress> names(Channel connection) {
        Attribute<List<InetSocketAddress>> attr = connection.attr(NAMES);
        List<InetSocketAddress> names = attr.get();
        if (names == null) {
            names = new ArrayList<>(2);
            attr.set(names);
        }
        return names;
    }

    /** Connections peers opened, open now. */
    int accepted() {
        return accepted;
    }

    /** Names registered (remote addresses and aliases). */
    int names() {
        return byAddress.size();
    }

    long refusedTotalCap() {
        return refusedTotalCap.sum();
    }

    long refusedSourceCap() {
        return refusedSourceCap.sum();
    }

    void bindTo(MeterRegistry registry) {
        Gauge.builder("sip.connections.open", this, ConnectionTable::accepted)
                .description("stream connections peers opened, open now").register(registry);
        FunctionCounter.builder("sip.connections.refused", this, ConnectionTable::refusedTotalCap).tag("limit", "max")
                .description("connections closed at once: a limit was reached").register(registry);
        FunctionCounter.builder("sip.connections.refused", this, ConnectionTable::refusedSourceCap)
                .tag("limit", "max-per-source")
                .description("connections closed at once: a limit was reached").register(registry);
    }
}
