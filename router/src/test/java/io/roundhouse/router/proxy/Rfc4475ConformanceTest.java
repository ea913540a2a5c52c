package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.roundhouse.router.Router;
import io.roundhouse.router.sip.Fixtures;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParser;
import io.roundhouse.router.sip.Via;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 49 messages of RFC 4475, byte for byte ({@code src/test/resources/sip/rfc4475}), sent over UDP to a running router
 * with one node behind it, each handled as the RFC says a proxy must (what the router answers: docs/sip.md).
 *
 * <p>The messages' Vias name hosts of example.com without rport, so the router answers to the packet's source address at
 * the Via's port (§18.2.2): the caller listens on 5060 (and 5050, for quotbal) of a loopback address of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class Rfc4475ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(150);

    private SipTestAgent node;
    private Map<Integer, SipTestAgent> callers;
    private Router router;

    @BeforeAll
    void start() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String host = "127." + r.nextInt(1, 255) + "." + r.nextInt(0, 256) + "." + r.nextInt(1, 255);
        callers = Map.of(5060, SipTestAgent.start(host, 5060), 5050, SipTestAgent.start(host, 5050));
        node = SipTestAgent.start().uas(UasBehavior.answer());
    }

    /**
     * A router of its own for each message: many of them share a branch and sent-by (z9hG4bKkdjuw), so to one router
     * they are retransmissions of one transaction (§17.2.3), as the RFC did not mean them to be.
     */
    @BeforeEach
    void startRouter() {
        callers.values().forEach(SipTestAgent::clear);
        node.clear();
        router = Router.start(TestRouters.config(node));
    }

    @AfterEach
    void stopRouter() {
        router.close();
    }

    @AfterAll
    void stop() {
        node.close();
        callers.values().forEach(SipTestAgent::close);
    }

    static Stream<Arguments> proxied() {
        return Stream.of(
                arguments("intmeth", "3.1.1.2 Wide Range of Valid Characters"),
                arguments("esc01", "3.1.1.3 Valid Use of the % Escaping Mechanism"),
                arguments("escnull", "3.1.1.4 Escaped Nulls in URIs"),
                arguments("esc02", "3.1.1.5 Use of % When It Is Not an Escape"),
                arguments("lwsdisp", "3.1.1.6 Message with No LWS between Display Name and <"),
                arguments("longreq", "3.1.1.7 Long Values in Header Fields"),
                arguments("dblreq", "3.1.1.8 Extra Trailing Octets in a UDP Datagram"),
                arguments("semiuri", "3.1.1.9 Semicolon-Separated Parameters in URI User Part"),
                arguments("transports", "3.1.1.10 Varied and Unknown Transport Types"),
                arguments("mpart01", "3.1.1.11 Multipart MIME Message"),
                arguments("baddate", "3.1.2.12 Invalid Time Zone in Date Header Field"),
                arguments("badbranch", "3.2.1 Missing Transaction Identifier"),
                arguments("unksm2", "3.3.4 Unknown URI Schemes in Header Fields"),
                arguments("invut", "3.3.6 Unknown Content-Type"),
                arguments("regaut01", "3.3.7 Unknown Authorization Scheme"),
                arguments("cparam01", "3.3.12 REGISTER with a Contact Header Parameter"),
                arguments("cparam02", "3.3.13 REGISTER with a url-parameter"),
                arguments("regescrt", "3.3.14 REGISTER with a URL Escaped Header"),
                arguments("sdp01", "3.3.15 Unacceptable Accept Offering"),
                arguments("inv2543", "3.4.1 INVITE with RFC 2543 Syntax"));
    }

    /** A valid request goes to a node with its Request-URI untouched, and the node's answer comes back. */
    @ParameterizedTest(name = "{0}: RFC 4475 §{1}")
    @MethodSource("proxied")
    void isProxiedToANodeAndItsAnswerComesBack(String name, String section) {
        SipMessage sent = send(name);
        Received forwarded = node.await(request(sent.callId()), WAIT);
        assertThat(forwarded.method()).isEqualTo(sent.method());
        assertThat(forwarded.requestUri()).isEqualTo(sent.requestUri());
        assertThat(callerOf(sent).await(finalResponse(sent), WAIT).status()).isEqualTo(200);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                arguments("badinv01", "3.1.2.1 Extraneous Header Field Separators", 400),
                arguments("clerr", "3.1.2.2 Content Length Larger Than Message", 400),
                arguments("ncl", "3.1.2.3 Negative Content-Length", 400),
                arguments("scalar02", "3.1.2.4 Request Scalar Fields with Overlarge Values", 400),
                arguments("quotbal", "3.1.2.6 Unterminated Quoted String in Display Name", 400),
                arguments("ltgtruri", "3.1.2.7 <> Enclosing Request-URI", 400),
                arguments("lwsruri", "3.1.2.8 Malformed SIP Request-URI (embedded LWS)", 400),
                arguments("lwsstart", "3.1.2.9 Multiple SP Separating Request-Line Elements", 400),
                arguments("trws", "3.1.2.10 SP Characters at End of Request-Line", 400),
                arguments("escruri", "3.1.2.11 Escaped Headers in SIP Request-URI", 400),
                arguments("regbadct", "3.1.2.13 Failure to Enclose name-addr URI in <>", 400),
                arguments("badaspec", "3.1.2.14 Spaces within addr-spec", 400),
                arguments("baddn", "3.1.2.15 Non-token Characters in Display Name", 400),
                arguments("badvers", "3.1.2.16 Unknown Protocol Version", 505),
                arguments("mismatch01", "3.1.2.17 Start Line and CSeq Method Mismatch", 400),
                arguments("mismatch02", "3.1.2.18 Unknown Method with CSeq Method Mismatch", 400),
                arguments("insuf", "3.3.1 Missing Required Header Fields", 400),
                arguments("unkscm", "3.3.2 Request-URI with Unknown Scheme", 416),
                arguments("novelsc", "3.3.3 Request-URI with Known but Atypical Scheme", 416),
                arguments("bext01", "3.3.5 Proxy-Require and Require", 420),
                arguments("multi01", "3.3.8 Multiple Values in Single Value Required Fields", 400),
                arguments("mcl01", "3.3.9 Multiple Content-Length Values", 400),
                arguments("zeromf", "3.3.11 Max-Forwards of Zero", 483),
                // In a dialog (To has a tag) whose Route is not the router's: a valid message, refused as a relay.
                arguments("wsinv", "3.1.1.1 A Short Tortuous INVITE", 403));
    }

    /** The router answers itself, with a well-formed response, and no node sees the request. */
    @ParameterizedTest(name = "{0}: RFC 4475 §{1} is answered {2}")
    @MethodSource("refused")
    void isAnsweredByTheRouterAndNotForwarded(String name, String section, int status) {
        SipMessage sent = send(name);
        Received answer = callerOf(sent).await(finalResponse(sent), WAIT);
        assertThat(answer.status()).isEqualTo(status);
        SipMessage response = answer.message();
        assertThat(response.defect()).isNull();
        if (sent.first(HeaderName.TO) >= 0) {
            assertThat(response.to().tag()).isNotNull();
        }
        node.assertNone(r -> true, QUIET);
    }

    @Test
    void aProxyRequireOptionTagTheRouterLacksIsNamedInUnsupported() {
        SipMessage sent = send("bext01");
        assertThat(callerOf(sent).await(finalResponse(sent), WAIT).headers("Unsupported"))
                .containsExactly("noProxiesSupportThis", "norDoAnyProxiesSupportThis");
    }

    @Test
    void theOctetsAfterTheContentLengthOfADatagramAreNoSecondRequest() {
        SipMessage register = send("dblreq");
        assertThat(node.await(request(register.callId()), WAIT).method()).isEqualTo("REGISTER");
        node.assertNone(r -> r.isRequest() && r.method().equals("INVITE"), QUIET);
    }

    @Test
    void aStrictRouteOnARequestNotRoutedThroughTheRouterIsNotApplied() {
        SipMessage sent = send("mpart01");
        Received forwarded = node.await(request(sent.callId()), WAIT);
        // The farm gets the MESSAGE as it came: Request-URI kept, the foreign Route left for no one to follow.
        assertThat(forwarded.requestUri()).isEqualTo("sip:kumiko@example.org");
        assertThat(forwarded.headers("Route")).containsExactly("<sip:127.0.0.1:5080>");
    }

    @Test
    void overTcpTwoDifferentContentLengthsCloseTheConnectionInsteadOfDesynchronisingIt() {
        SipTestAgent caller = callers.get(5060);
        Channel connection = caller.connection(routerAddress());
        long dropped = router.droppedMessages();
        caller.sendBytes(Fixtures.bytes("rfc4475/mcl01.sip"), routerAddress(), Transport.TCP);
        await().atMost(WAIT).until(() -> !connection.isActive() && router.droppedMessages() == dropped + 1);
        node.assertNone(r -> true, QUIET);
    }

    @Test
    void twoRequestsWhoseBranchIsOnlyTheMagicCookieAreTwoTransactions() {
        String first = new String(Fixtures.bytes("rfc4475/badbranch.sip"), StandardCharsets.UTF_8);
        String second = first.replace("badbranch.sadonfo23i420jv0as0derf3j3n", "badbranch.second")
                .replace("CSeq: 8 OPTIONS", "CSeq: 9 OPTIONS");
        SipTestAgent caller = callers.get(5060);
        caller.send(first, routerAddress(), Transport.UDP);
        node.await(request("badbranch.sadonfo23i420jv0as0derf3j3n"), WAIT);
        caller.send(second, routerAddress(), Transport.UDP);
        // §17.2.3: without an identifier after the cookie the RFC 2543 rules match, and these differ in Call-ID.
        assertThat(node.await(request("badbranch.second"), WAIT).method()).isEqualTo("OPTIONS");
    }

    static Stream<Arguments> strayResponses() {
        return Stream.of(
                arguments("unreason", "3.1.1.12 Unusual Reason Phrase"),
                arguments("noreason", "3.1.1.13 Empty Reason Phrase"),
                arguments("scalarlg", "3.1.2.5 Response Scalar Fields with Overlarge Values"),
                arguments("bigcode", "3.1.2.19 Overlarge Response Code"),
                arguments("bcast", "3.3.10 200 OK Response with Broadcast Via Header Field Value"));
    }

    /** A response to nothing the router sent (its top Via is not the router's, §18.1.2) is dropped and counted. */
    @ParameterizedTest(name = "{0}: RFC 4475 §{1}")
    @MethodSource("strayResponses")
    void isAResponseToSomeoneElseAndIsDropped(String name, String section) {
        long dropped = router.droppedMessages();
        callers.get(5060).sendBytes(Fixtures.bytes("rfc4475/" + name + ".sip"), routerAddress(), Transport.UDP);
        await().atMost(WAIT).until(() -> router.droppedMessages() == dropped + 1);
        callers.get(5060).assertNone(r -> true, QUIET);
        node.assertNone(r -> true, QUIET);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private SipMessage send(String name) {
        byte[] raw = Fixtures.bytes("rfc4475/" + name + ".sip");
        SipMessage sent = SipParser.parse(Unpooled.wrappedBuffer(raw), true);
        callerOf(sent).sendBytes(raw, routerAddress(), Transport.UDP);
        return sent;
    }

    /** The caller listening where the router answers {@code sent}: its top Via's port, 5060 when none or unreadable. */
    private SipTestAgent callerOf(SipMessage sent) {
        Via top = sent.topViaOrNull();
        return callers.getOrDefault(top == null || top.port() < 0 ? 5060 : top.port(), callers.get(5060));
    }

    private InetSocketAddress routerAddress() {
        return new InetSocketAddress("127.0.0.1", router.port());
    }

    private static Predicate<Received> request(String callId) {
        return r -> r.isRequest() && callId.equals(r.message().callIdOrEmpty());
    }

    /** A final response to {@code sent}: same CSeq (every RFC 4475 request has one; insuf has no Call-ID). */
    private static Predicate<Received> finalResponse(SipMessage sent) {
        String cseq = sent.values("CSeq").get(0);
        return r -> !r.isRequest() && r.status() >= 200 && cseq.equals(r.header("CSeq"));
    }
}
