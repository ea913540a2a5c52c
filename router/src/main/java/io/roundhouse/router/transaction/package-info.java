/** Server and client transactions with their timers (RFC 3261 §17, RFC 6026), on an injectable scheduler. */
package io.roundhouse.router.transaction;
