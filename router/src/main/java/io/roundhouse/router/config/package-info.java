/** The router's validated YAML configuration (sip, nodes) and the raw tree other components read. */
package io.roundhouse.router.config;
