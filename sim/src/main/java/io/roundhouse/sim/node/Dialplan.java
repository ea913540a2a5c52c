package io.roundhouse.sim.node;

import io.roundhouse.sim.sip.SipMessage;
import io.roundhouse.sim.sip.SipUri;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What {@code asterisk-conf/extensions.conf} does with a call from the router, for a simulated node: the
 * {@code [from-router]} patterns {@code _X.}, {@code _+X.} and {@code _[a-zA-Z].} (two characters or more), then
 * {@code [roundhouse-stasis]}: no X-Exec-App is Hangup(21); otherwise Stasis(app, data) with
 * {@code placement=<key>} appended when X-Exec-App-Placement is present. Whether the application is registered is the
 * node's business (it knows its ARI WebSockets).
 */
public final class Dialplan {

    /** {@code _X.}, {@code _+X.}, {@code _[a-zA-Z].}: a leading digit, '+digit' or letter, then one or more of anything. */
    private static final Pattern EXTENSION = Pattern.compile("(?:[0-9]|\\+[0-9]|[a-zA-Z]).+");
    /** The beginning of an extension (overlap dialing): Asterisk answers 484 Address Incomplete. */
    private static final Pattern PREFIX = Pattern.compile("[0-9a-zA-Z+]|\\+[0-9]");

    /** Where the dialplan sends a call. */
    public sealed interface Route {
    }

    /** No extension matches the Request-URI user: 404. */
    public record NoExtension() implements Route {
    }

    /** The user could still become an extension (one letter or digit, {@code +5}): 484. */
    public record Incomplete() implements Route {
    }

    /** No X-Exec-App: Hangup(21), 403. */
    public record NoApplication() implements Route {
    }

    /** Stasis(app, args...). */
    public record Stasis(String app, List<String> args) implements Route {
        public Stasis {
            args = List.copyOf(args);
        }
    }

    private Dialplan() {
    }

    /** Whether the user part matches an extension of {@code [from-router]} (OPTIONS answers 200 or 404 on it). */
    public static boolean hasExtension(String user) {
        return EXTENSION.matcher(user).matches();
    }

    public static Route route(SipMessage invite) {
        String user = SipUri.parse(invite.requestUri()).user();
        if (PREFIX.matcher(user).matches()) {
            return new Incomplete();
        }
        if (!hasExtension(user)) {
            return new NoExtension();
        }
        String app = invite.value("X-Exec-App");
        if (app.isEmpty()) {
            return new NoApplication();
        }
        String data = invite.value("X-Exec-App-Data");
        String placement = invite.value("X-Exec-App-Placement");
        if (!placement.isEmpty()) {
            data = data + ",placement=" + placement;
        }
        // Stasis() splits its data on commas into arguments; an empty data gives no argument.
        List<String> args = data.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(data.split(",", -1)));
        return new Stasis(app, args);
    }
}
