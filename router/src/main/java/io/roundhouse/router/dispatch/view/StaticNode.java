package io.roundhouse.router.dispatch.view;

import io.roundhouse.router.dispatch.config.YamlSection;
import io.roundhouse.shared.config.ConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A node written in the config's {@code nodes:} list: {@code { id, uri, weight }}. */
public record StaticNode(String id, String sipUri, int weight) {

    private static final java.util.regex.Pattern NODE_ID = java.util.regex.Pattern.compile("^[A-Za-z0-9_.:-]+$");

    /** Parses {@code nodes:} of the root tree (absent: no static nodes). */
    public static List<StaticNode> parseAll(YamlSection root) {
        List<StaticNode> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (YamlSection n : root.sectionList("nodes")) {
            String id = n.requiredText("id");
            if (!NODE_ID.matcher(id).matches()) {
                // Node ids travel in Redis event lines and full-mark members: one word (docs/redis-state.md).
                throw new ConfigException(n.keyPath("id"), id + " (expected: one word of letters, digits, '-', '_',"
                        + " '.', ':')");
            }
            String uri = n.requiredText("uri");
            try {
                SipAddress.parse(uri);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(n.keyPath("uri"), e.getMessage(), e);
            }
            int weight = n.integer("weight", 1, 1, 1_000_000);
            if (!ids.add(id)) {
                throw new ConfigException(n.keyPath("id"), id + " (expected: an id not used by another node)");
            }
            out.add(new StaticNode(id, uri, weight));
        }
        return out;
    }
}
