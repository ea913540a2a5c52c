package io.roundhouse.agent.config;

import java.time.Duration;

/**
 * The {@code ami:} block: how the agent reaches Asterisk's manager interface.
 *
 * @param host           AMI host (loopback: the agent runs beside Asterisk)
 * @param port           AMI TCP port
 * @param username       AMI user; its write class must include {@code reporting} for the ConfBridge list actions
 * @param secret         AMI secret, from {@code secret}, {@code secret-file} or the environment ({@code AMI_SECRET})
 * @param resyncInterval how often a full snapshot corrects drift of the event-fed state
 * @param actionTimeout  how long one action (or one list action with its events) may take before the connection is
 *                       considered dead
 * @param reconnectMin   first reconnect delay; doubled after each failure
 * @param reconnectMax   cap of the reconnect delay
 */
public record AmiSettings(
        String host,
        int port,
        String username,
        String secret,
        Duration resyncInterval,
        Duration actionTimeout,
        Duration reconnectMin,
        Duration reconnectMax) {

    /** Never prints the secret: settings end up in logs. */
    @Override
    public String toString() {
        return "AmiSettings[host=" + host + ", port=" + port + ", username=" + username + ", secret=***"
                + ", resyncInterval=" + resyncInterval + ", actionTimeout=" + actionTimeout
                + ", reconnectMin=" + reconnectMin + ", reconnectMax=" + reconnectMax + "]";
    }
}
