/**
 * What the dispatcher reads of a call ({@link io.roundhouse.router.dispatch.call.CallContext}): a leaf shared by the
 * dispatcher, its strategies, the service rules and the proxy that implements it, so that none of them depends on
 * another through it (the cycle dispatch, dispatch.strategy, dispatch.view, services; {@code PackageLayeringTest}).
 */
package io.roundhouse.router.dispatch.call;
