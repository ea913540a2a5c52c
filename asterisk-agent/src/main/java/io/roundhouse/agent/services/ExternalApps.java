package io.roundhouse.agent.services;

import io.roundhouse.agent.admission.Admission;
import io.roundhouse.agent.ari.AriRest.RegisteredApp;
import io.roundhouse.agent.state.StateChangeListener;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' own Stasis applications (an IVR, a queue, a recorder, written in any language against ARI): those
 * of the allow-list ({@code ari.external-apps}) that Asterisk lists as registered right now ({@code GET
 * /applications}, which lists an application while a WebSocket is connected for it), polled every
 * {@code ari.applications-poll} off any hot path. The node advertises such an app in {@code apps} while it is listed,
 * and in {@code accepting} while the node is under the app's admission thresholds ({@code services.<app>}), counting
 * the channels the app owns now as its participants. The agent never touches their calls: the app answers them.
 *
 * <p>When the listing fails (ARI down), no external app is advertised: an app the agent cannot see is not one the
 * node can be trusted to run. Thread-safe: {@link #poll()} runs on one thread, readers anywhere.
 */
final class ExternalApps {

    private static final Logger log = LoggerFactory.getLogger(ExternalApps.class);

    private final List<String> allowed;
    private final Map<String, Admission> admissions;
    private final Supplier<List<RegisteredApp>> listing;
    private final StateChangeListener changes;
    private volatile Map<String, Integer> connected = Map.of(); // app -> channels it owns
    private String lastFailure; // poll thread only

    /**
     * @param allowed    the allow-list, in configuration order
     * @param admissions the admission of each allowed app (its thresholds)
     * @param listing    {@code GET /applications}; throws when ARI does not answer
     */
    ExternalApps(List<String> allowed, Map<String, Admission> admissions, Supplier<List<RegisteredApp>> listing,
                 StateChangeListener changes) {
        this.allowed = List.copyOf(allowed);
        this.admissions = Map.copyOf(admissions);
        this.listing = listing;
        this.changes = changes;
    }

    /** One poll: reads the listing, keeps the allowed apps, tells the publisher when the set changed. */
    void poll() {
        Map<String, Integer> now = new HashMap<>();
        try {
            for (RegisteredApp app : listing.get()) {
                if (allowed.contains(app.name())) {
                    now.put(app.name(), app.channels());
                }
            }
            if (lastFailure != null) {
                log.info("ARI: applications listed again");
                lastFailure = null;
            }
        } catch (RuntimeException e) {
            if (!e.toString().equals(lastFailure)) {
                lastFailure = e.toString();
                log.warn("ARI: cannot list applications ({}); advertising no external application until it answers",
                        e.getMessage());
            }
            now = Map.of();
        }
        Map<String, Integer> before = connected;
        connected = Map.copyOf(now);
        if (!before.keySet().equals(now.keySet())) {
            Set<String> gone = new HashSet<>(before.keySet());
            gone.removeAll(now.keySet());
            Set<String> came = new HashSet<>(now.keySet());
            came.removeAll(before.keySet());
            log.info("external applications connected now: {} (new: {}, gone: {})", now.keySet(), came, gone);
        }
        if (!before.equals(now)) {
            changes.stateChanged();
        }
    }

    /** The admission of each allowed application, whose thresholds a reload replaces. */
    Map<String, Admission> admissions() {
        return admissions;
    }

    /** The allowed applications Asterisk listed at the last poll. */
    Set<String> connected() {
        return connected.keySet();
    }

    /** The connected ones the node takes new calls for now, per their thresholds. */
    Set<String> accepting() {
        Set<String> accepting = new HashSet<>();
        connected.forEach((app, channels) -> {
            if (admissions.get(app).newWork(channels).admitted()) {
                accepting.add(app);
            }
        });
        return Set.copyOf(accepting);
    }
}
