/** The proxy core (RFC 3261 §16): validation, Route processing, forwarding, response contexts, failover, CANCEL. */
package io.roundhouse.router.proxy;
