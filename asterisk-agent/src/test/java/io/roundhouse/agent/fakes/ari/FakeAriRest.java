package io.roundhouse.agent.fakes.ari;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.notMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Asterisk's ARI REST resources as WireMock stubs on a free loopback port. Every status code, reason phrase, header
 * and body comes from the 22.10.1 captures ({@code ari-*.http}); only ids inside bodies are rewritten. Requests
 * without the right Basic credentials get the captured 401.
 */
public final class FakeAriRest implements AutoCloseable {

    public static final String USER = "roundhouse";
    public static final String PASSWORD = "test-only-not-a-secret";
    /** Connection and Content-Length are the transport's business (WireMock sets them); Date is of the capture day. */
    private static final Set<String> DROPPED_HEADERS = Set.of("connection", "content-length", "date");
    private static final String CAPTURED_BRIDGE = "conf-1000";
    private static final String CHANNEL = "[^/]+";
    private static final String CAPTURED_CHANNEL = "1795439762.9";

    private final WireMockServer server;
    private StubMapping channelsStub;
    private StubMapping bridgesStub;
    private StubMapping applicationsStub;

    public FakeAriRest() {
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(16));
        server.start();
        String good = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        // Authentication first (priority 1), as Asterisk checks it before routing.
        server.stubFor(any(anyUrl()).atPriority(1).withHeader("Authorization", absent())
                .willReturn(captured("ari-get-channels-no-auth.http")));
        server.stubFor(any(anyUrl()).atPriority(1).withHeader("Authorization", notMatching(Pattern.quote(good)))
                .willReturn(captured("ari-get-channels-bad-password.http")));

        server.stubFor(post(urlPathMatching("/ari/channels/" + CHANNEL + "/answer"))
                .willReturn(captured("ari-post-channel-answer.http")));
        for (String reason : List.of("congestion", "busy", "normal", "no_answer")) {
            server.stubFor(delete(urlPathMatching("/ari/channels/" + CHANNEL)).withQueryParam("reason", equalTo(reason))
                    .willReturn(captured("ari-delete-channel-" + reason + ".http")));
        }
        server.stubFor(post(urlPathMatching("/ari/bridges/" + CHANNEL + "/addChannel"))
                .willReturn(captured("ari-post-bridge-addchannel.http")));
        liveChannels(List.of());
        liveBridges(List.of());
        applicationsStub = server.stubFor(get(urlPathEqualTo("/ari/applications"))
                .willReturn(captured("ari-get-applications-connected.http")));
        // Catch-all (lowest priority): Asterisk's own 404 for a resource it does not have.
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(captured("ari-get-unknown-resource.http")));
    }

    /** Base URL for {@code ari.url}. */
    public String url() {
        return "http://127.0.0.1:" + server.port() + "/";
    }

    public int port() {
        return server.port();
    }

    /**
     * A mixing bridge's lifecycle as Asterisk keeps it: create gives 200 with the Bridge JSON, then 409 while it
     * exists; destroy gives 204, then 404.
     */
    public void bridgeLifecycle(String bridgeId) {
        String scenario = "bridge " + bridgeId;
        var create = post(urlPathEqualTo("/ari/bridges")).inScenario(scenario)
                .withQueryParam("type", equalTo("mixing")).withQueryParam("bridgeId", equalTo(bridgeId))
                .withQueryParam("name", equalTo(bridgeId));
        server.stubFor(create.whenScenarioStateIs(Scenario.STARTED)
                .willReturn(captured("ari-post-bridges-create.http", CAPTURED_BRIDGE, bridgeId))
                .willSetStateTo("exists"));
        server.stubFor(post(urlPathEqualTo("/ari/bridges")).inScenario(scenario)
                .withQueryParam("bridgeId", equalTo(bridgeId)).whenScenarioStateIs("exists")
                .willReturn(captured("ari-post-bridges-create-duplicate.http", CAPTURED_BRIDGE, bridgeId)));
        server.stubFor(delete(urlPathEqualTo("/ari/bridges/" + bridgeId)).inScenario(scenario)
                .whenScenarioStateIs("exists").willReturn(captured("ari-delete-bridge.http"))
                .willSetStateTo(Scenario.STARTED));
        server.stubFor(delete(urlPathEqualTo("/ari/bridges/" + bridgeId)).inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED).willReturn(captured("ari-delete-bridge-not-found.http")));
    }

    /**
     * What {@code GET /channels} answers from now on: the captured listing ({@code ari-get-channels-1}) with one entry
     * per live channel, ids rewritten; the captured empty listing when there is none.
     */
    public void liveChannels(Collection<String> channelIds) {
        ResponseDefinitionBuilder response;
        if (channelIds.isEmpty()) {
            response = captured("ari-get-channels-empty.http");
        } else {
            String body = AsteriskFixtures.httpResponse("ari-get-channels-1.http").body();
            String entry = body.substring(1, body.length() - 1);
            List<String> entries = new ArrayList<>();
            for (String id : channelIds) {
                entries.add(entry.replace("\"" + CAPTURED_CHANNEL + "\"", "\"" + id + "\""));
            }
            response = captured("ari-get-channels-1.http", body, "[" + String.join(",", entries) + "]");
        }
        if (channelsStub != null) {
            server.removeStubMapping(channelsStub);
        }
        channelsStub = server.stubFor(get(urlPathEqualTo("/ari/channels")).willReturn(response));
    }

    /**
     * What {@code GET /bridges} answers from now on: the captured listing ({@code ari-get-bridges-1}) with one entry
     * per bridge id, ids rewritten; the captured empty listing when there is none.
     */
    public void liveBridges(Collection<String> bridgeIds) {
        ResponseDefinitionBuilder response;
        if (bridgeIds.isEmpty()) {
            response = captured("ari-get-bridges-empty.http");
        } else {
            String body = AsteriskFixtures.httpResponse("ari-get-bridges-1.http").body();
            String entry = body.substring(1, body.length() - 1);
            List<String> entries = new ArrayList<>();
            for (String id : bridgeIds) {
                entries.add(entry.replace("\"" + CAPTURED_BRIDGE + "\"", "\"" + id + "\""));
            }
            response = captured("ari-get-bridges-1.http", body, "[" + String.join(",", entries) + "]");
        }
        if (bridgesStub != null) {
            server.removeStubMapping(bridgesStub);
        }
        bridgesStub = server.stubFor(get(urlPathEqualTo("/ari/bridges")).willReturn(response));
    }

    /**
     * What {@code GET /applications} answers from now on: one entry per application with the channels it owns, built
     * on the captured entry ({@code ari-get-applications-after-replace}: a plain app, no subscriptions); the captured
     * empty listing ({@code ari-get-applications-none-connected}) when none is registered.
     */
    public void registeredApplications(java.util.Map<String, List<String>> channelsByApp) {
        ResponseDefinitionBuilder response;
        if (channelsByApp.isEmpty()) {
            response = captured("ari-get-applications-none-connected.http");
        } else {
            String body = AsteriskFixtures.httpResponse("ari-get-applications-after-replace.http").body();
            String entry = body.substring(1, body.length() - 1);
            List<String> entries = new ArrayList<>();
            channelsByApp.forEach((app, channels) -> entries.add(entry
                    .replace("\"name\":\"Conference\"", "\"name\":\"" + app + "\"")
                    .replace("\"channel_ids\":[]", "\"channel_ids\":[" + String.join(",",
                            channels.stream().map(id -> "\"" + id + "\"").toList()) + "]")));
            response = captured("ari-get-applications-after-replace.http", body, "[" + String.join(",", entries) + "]");
        }
        server.removeStubMapping(applicationsStub);
        applicationsStub = server.stubFor(get(urlPathEqualTo("/ari/applications")).willReturn(response));
    }

    /** Hang-ups of the channel with that {@code reason} that reached the fake. */
    public int hangups(String channelId, String reason) {
        return count(deleteRequestedFor(urlPathEqualTo("/ari/channels/" + channelId))
                .withQueryParam("reason", equalTo(reason)));
    }

    /** Every hang-up of the channel, whatever the reason. */
    public int hangups(String channelId) {
        return count(deleteRequestedFor(urlPathEqualTo("/ari/channels/" + channelId)));
    }

    public int answers(String channelId) {
        return count(postRequestedFor(urlPathEqualTo("/ari/channels/" + channelId + "/answer")));
    }

    public int bridgeCreates(String bridgeId) {
        return count(postRequestedFor(urlPathEqualTo("/ari/bridges")).withQueryParam("bridgeId", equalTo(bridgeId)));
    }

    public int bridgeDestroys(String bridgeId) {
        return count(deleteRequestedFor(urlPathEqualTo("/ari/bridges/" + bridgeId)));
    }

    public int channelAdds(String bridgeId, String channelId) {
        return count(postRequestedFor(urlPathEqualTo("/ari/bridges/" + bridgeId + "/addChannel"))
                .withQueryParam("channel", equalTo(channelId)));
    }

    /** Every request that reached the fake, as {@code METHOD url}, for failure messages. */
    public List<String> journal() {
        List<String> lines = new ArrayList<>();
        server.getAllServeEvents().forEach(e -> lines.add(e.getRequest().getMethod() + " " + e.getRequest().getUrl()
                + " -> " + e.getResponse().getStatus()));
        return lines;
    }

    /**
     * The state-changing requests (not GET) that reached the fake, in order, as {@code METHOD path?sorted-query},
     * to compare with a captured flow.
     */
    public List<String> changes() {
        List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents());
        Collections.reverse(events); // WireMock lists the newest first
        return events.stream().filter(e -> !e.getRequest().getMethod().getName().equals("GET"))
                .map(e -> e.getRequest().getMethod().getName() + " " + normalized(e.getRequest().getUrl())).toList();
    }

    /** {@code /path?b=2&a=1} as {@code /path?a=1&b=2}: query order is the client's choice, not part of ARI. */
    public static String normalized(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        List<String> params = new ArrayList<>(List.of(url.substring(q + 1).split("&")));
        Collections.sort(params);
        return url.substring(0, q) + "?" + String.join("&", params);
    }

    /** Whether the bridge exists in the fake now (created and not destroyed). */
    public boolean bridgeExists(String bridgeId) {
        return server.getAllScenarios().getScenarios().stream().anyMatch(s -> s.getName().equals("bridge " + bridgeId)
                && s.getState().equals("exists"));
    }

    private int count(RequestPatternBuilder pattern) {
        return server.countRequestsMatching(pattern.build()).getCount();
    }

    private static ResponseDefinitionBuilder captured(String fixture) {
        return captured(fixture, null, null);
    }

    private static ResponseDefinitionBuilder captured(String fixture, String capturedId, String id) {
        io.roundhouse.shared.capture.HttpCapture raw = AsteriskFixtures.httpResponse(fixture);
        List<HttpHeader> headers = new ArrayList<>();
        for (String[] header : raw.headers()) {
            if (!DROPPED_HEADERS.contains(header[0].toLowerCase())) {
                headers.add(new HttpHeader(header[0], header[1]));
            }
        }
        ResponseDefinitionBuilder response = WireMock.aResponse().withStatus(raw.status())
                .withStatusMessage(raw.reasonPhrase()).withHeaders(new HttpHeaders(headers));
        if (!raw.body().isEmpty()) {
            response.withBody(capturedId == null ? raw.body() : raw.body().replace(capturedId, id));
        }
        return response;
    }

    @Override
    public void close() {
        server.stop();
    }
}
