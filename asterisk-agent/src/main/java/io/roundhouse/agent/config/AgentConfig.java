package io.roundhouse.agent.config;

import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.agent.services.ServicesSettings;
import io.roundhouse.shared.config.RedisSettings;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The agent's whole configuration, validated once at start-up ({@link AgentConfigLoader}).
 *
 * @param node     who this node is
 * @param redis    where the shared state lives
 * @param ami      how to reach Asterisk's manager interface
 * @param publish  how often the node state is written
 * @param drain    how a shutdown drains
 * @param ari      the {@code ari:} section; empty when absent (a node without ARI registers no Stasis application)
 * @param services the {@code services:} section (every service with its defaults when absent)
 * @param metrics  where to serve Prometheus metrics ({@code metrics.listen}); empty when not configured
 */
public record AgentConfig(
        NodeSettings node,
        RedisSettings redis,
        AmiSettings ami,
        PublishSettings publish,
        DrainSettings drain,
        Optional<AriSettings> ari,
        ServicesSettings services,
        Optional<InetSocketAddress> metrics) {
}
