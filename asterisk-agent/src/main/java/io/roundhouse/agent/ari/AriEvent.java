package io.roundhouse.agent.ari;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * One ARI WebSocket event, reduced to what the services act on. Field names follow Asterisk's ARI event model
 * ({@code type}, {@code application}, {@code channel.id}, {@code channel.state}, {@code args}, {@code bridge.id}).
 *
 * @param type        event type, e.g. {@code StasisStart}, {@code StasisEnd}, {@code ChannelLeftBridge}
 * @param application the Stasis application the event is for (absent on a few global events: empty)
 * @param channelId   {@code channel.id}, or empty when the event has no channel
 * @param channelState {@code channel.state} ({@code Ring}, {@code Up}, ...), or empty
 * @param args        {@code args} of a StasisStart (the data after the application name in {@code Stasis()})
 * @param bridgeId    {@code bridge.id}, or empty when the event has no bridge
 */
public record AriEvent(String type, String application, String channelId, String channelState, List<String> args,
                       String bridgeId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public AriEvent {
        args = List.copyOf(args);
    }

    /**
     * Parses one text frame. A frame that is not a JSON object with a {@code type} is bad input from the peer:
     * {@link IllegalArgumentException} naming the defect, which the caller logs and drops.
     */
    public static AriEvent parse(String frame) {
        JsonNode node;
        try {
            node = JSON.readTree(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("ARI event: not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (node == null || !node.isObject() || !node.path("type").isTextual()) {
            throw new IllegalArgumentException("ARI event: no \"type\" (expected: a JSON object with a type)");
        }
        List<String> args = new ArrayList<>();
        for (JsonNode arg : node.path("args")) {
            args.add(arg.asText());
        }
        return new AriEvent(node.get("type").asText(), node.path("application").asText(""),
                node.path("channel").path("id").asText(""), node.path("channel").path("state").asText(""), args,
                node.path("bridge").path("id").asText(""));
    }
}
