/**
 * The router's configuration: one tree of validated immutable records ({@link io.roundhouse.router.config.RouterConfig})
 * bound from YAML by the shared {@link io.roundhouse.shared.config.ConfigBinder}.
 */
package io.roundhouse.router.config;
