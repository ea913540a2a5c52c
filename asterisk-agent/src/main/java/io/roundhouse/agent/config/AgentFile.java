package io.roundhouse.agent.config;

import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.agent.services.ServicesSettings;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.metrics.MetricsSettings;

/**
 * The agent's YAML file as written, bound and validated by the shared binder; {@link AgentConfigLoader} adds what
 * the file only points at (secrets from the environment or files) to make the {@link AgentConfig}.
 */
record AgentFile(NodeSettings node, RedisSettings redis, AmiSettings.Block ami, PublishSettings publish,
                 DrainSettings drain, AriSettings.Block ari, ServicesSettings services, MetricsSettings metrics) {

    AgentFile {
        if (node == null) {
            throw new ConfigException("node", "missing (expected: a mapping with id, sip-uri, max-channels)");
        }
        if (ami == null) {
            throw new ConfigException("ami", "missing (expected: a mapping with username and a secret)");
        }
        if (ari == null && services != null) {
            throw new ConfigException("ari", "missing while services are configured (expected: an ari section, since"
                    + " the Stasis services run over ARI)");
        }
        redis = redis == null ? RedisSettings.defaults() : redis;
        publish = publish == null ? PublishSettings.DEFAULTS : publish;
        drain = drain == null ? DrainSettings.DEFAULTS : drain;
        services = services == null ? ServicesSettings.parse(null) : services;
        metrics = metrics == null ? MetricsSettings.NONE : metrics;
    }
}
