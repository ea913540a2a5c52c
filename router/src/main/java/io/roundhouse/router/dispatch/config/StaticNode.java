package io.roundhouse.router.dispatch.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A node of the {@code nodes:} list: the nodes this router knows. With a URI the router can send to it without an
 * agent (a static node); without one (live dispatch only) the node is known by id, and its agent publishes where it
 * is. A service's pool names nodes of this list.
 *
 * @param id     the node's id, unique in the list, one word (it travels in Redis keys and event lines)
 * @param uri    where the router sends the node's requests, e.g. {@code sip:127.0.0.1:5081}, or null
 * @param weight relative weight for weighted strategies (default 1)
 */
public record StaticNode(String id, String uri, int weight) {

    private static final Pattern NODE_ID = Pattern.compile("^[A-Za-z0-9_.:-]+$");
    private static final String URI_EXPECTED = " (expected: a sip: URI such as sip:10.0.0.1:5060)";

    public StaticNode {
        id = Require.text("id", id, "a node id");
        if (!NODE_ID.matcher(id).matches()) {
            throw new ConfigException("id", id + " (expected: one word of letters, digits, '-', '_', '.', ':')");
        }
        if (uri != null) {
            uri = uri.trim();
            if (!uri.regionMatches(true, 0, "sip:", 0, 4) && !uri.regionMatches(true, 0, "sips:", 0, 5)) {
                throw new ConfigException("uri", "'" + uri + "'" + URI_EXPECTED);
            }
            try {
                SipUri.parse(uri);
            } catch (SipParseException e) {
                throw new ConfigException("uri", e.reason() + URI_EXPECTED);
            }
        }
        // The same range in both modes (static round robin and live dispatch): a node to keep out of rotation is
        // removed from the list (or drained, with an agent).
        if (weight < 1 || weight > 1_000_000) {
            throw new ConfigException("weight", weight + " (expected: 1..1000000)");
        }
    }

    @JsonCreator
    static StaticNode bind(@JsonProperty("id") String id, @JsonProperty("uri") String uri,
                           @JsonProperty("weight") Integer weight) {
        if (uri == null && weight != null) {
            throw new ConfigException("weight", weight + " without uri (expected: a uri beside it; a node known"
                    + " only by its agent weighs 1)");
        }
        return new StaticNode(id, uri, weight == null ? 1 : weight);
    }

    /** Where the router sends the node's requests, or empty for a node its agent publishes. */
    public Optional<String> address() {
        return Optional.ofNullable(uri);
    }
}
