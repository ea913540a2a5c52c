package io.roundhouse.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where the operator verbs read and steer the farm: a router's admin API, or Redis directly. Both answer with the
 * admin API's JSON shapes (docs/admin.md), so the tables and {@code --json} do not depend on the source.
 */
interface FarmSource extends AutoCloseable {

    /** An array of nodes. */
    JsonNode nodes();

    /** An array of room placements. */
    JsonNode rooms();

    /** An array of the newest decisions, newest first. */
    JsonNode decisions(int limit);

    /** Applies drain, undrain, disable or enable; returns the node afterwards. */
    JsonNode control(String node, String verb);

    /** Reloads the router's configuration; returns the router's answer. */
    JsonNode reload();

    @Override
    void close();
}
