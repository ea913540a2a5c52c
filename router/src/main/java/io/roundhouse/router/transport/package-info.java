/** UDP and TCP sockets on one event loop: binding, TCP framing, connection reuse, sending (RFC 3261 §18). */
package io.roundhouse.router.transport;
