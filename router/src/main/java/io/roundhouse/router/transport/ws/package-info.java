/**
 * SIP over WebSocket (RFC 7118): the handlers of a {@code ws:} or {@code wss:} connection between its TLS and idle
 * handlers and the transport's SIP handler (upgrade checks, keep-alive, one SIP message per WebSocket message), and
 * their settings. Uses nothing of the transport package, which uses it.
 */
package io.roundhouse.router.transport.ws;
