package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.MessageSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what the proxy writes outside any transaction (stateless forwarding, stateless refusals, ACKs of unwanted
 * 2xx): counted as sent; a failure is the transport's to report and only logged here.
 */
final class Outbound {

    private static final Logger log = LoggerFactory.getLogger(Outbound.class);

    private final MessageSender sender;
    private final ProxyMetrics metrics;

    Outbound(MessageSender sender, ProxyMetrics metrics) {
        this.sender = sender;
        this.metrics = metrics;
    }

    void send(ByteBuf message, Destination destination, String callId) {
        metrics.out();
        sender.send(message, destination, e -> log.debug("call {}: send to {} failed: {}", callId, destination,
                e.toString()));
    }
}
