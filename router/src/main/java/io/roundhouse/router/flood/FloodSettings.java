package io.roundhouse.router.flood;

import io.roundhouse.shared.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The per-source flood limit ({@code sip.flood}), after Kamailio's pike: messages from one source address are counted
 * per sampling window, and a source over the limit is blocked (its messages dropped before parsing) until it has been
 * under the limit for {@code block-for}.
 *
 * <pre>
 * sip:
 *   flood:
 *     enabled: true
 *     window: 2s              # sampling window (pike's sampling_time_unit)
 *     max-messages: 2000      # per source and window (pike's reqs_density_per_unit)
 *     block-for: 30s          # how long a blocked source stays blocked after its last window over the limit
 *     max-sources: 50000      # sources tracked at once; beyond, the least recently seen is forgotten
 *     exempt: [ "192.0.2.10" ]  # configured peers (carriers, SBCs) never blocked; farm nodes never are either
 * </pre>
 *
 * <p>A null argument takes its default.
 *
 * @param enabled     false turns the limit off
 * @param window      the sampling window
 * @param maxMessages messages per source and window above which the source is blocked
 * @param blockFor    how long a block lasts after the source's last window over the limit
 * @param maxSources  how many sources are tracked at once (bounds memory)
 * @param exempt      literal IP addresses never blocked (no names: nothing is resolved)
 */
public record FloodSettings(Boolean enabled, Duration window, Integer maxMessages, Duration blockFor,
                            Integer maxSources, List<String> exempt) {

    /** Pike's default sampling unit: short enough to react within seconds, long enough to smooth bursts. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(2);
    /**
     * 1,000 messages a second from one address: over six times what a trunk carrying 50 calls/s sends (INVITE, ACK,
     * BYE and retransmissions: about 150 a second), five times under the 5,000 INVITEs/s flood of issue 9. A busier
     * trunk or SBC is listed under {@code exempt}.
     */
    public static final int DEFAULT_MAX_MESSAGES = 2_000;
    /** Long enough that a flooder is not let back in every few seconds, short enough that a peer that misbehaved
     * once (a retransmission storm after an outage) recovers without an operator. */
    public static final Duration DEFAULT_BLOCK_FOR = Duration.ofSeconds(30);
    /** About 150 bytes per tracked source: 50,000 sources hold under 10 MB. */
    public static final int DEFAULT_MAX_SOURCES = 50_000;

    public static final FloodSettings DEFAULTS = new FloodSettings(null, null, null, null, null, null);

    public FloodSettings {
        enabled = enabled == null || enabled;
        window = window == null ? DEFAULT_WINDOW : window;
        maxMessages = maxMessages == null ? DEFAULT_MAX_MESSAGES : maxMessages;
        blockFor = blockFor == null ? DEFAULT_BLOCK_FOR : blockFor;
        maxSources = maxSources == null ? DEFAULT_MAX_SOURCES : maxSources;
        exempt = exempt == null ? List.of() : List.copyOf(exempt);
        for (int i = 0; i < exempt.size(); i++) {
            exemptAddress("exempt[" + i + "]", exempt.get(i));
        }
        if (window.toMillis() < 100 || window.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException("window", window.toMillis() + "ms (expected: 100ms..1m, default 2s)");
        }
        if (maxMessages < 10) {
            throw new ConfigException("max-messages", maxMessages + " (expected: 10 or more, default "
                    + DEFAULT_MAX_MESSAGES + ")");
        }
        if (blockFor.compareTo(window) < 0 || blockFor.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException("block-for", blockFor.toMillis() + "ms (expected: from the window up to 1h,"
                    + " default 30s)");
        }
        if (maxSources < 100 || maxSources > 10_000_000) {
            throw new ConfigException("max-sources", maxSources + " (expected: 100..10000000, default "
                    + DEFAULT_MAX_SOURCES + ")");
        }
    }

    /** The {@code exempt} addresses. */
    public Set<InetAddress> exemptAddresses() {
        Set<InetAddress> out = new HashSet<>();
        for (String e : exempt) {
            out.add(exemptAddress("exempt", e));
        }
        return Set.copyOf(out);
    }

    /** Parses an {@code exempt} entry: a literal IPv4 or IPv6 address, never a name (no DNS at startup or later). */
    private static InetAddress exemptAddress(String key, String text) {
        String t = text.trim();
        boolean literal = !t.isEmpty() && (t.indexOf(':') >= 0 || t.chars().allMatch(c -> c == '.'
                || (c >= '0' && c <= '9')));
        if (literal) {
            try {
                return InetAddress.getByName(t);
            } catch (UnknownHostException e) {
                // fall through to the error below
            }
        }
        throw new ConfigException(key, "'" + text + "' (expected: an IP address such as 192.0.2.10 or 2001:db8::1)");
    }
}
