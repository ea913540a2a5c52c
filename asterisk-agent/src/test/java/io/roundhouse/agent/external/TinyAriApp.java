package io.roundhouse.agent.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * An operator's own Stasis application in 60 lines of plain JDK, as a farm would write one in any language: it
 * registers itself over ARI's event WebSocket ({@code GET /ari/events?app=<name>}) and answers every call that enters
 * it ({@code POST /ari/channels/<id>/answer}). The agent never talks to it; it only sees Asterisk list it.
 */
public final class TinyAriApp implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final URI ari;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final WebSocket socket;

    /** Connects and registers {@code name}; returns once Asterisk accepted the WebSocket. */
    public TinyAriApp(URI ari, String user, String password, String name) throws Exception {
        this.name = name;
        this.ari = ari;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        URI events = URI.create("ws://" + ari.getHost() + ":" + ari.getPort() + "/ari/events?app=" + name);
        socket = http.newWebSocketBuilder().header("Authorization", authorization)
                .buildAsync(events, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            onEvent(text.toString());
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
    }

    private void onEvent(String frame) {
        try {
            JsonNode event = JSON.readTree(frame);
            if (event.path("type").asText().equals("StasisStart") && event.path("application").asText().equals(name)) {
                String channel = event.path("channel").path("id").asText();
                http.send(HttpRequest.newBuilder(ari.resolve("ari/channels/" + channel + "/answer"))
                        .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        } catch (IOException e) {
            throw new IllegalStateException(name + ": bad event " + frame, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        socket.abort(); // as a crashed app would: Asterisk unregisters it when the socket goes
    }
}
