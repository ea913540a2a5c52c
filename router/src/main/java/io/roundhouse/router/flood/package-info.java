/** Per-source flood limit after Kamailio's pike, checked on the transport path before parsing (issue 9). */
package io.roundhouse.router.flood;
