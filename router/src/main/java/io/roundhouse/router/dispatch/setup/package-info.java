/**
 * Assembling dispatch from the router's config: live dispatch (view, probing, Redis work, the dispatcher) or round
 * robin over the static nodes, started, reconfigured by a reload, and stopped. Above {@code dispatch}: the dispatcher
 * itself knows nothing of the config file.
 */
package io.roundhouse.router.dispatch.setup;
