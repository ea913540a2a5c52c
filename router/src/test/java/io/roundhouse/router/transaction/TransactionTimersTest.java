package io.roundhouse.router.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.roundhouse.router.config.SipTimers;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParser;
import io.roundhouse.router.testing.ManualScheduler;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.MessageSender;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** RFC 3261 §17 state machines and timers A-K (and RFC 6026's L), on a clock the test moves by hand. */
class TransactionTimersTest {

    private static final Destination UDP = Destination.of(Transport.UDP, new InetSocketAddress("127.0.0.1", 5099));
    private static final Destination TCP = Destination.of(Transport.TCP, new InetSocketAddress("127.0.0.1", 5099));

    private final ManualScheduler clock = new ManualScheduler();
    private final List<String> sent = new ArrayList<>();
    private final List<Long> sentAt = new ArrayList<>();
    private final MessageSender sender = new MessageSender() {
        @Override
        public void send(ByteBuf message, Destination destination, Consumer<Throwable> onFailure) {
            sent.add(message.toString(StandardCharsets.UTF_8));
            sentAt.add(clock.nowMillis());
            message.release();
        }
    };
    private final TransactionTable table = new TransactionTable(clock, SipTimers.defaults(), sender);
    private final List<Integer> passedUp = new ArrayList<>();
    private final List<String> timeouts = new ArrayList<>();
    private final ClientTransactionListener listener = new ClientTransactionListener() {
        @Override
        public void onResponse(ClientTransaction transaction, SipMessage response) {
            passedUp.add(response.statusCode());
        }

        @Override
        public void onTimeout(ClientTransaction transaction, boolean transportError) {
            timeouts.add(transaction.method());
        }
    };

    private static ByteBuf request(String method) {
        return Unpooled.copiedBuffer(method + " sip:n@127.0.0.1:5099 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKRhabc.0\r\n"
                + "Route: <sip:127.0.0.1:5099;lr>\r\n"
                + "Max-Forwards: 69\r\nFrom: <sip:a@b>;tag=f\r\nTo: <sip:n@b>\r\nCall-ID: c1\r\n"
                + "CSeq: 5 " + method + "\r\nContent-Length: 0\r\n\r\n", StandardCharsets.UTF_8);
    }

    private static SipMessage response(int status, String method) {
        String text = "SIP/2.0 " + status + " X\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKRhabc.0\r\n"
                + "From: <sip:a@b>;tag=f\r\nTo: <sip:n@b>;tag=t9\r\nCall-ID: c1\r\nCSeq: 5 " + method
                + "\r\nContent-Length: 0\r\n\r\n";
        return SipParser.parse(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), true);
    }

    private static ByteBuf responseBuf(int status) {
        return Unpooled.copiedBuffer("SIP/2.0 " + status + " X\r\n\r\n", StandardCharsets.UTF_8);
    }

    @Test
    void inviteClientRetransmitsWithTimerADoublingAndTimesOutAtTimerB() {
        InviteClientTransaction ct = new InviteClientTransaction(table, "z9hG4bKRhabc.0", request("INVITE"), UDP,
                listener);
        ct.start();
        clock.advance(Duration.ofSeconds(40));
        // Sent at 0, then 500, 1500, 3500, 7500, 15500, 31500 ms (A doubles: 0.5, 1, 2, 4, 8, 16 s); B at 32 s.
        assertThat(sentAt).containsExactly(0L, 500L, 1500L, 3500L, 7500L, 15500L, 31500L);
        assertThat(timeouts).containsExactly("INVITE");
        assertThat(table.size()).isZero();
    }

    @Test
    void inviteClientStopsRetransmittingOnAProvisionalAndAcksANon2xxFinal() {
        InviteClientTransaction ct = new InviteClientTransaction(table, "z9hG4bKRhabc.0", request("INVITE"), UDP,
                listener);
        ct.start();
        ct.onResponse(response(180, "INVITE"));
        clock.advance(Duration.ofSeconds(10));
        assertThat(sent).hasSize(1);
        ct.onResponse(response(503, "INVITE"));
        assertThat(passedUp).containsExactly(180, 503);
        String ack = sent.get(1);
        // §17.1.1.3: same Request-URI, top Via, Route; To from the response; CSeq method ACK.
        assertThat(ack).startsWith("ACK sip:n@127.0.0.1:5099 SIP/2.0\r\n")
                .contains("Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKRhabc.0\r\n")
                .contains("Route: <sip:127.0.0.1:5099;lr>\r\n").contains("To: <sip:n@b>;tag=t9\r\n")
                .contains("CSeq: 5 ACK\r\n");
        // A retransmitted final response is ACKed again but not passed up.
        ct.onResponse(response(503, "INVITE"));
        assertThat(sent).hasSize(3);
        assertThat(passedUp).hasSize(2);
        assertThat(ct.state()).isEqualTo(InviteClientTransaction.State.COMPLETED);
        clock.advance(Duration.ofSeconds(32)); // Timer D
        assertThat(table.size()).isZero();
        assertThat(timeouts).isEmpty();
    }

    @Test
    void inviteClientOverTcpNeitherRetransmitsNorWaitsInCompleted() {
        InviteClientTransaction ct = new InviteClientTransaction(table, "z9hG4bKRhabc.0", request("INVITE"), TCP,
                listener);
        ct.start();
        clock.advance(Duration.ofSeconds(5));
        assertThat(sent).hasSize(1);
        ct.onResponse(response(486, "INVITE"));
        assertThat(table.size()).isZero();
    }

    @Test
    void nonInviteClientRetransmitsUpToT2AndTimesOutAtTimerF() {
        NonInviteClientTransaction ct = new NonInviteClientTransaction(table, "z9hG4bKRhabc.0", "OPTIONS",
                request("OPTIONS"), UDP, listener);
        ct.start();
        clock.advance(Duration.ofSeconds(33));
        // E: 0.5, 1, 2, 4, 4, 4 ... s until F at 32 s.
        assertThat(sentAt).startsWith(0L, 500L, 1500L, 3500L, 7500L, 11500L, 15500L);
        assertThat(sentAt.get(sentAt.size() - 1)).isEqualTo(31500L);
        assertThat(timeouts).containsExactly("OPTIONS");
        assertThat(table.size()).isZero();
    }

    @Test
    void nonInviteClientEndsAtItsFinalResponseWithoutWaitingTimerK() {
        NonInviteClientTransaction ct = new NonInviteClientTransaction(table, "z9hG4bKRhabc.0", "BYE",
                request("BYE"), UDP, listener);
        ct.start();
        ct.onResponse(response(200, "BYE"));
        assertThat(passedUp).containsExactly(200);
        assertThat(table.size()).isZero();
        assertThat(table.client("z9hG4bKRhabc.0", "BYE")).as("a retransmitted 200 is the proxy's stray response")
                .isNull();
        clock.advance(Duration.ofSeconds(40));
        assertThat(sentAt).as("no retransmission after the final response").containsExactly(0L);
    }

    @Test
    void inviteServerRetransmitsANon2xxWithTimerGUntilAckedThenWaitsTimerI() {
        InviteServerTransaction st = new InviteServerTransaction(table, new ServerKey("z9hG4bK1", "h:5060", "INVITE"),
                UDP, "c1");
        st.sendResponse(100, responseBuf(100));
        st.onRetransmission();
        assertThat(sent).hasSize(2); // a retransmitted INVITE gets the last provisional again
        st.sendResponse(486, responseBuf(486));
        clock.advance(Duration.ofMillis(3600));
        // G: 0.5, 1, 2 s after the final (sent at 0): at 500, 1500, 3500 ms.
        assertThat(sentAt.subList(2, sentAt.size())).containsExactly(0L, 500L, 1500L, 3500L);
        st.onAck();
        assertThat(st.state()).isEqualTo(InviteServerTransaction.State.CONFIRMED);
        clock.advance(Duration.ofSeconds(10));
        assertThat(sent).hasSize(6);
        assertThat(table.size()).isZero();
    }

    @Test
    void inviteServerGivesUpAtTimerHWithoutAck() {
        InviteServerTransaction st = new InviteServerTransaction(table, new ServerKey("z9hG4bK1", "h:5060", "INVITE"),
                UDP, "c1");
        st.sendResponse(503, responseBuf(503));
        clock.advance(Duration.ofMillis(31_999));
        assertThat(table.size()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(table.size()).isZero();
        // G is capped at T2 (4 s): 0, .5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 s.
        assertThat(sentAt).hasSize(11);
    }

    @Test
    void inviteServerAbsorbsRetransmittedInvitesAfterA2xxForTimerL() {
        InviteServerTransaction st = new InviteServerTransaction(table, new ServerKey("z9hG4bK1", "h:5060", "INVITE"),
                UDP, "c1");
        st.sendResponse(200, responseBuf(200));
        st.onRetransmission();
        st.sendResponse(200, responseBuf(200)); // a late 2xx of the same transaction is not sent through it
        assertThat(sent).hasSize(1);
        assertThat(st.state()).isEqualTo(InviteServerTransaction.State.ACCEPTED);
        clock.advance(Duration.ofSeconds(32));
        assertThat(table.size()).isZero();
    }

    @Test
    void nonInviteServerAnswersRetransmissionsAndEndsAfterTimerJ() {
        NonInviteServerTransaction st = new NonInviteServerTransaction(table,
                new ServerKey("z9hG4bK2", "h:5060", "BYE"), UDP, "c1");
        st.onRetransmission();
        assertThat(sent).isEmpty(); // Trying: nothing to resend yet
        st.sendResponse(200, responseBuf(200));
        assertThat(table.retransmission(st.key())).isTrue();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1)).isEqualTo("SIP/2.0 200 X\r\n\r\n");
        clock.advance(Duration.ofMillis(31_999));
        assertThat(table.retransmission(st.key())).isTrue();
        assertThat(sent).hasSize(3);
        clock.advance(Duration.ofMillis(1));
        assertThat(table.size()).isZero();
    }

    @Test
    void aCompletedServerTransactionLeavesOnlyItsKeyAndResponseInTheTable() {
        ServerKey key = new ServerKey("z9hG4bK2", "h:5060", "BYE");
        NonInviteServerTransaction st = new NonInviteServerTransaction(table, key, UDP, "c1");
        List<String> ended = new ArrayList<>();
        st.onTerminated(() -> ended.add("c1"));
        st.sendResponse(200, responseBuf(200));
        assertThat(table.server(key)).as("no transaction object is kept").isNull();
        assertThat(table.knows(key)).isTrue();
        assertThat(table.size()).isEqualTo(1);
        assertThat(ended).as("the user hears the end after the current event, not within sendResponse").isEmpty();
        clock.advance(Duration.ZERO);
        assertThat(ended).containsExactly("c1");
        assertThat(clock.pending()).as("one expiry timer for the table, none of the transaction's").isEqualTo(1);
    }

    @Test
    void absorbersEndInCompletionOrderEach64T1AfterTheirFinalResponse() {
        InviteServerTransaction first = new InviteServerTransaction(table, new ServerKey("z9hG4bK1", "h:5060",
                "INVITE"), UDP, "c1");
        first.sendResponse(200, responseBuf(200));
        clock.advance(Duration.ofSeconds(10));
        InviteServerTransaction second = new InviteServerTransaction(table, new ServerKey("z9hG4bK3", "h:5060",
                "INVITE"), UDP, "c3");
        second.sendResponse(200, responseBuf(200));
        clock.advance(Duration.ofSeconds(22));
        assertThat(table.knows(first.key())).isFalse();
        assertThat(table.knows(second.key())).isTrue();
        clock.advance(Duration.ofMillis(9_999));
        assertThat(table.size()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(table.size()).isZero();
        assertThat(clock.pending()).isZero();
    }

    @Test
    void nonInviteServerOverTcpEndsAtOnce() {
        NonInviteServerTransaction st = new NonInviteServerTransaction(table,
                new ServerKey("z9hG4bK2", "h:5060", "BYE"), TCP, "c1");
        st.sendResponse(200, responseBuf(200));
        assertThat(table.size()).isZero();
    }

    @Test
    void anAbandonedInviteBranchStopsRetransmittingAndStaysSilentAtTimerB() {
        InviteClientTransaction ct = new InviteClientTransaction(table, "z9hG4bKRhabc.0", request("INVITE"), UDP,
                listener);
        ct.start();
        clock.advance(Duration.ofMillis(600));
        ct.abandon();
        clock.advance(Duration.ofSeconds(40));
        assertThat(sentAt).containsExactly(0L, 500L);
        assertThat(timeouts).isEmpty();
        assertThat(table.size()).isZero();
    }

    @Test
    void cancelCarriesTheInvitesBranchRequestUriAndToWithoutTag() {
        String cancel = HopByHop.cancelFor(request("INVITE")).toString(StandardCharsets.UTF_8);
        assertThat(cancel).startsWith("CANCEL sip:n@127.0.0.1:5099 SIP/2.0\r\n")
                .contains("branch=z9hG4bKRhabc.0").contains("To: <sip:n@b>\r\n").contains("CSeq: 5 CANCEL\r\n")
                .contains("Route: <sip:127.0.0.1:5099;lr>\r\n");
    }
}
