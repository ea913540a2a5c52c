package io.roundhouse.sim.node;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A mixing bridge created over ARI: it lives from {@code POST /bridges} to {@code DELETE /bridges/{id}} and keeps
 * existing with no member in between, as Asterisk's does ({@code ari-get-bridges-after-hangup}).
 *
 * @param id      the bridge id (the agent's {@code conf-<room>})
 * @param created creation time
 * @param members channel ids in it; guarded by the node's lock
 */
public record Bridge(String id, Instant created, Set<String> members) {

    Bridge(String id) {
        this(id, Instant.now(), new LinkedHashSet<>());
    }
}
