package io.roundhouse.agent.fakes.ari;

import java.net.URI;

/**
 * A fake Asterisk HTTP server for ARI on one loopback port, as the real one: the event WebSocket
 * ({@link FakeAriWebSocket}) and the REST resources ({@link FakeAriRest}, WireMock, reached through a byte relay).
 */
public final class FakeAsterisk implements AutoCloseable {

    private final FakeAriRest rest = new FakeAriRest();
    private final FakeAriWebSocket events = new FakeAriWebSocket(FakeAriRest.USER, FakeAriRest.PASSWORD, rest.port());

    public FakeAriRest rest() {
        return rest;
    }

    public FakeAriWebSocket events() {
        return events;
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
