package io.roundhouse.sim.ari;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.roundhouse.sim.capture.Captures;
import io.roundhouse.sim.node.Channel;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;

/**
 * ARI JSON (event frames and REST bodies) built from the captured ones: the captured object keeps its shape and key
 * order, and only the ids, names, state, arguments and times are set from the simulated channel or bridge.
 */
public final class AriFrames {

    /** Asterisk's timestamp format, e.g. {@code 2026-11-23T13:16:02.470+0000}. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CONFERENCE = Captures.eventFrames("ari-events-conference.jsonl");
    private static final List<String> BOUNCE = Captures.eventFrames("ari-events-bounce-congestion.jsonl");
    private static final String REPLACED = Captures.eventFrames("ari-events-application-replaced.first-ws.jsonl").get(0);
    private static final JsonNode CHANNEL = Captures.json(Captures.http("ari-get-channel.http").body());
    private static final JsonNode BRIDGE = Captures.json(Captures.http("ari-post-bridges-create.http").body());
    private static final JsonNode APPLICATION = Captures.json(Captures.http("ari-get-application-conference.http").body());

    private AriFrames() {
    }

    /** {@code StasisStart}: the channel enters its application, with its arguments. */
    public static String stasisStart(Channel channel) {
        ObjectNode frame = event("StasisStart", channel);
        ArrayNode args = frame.putArray("args");
        channel.args().forEach(args::add);
        return frame.toString();
    }

    public static String channelStateChange(Channel channel) {
        return event("ChannelStateChange", channel).toString();
    }

    public static String channelEnteredBridge(Channel channel, String bridgeId, Collection<String> members) {
        ObjectNode frame = event("ChannelEnteredBridge", channel);
        frame.set("bridge", bridge(bridgeId, members, Instant.now()));
        return frame.toString();
    }

    public static String channelLeftBridge(Channel channel, String bridgeId, Collection<String> members) {
        ObjectNode frame = event("ChannelLeftBridge", channel);
        frame.set("bridge", bridge(bridgeId, members, Instant.now()));
        return frame.toString();
    }

    /** {@code ChannelHangupRequest}; a hang-up asked over ARI is "soft" (cause 32 is that flag, not Q.850). */
    public static String channelHangupRequest(Channel channel, boolean soft) {
        ObjectNode frame = (ObjectNode) parse(soft ? ofType(BOUNCE, "ChannelHangupRequest")
                : ofType(CONFERENCE, "ChannelHangupRequest"));
        stamp(frame, channel);
        return frame.toString();
    }

    public static String stasisEnd(Channel channel) {
        return event("StasisEnd", channel).toString();
    }

    public static String applicationReplaced(String app) {
        ObjectNode frame = (ObjectNode) parse(REPLACED);
        frame.put("timestamp", TIME.format(Instant.now()));
        frame.put("application", app);
        return frame.toString();
    }

    /** The Channel model ({@code GET /channels/{id}}). */
    public static ObjectNode channel(Channel channel) {
        ObjectNode json = CHANNEL.deepCopy();
        json.put("id", channel.id());
        json.put("name", channel.name());
        json.put("state", channel.answered() ? "Up" : "Ring");
        json.put("protocol_id", channel.callId());
        ObjectNode dialplan = (ObjectNode) json.get("dialplan");
        dialplan.put("exten", channel.exten());
        dialplan.put("app_data", channel.app() + "," + String.join(",", channel.args()));
        json.put("creationtime", TIME.format(channel.created()));
        return json;
    }

    /** The Bridge model, as {@code POST /bridges} answers it. */
    public static ObjectNode bridge(String bridgeId, Collection<String> members, Instant created) {
        ObjectNode json = BRIDGE.deepCopy();
        json.put("id", bridgeId);
        json.put("name", bridgeId);
        ArrayNode channels = json.putArray("channels");
        members.forEach(channels::add);
        json.put("creationtime", TIME.format(created));
        return json;
    }

    /** The Application model ({@code GET /applications}). */
    public static ObjectNode application(String name) {
        ObjectNode json = APPLICATION.deepCopy();
        json.put("name", name);
        return json;
    }

    public static String array(Collection<? extends JsonNode> items) {
        ArrayNode array = JSON.createArrayNode();
        array.addAll(items.stream().map(JsonNode.class::cast).toList());
        return array.toString();
    }

    private static ObjectNode event(String type, Channel channel) {
        ObjectNode frame = (ObjectNode) parse(ofType(CONFERENCE, type));
        stamp(frame, channel);
        return frame;
    }

    private static void stamp(ObjectNode frame, Channel channel) {
        frame.put("timestamp", TIME.format(Instant.now()));
        frame.set("channel", channel(channel));
        frame.put("application", channel.app());
    }

    private static String ofType(List<String> frames, String type) {
        return frames.stream().filter(f -> f.contains("\"type\":\"" + type + "\"")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + type + " in the captured frames"));
    }

    private static JsonNode parse(String json) {
        return Captures.json(json);
    }
}
