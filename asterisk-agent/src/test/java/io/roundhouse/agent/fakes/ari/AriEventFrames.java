package io.roundhouse.agent.fakes.ari;

import java.util.List;

/**
 * ARI event frames for test scenarios, taken from the captures and rewritten only in their ids: the channel id, the
 * room (Stasis argument, dialplan app_data, bridge id) and the application name. Never hand-written JSON.
 */
public final class AriEventFrames {

    /** Ids as captured in ari-events-conference.jsonl. */
    private static final String CAPTURED_CHANNEL = "1795439762.9";
    private static final String CAPTURED_ROOM = "1000";
    private static final List<String> CONFERENCE = AsteriskFixtures.eventFrames("ari-events-conference.jsonl");
    private static final List<String> REPLACED =
            AsteriskFixtures.eventFrames("ari-events-application-replaced.first-ws.jsonl");

    private AriEventFrames() {
    }

    /** {@code StasisStart} of a channel entering {@code app} with data {@code room} (state Ring, before answer). */
    public static String stasisStart(String app, String channelId, String room) {
        return rewrite(ofType("StasisStart"), app, channelId, room);
    }

    /** {@code StasisEnd} of that channel. */
    public static String stasisEnd(String app, String channelId, String room) {
        return rewrite(ofType("StasisEnd"), app, channelId, room);
    }

    /** {@code ChannelLeftBridge} of that channel from {@code conf-<room>}. */
    public static String channelLeftBridge(String app, String channelId, String room) {
        return rewrite(ofType("ChannelLeftBridge"), app, channelId, room);
    }

    /** {@code ApplicationReplaced} for {@code app}, as sent to the first of two WebSockets. */
    public static String applicationReplaced(String app) {
        return REPLACED.get(0).replace("\"application\":\"Conference\"", "\"application\":\"" + app + "\"");
    }

    private static String ofType(String type) {
        return CONFERENCE.stream().filter(f -> f.contains("\"type\":\"" + type + "\"")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + type + " in ari-events-conference.jsonl"));
    }

    private static String rewrite(String frame, String app, String channelId, String room) {
        return frame
                .replace("\"" + CAPTURED_CHANNEL + "\"", "\"" + channelId + "\"")
                .replace("\"args\":[\"" + CAPTURED_ROOM + "\"]", "\"args\":[\"" + room.replace(",", "\",\"") + "\"]")
                .replace("\"app_data\":\"Conference," + CAPTURED_ROOM + "\"", "\"app_data\":\"" + app + "," + room + "\"")
                .replace("\"conf-" + CAPTURED_ROOM + "\"", "\"conf-" + room + "\"")
                .replace("\"application\":\"Conference\"", "\"application\":\"" + app + "\"");
    }
}
