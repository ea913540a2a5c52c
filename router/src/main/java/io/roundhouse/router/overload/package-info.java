/** Load shedding: when the SIP engine cannot keep up, new calls are answered 503 at once (docs/security.md). */
package io.roundhouse.router.overload;
