package io.roundhouse.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.roundhouse.shared.config.RedisSettings;
import java.util.Optional;

/**
 * The agent's whole configuration, validated once at start-up ({@link AgentConfigLoader}).
 *
 * @param node     who this node is
 * @param redis    where the shared state lives
 * @param ami      how to reach Asterisk's manager interface
 * @param publish  how often the node state is written
 * @param drain    how a shutdown drains
 * @param ari      the raw {@code ari:} section, parsed by the ARI side of the agent; empty when absent (a node without
 *                 ARI registers no Stasis application)
 * @param services the raw {@code services:} section, parsed by the services side; empty when absent
 */
public record AgentConfig(
        NodeSettings node,
        RedisSettings redis,
        AmiSettings ami,
        PublishSettings publish,
        DrainSettings drain,
        Optional<JsonNode> ari,
        Optional<JsonNode> services) {
}
