package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParser;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.transaction.ClientTransaction;
import io.roundhouse.router.transaction.ClientTransactionListener;
import io.roundhouse.router.transaction.NonInviteClientTransaction;
import io.roundhouse.router.transaction.TransactionTable;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.ListenPoint;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The router as a user agent client, for one job: OPTIONS to a node for health probing (RFC 3261 §11). Each request
 * runs in a non-INVITE client transaction of the router's own table, so its responses are matched as any other; it
 * shares nothing else with the proxy.
 */
final class OptionsClient {

    private final EventLoop loop;
    private final TransactionTable table;
    private final NextHops nextHops;
    private final LocalAddresses locals;
    private final ProxyMetrics metrics;

    OptionsClient(EventLoop loop, TransactionTable table, NextHops nextHops, LocalAddresses locals,
                  ProxyMetrics metrics) {
        this.loop = loop;
        this.table = table;
        this.nextHops = nextHops;
        this.locals = locals;
        this.metrics = metrics;
    }

    /**
     * Sends OPTIONS to {@code targetUri} in a client transaction; completes with the final status, or with 408 when no
     * response can come: Timer F, and the local failures of a transport error (connection refused, ICMP) or a failed
     * name lookup (RFC 3261 §8.1.3.1 treats a transport failure like a timeout). A node's own 503 means "busy but
     * alive"; a local failure must never look like one.
     */
    CompletionStage<Integer> send(String targetUri) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                SipUri uri = SipUri.parse(targetUri);
                nextHops.resolve(uri, dest -> options(uri, dest), (out, dest) -> startOptions(out, dest, result),
                        reason -> result.complete(408));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private ByteBuf options(SipUri uri, Destination dest) {
        ListenPoint point = locals.pointFor(dest.transport(), dest.address());
        String branch = Branches.PREFIX + LocalResponses.newTag() + ".o";
        String me = locals.hostPort(point);
        String text = "OPTIONS " + uri.text() + " SIP/2.0\r\n"
                + "Via: " + locals.via(dest.transport(), point, branch) + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:router@" + me + ">;tag=" + LocalResponses.newTag() + "\r\n"
                + "To: <" + uri.text() + ">\r\n"
                + "Call-ID: " + LocalResponses.newTag() + LocalResponses.newTag() + "@" + me + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + LocalResponses.ALLOW + "\r\n"
                + "Accept: application/sdp\r\n"
                + "Content-Length: 0\r\n\r\n";
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    private void startOptions(ByteBuf out, Destination dest, CompletableFuture<Integer> result) {
        SipMessage sent = SipParser.parse(out.duplicate(), true);
        String branch = sent.topVia().branch();
        NonInviteClientTransaction ct = new NonInviteClientTransaction(table, branch, "OPTIONS", out, dest,
                new ClientTransactionListener() {
                    @Override
                    public void onResponse(ClientTransaction tx, SipMessage response) {
                        if (response.statusCode() >= 200) {
                            result.complete(response.statusCode());
                        }
                    }

                    @Override
                    public void onTimeout(ClientTransaction tx, boolean transportError) {
                        result.complete(408); // transport error or Timer F: the node did not answer
                    }
                });
        metrics.out();
        ct.start();
    }
}
