package io.roundhouse.router.dispatch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * Which router wrote a decision line, so that the shared list in Redis tells the routers of a farm apart:
 * {@code ROUNDHOUSE_ROUTER_ID} from the environment, else {@code <hostname>-<pid>} (two routers on one host differ).
 */
public final class RouterId {

    /** The environment variable naming this router. */
    public static final String ENV = "ROUNDHOUSE_ROUTER_ID";

    private RouterId() {
    }

    public static String current() {
        return of(System.getenv(), ProcessHandle.current().pid());
    }

    static String of(Map<String, String> env, long pid) {
        String configured = env.get(ENV);
        if (configured != null && !configured.isBlank()) {
            return word(configured.strip());
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "router";
        }
        return word(host) + "-" + pid;
    }

    /** A decision line is split on spaces and '=': the id must be one word. */
    private static String word(String s) {
        return s.replaceAll("[\\s=\"\\[\\],]", "_");
    }
}
