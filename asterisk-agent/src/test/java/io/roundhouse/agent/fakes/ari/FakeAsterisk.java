package io.roundhouse.agent.fakes.ari;

import io.roundhouse.agent.ari.AriEvent;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A fake Asterisk HTTP server for ARI on one loopback port, as the real one: the event WebSocket
 * ({@link FakeAriWebSocket}) and the REST resources ({@link FakeAriRest}, WireMock, reached through a byte relay).
 */
public final class FakeAsterisk implements AutoCloseable {

    private final FakeAriRest rest = new FakeAriRest();
    private final Set<String> live = new LinkedHashSet<>();
    private final FakeAriWebSocket events = new FakeAriWebSocket(FakeAriRest.USER, FakeAriRest.PASSWORD, rest.port());

    /** {@code GET /applications} lists the applications whose WebSocket is connected, as Asterisk does. */
    public FakeAsterisk() {
        rest.registeredApplications(java.util.Map.of());
        events.onRegisteredChanged(apps -> {
            java.util.Map<String, java.util.List<String>> listing = new java.util.TreeMap<>();
            apps.forEach(app -> listing.put(app, java.util.List.of()));
            rest.registeredApplications(listing);
        });
    }

    public FakeAriRest rest() {
        return rest;
    }

    public FakeAriWebSocket events() {
        return events;
    }

    /**
     * Sends an event frame and keeps the channel listing true to it: a channel exists from its StasisStart to its
     * StasisEnd, as in Asterisk (the REST listing and the events must not contradict each other).
     */
    public synchronized void send(String frame) {
        AriEvent event = AriEvent.parse(frame);
        if (event.type().equals("StasisStart")) {
            live.add(event.channelId());
            rest.liveChannels(live);
        } else if (event.type().equals("StasisEnd")) {
            live.remove(event.channelId());
            rest.liveChannels(live);
        }
        events.send(frame);
    }

    /** The channel is gone without this agent hearing of it (e.g. the caller hung up while the WebSocket was down). */
    public synchronized void channelGone(String channelId) {
        live.remove(channelId);
        rest.liveChannels(live);
    }

    /** {@code ari.url} of this fake. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + events.port() + "/");
    }

    @Override
    public void close() {
        events.close();
        rest.close();
    }
}
