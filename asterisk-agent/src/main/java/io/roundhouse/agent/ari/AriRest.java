package io.roundhouse.agent.ari;

import ch.loway.oss.ari4java.ARI;
import ch.loway.oss.ari4java.AriVersion;
import ch.loway.oss.ari4java.tools.RestException;
import ch.loway.oss.ari4java.tools.http.NettyHttpClient;
import java.net.URISyntaxException;
import java.util.List;

/**
 * The ARI REST resources the services call, over ari4java's REST client. Every method blocks until Asterisk answered,
 * so call them from service threads only, never from a Netty event loop or the WebSocket listener.
 * Status codes are those measured on Asterisk 22.10.1 (fixtures {@code ari-post-*}, {@code ari-delete-*}).
 */
public final class AriRest implements AutoCloseable {

    /**
     * Asterisk 22's ARI. Named explicitly: {@code IM_FEELING_LUCKY} would fetch {@code /ari/api-docs/resources.json}
     * at start-up and fail when Asterisk is not up yet; the resources used here have not changed since ARI 1.x.
     */
    static final AriVersion VERSION = AriVersion.ARI_10_0_0;
    private static final int NOT_FOUND = 404;
    private static final int CONFLICT = 409;

    private final NettyHttpClient http;
    private final ARI ari;

    public AriRest(AriSettings settings) {
        http = new NettyHttpClient();
        try {
            http.initialize(settings.url().toString(), settings.username(), settings.password());
        } catch (URISyntaxException e) {
            http.destroy();
            // The URI and its parse error may quote user information: masked as every config message is.
            throw new IllegalArgumentException("ari.url: " + io.roundhouse.shared.config.SecretMask.mask(settings.url()
                    + " (" + e.getMessage() + ")"), e);
        }
        ari = new ARI();
        ari.setHttpClient(http);
        // ari4java refuses every action without a WebSocket client set; its WebSocket is never opened here
        // (AriEventStream owns the events), so the same object is only registered to pass that check.
        ari.setWsClient(http);
        ari.setVersion(VERSION);
    }

    /** {@code POST /channels/{id}/answer} (204). */
    public void answer(String channelId) {
        call("POST /channels/" + channelId + "/answer", () -> ari.channels().answer(channelId).execute());
    }

    /**
     * {@code DELETE /channels/{id}?reason=...} (204). Before answer, Asterisk's PJSIP maps the reason to the SIP final
     * response: {@code congestion} gives 503 with {@code Reason: Q.850;cause=34}, the bounce the router redispatches.
     */
    public void hangup(String channelId, HangupReason reason) {
        call("DELETE /channels/" + channelId + "?reason=" + reason.ariName(),
                () -> ari.channels().hangup(channelId).setReason(reason.ariName()).execute());
    }

    /**
     * {@code POST /bridges?type=mixing&name=B&bridgeId=B}: true when created (200), false when a bridge with that id
     * already exists (409), e.g. left over by a previous agent process.
     */
    public boolean createMixingBridge(String bridgeId) {
        try {
            ari.bridges().create().setType("mixing").setName(bridgeId).setBridgeId(bridgeId).execute();
            return true;
        } catch (RestException e) {
            if (e.getCode() == CONFLICT) {
                return false;
            }
            throw failure("POST /bridges?bridgeId=" + bridgeId, e);
        } catch (RuntimeException e) {
            throw unreachable("POST /bridges?bridgeId=" + bridgeId, e);
        }
    }

    /** {@code POST /bridges/{id}/addChannel?channel=...} (204). */
    public void addChannel(String bridgeId, String channelId) {
        call("POST /bridges/" + bridgeId + "/addChannel?channel=" + channelId,
                () -> ari.bridges().addChannel(bridgeId, channelId).execute());
    }

    /** {@code DELETE /bridges/{id}}: true when destroyed (204), false when it was already gone (404). */
    public boolean destroyBridge(String bridgeId) {
        try {
            ari.bridges().destroy(bridgeId).execute();
            return true;
        } catch (RestException e) {
            if (e.getCode() == NOT_FOUND) {
                return false;
            }
            throw failure("DELETE /bridges/" + bridgeId, e);
        } catch (RuntimeException e) {
            throw unreachable("DELETE /bridges/" + bridgeId, e);
        }
    }

    /** {@code POST /channels/{id}/play?media=...}: starts a playback and returns at once. */
    public void play(String channelId, String media) {
        call("POST /channels/" + channelId + "/play?media=" + media,
                () -> ari.channels().play(channelId, media).execute());
    }

    /** {@code GET /channels}: the ids of every channel Asterisk has now. */
    public List<String> channelIds() {
        try {
            return ari.channels().list().execute().stream().map(c -> c.getId()).toList();
        } catch (RestException e) {
            throw failure("GET /channels", e);
        } catch (RuntimeException e) {
            throw unreachable("GET /channels", e);
        }
    }

    /** {@code GET /bridges}: the ids of every bridge Asterisk has now. */
    public List<String> bridgeIds() {
        try {
            return ari.bridges().list().execute().stream().map(b -> b.getId()).toList();
        } catch (RestException e) {
            throw failure("GET /bridges", e);
        } catch (RuntimeException e) {
            throw unreachable("GET /bridges", e);
        }
    }

    /** An application Asterisk lists as registered, with the channels it owns now. */
    public record RegisteredApp(String name, int channels) {
    }

    /** {@code GET /applications}: the names of the applications Asterisk has registered now. */
    public List<String> applications() {
        return registeredApps().stream().map(RegisteredApp::name).toList();
    }

    /**
     * {@code GET /applications}: the applications Asterisk has registered now (a WebSocket is connected for them),
     * with the number of channels each owns ({@code channel_ids}; a subscribe-all app lists topic names there, which
     * are not channels and are not counted).
     */
    public List<RegisteredApp> registeredApps() {
        try {
            return ari.applications().list().execute().stream().map(a -> new RegisteredApp(a.getName(),
                    a.getChannel_ids() == null ? 0 : (int) a.getChannel_ids().stream()
                            .filter(id -> !id.startsWith("__AST_")).count())).toList();
        } catch (RestException e) {
            throw failure("GET /applications", e);
        } catch (RuntimeException e) {
            throw unreachable("GET /applications", e);
        }
    }

    @Override
    public void close() {
        http.destroy();
    }

    private interface Request {
        void run() throws RestException;
    }

    private static void call(String what, Request request) {
        try {
            request.run();
        } catch (RestException e) {
            throw failure(what, e);
        } catch (RuntimeException e) {
            throw unreachable(what, e);
        }
    }

    private static AriRequestException failure(String what, RestException e) {
        // ari4java reports a connect failure as a RestException without a status code.
        return new AriRequestException(what, Math.max(e.getCode(), 0), e.getMessage(), e);
    }

    private static AriRequestException unreachable(String what, RuntimeException e) {
        return new AriRequestException(what, 0, e.toString(), e);
    }
}
