/** SIP messages on Netty buffers: framing, the lazy byte-preserving index, and the values a proxy reads (RFC 3261 §7, §20, §25). */
package io.roundhouse.router.sip;
