package io.roundhouse.agent.state;

import java.util.Map;
import java.util.Set;

/**
 * What the agent's hands (ARI and the Stasis services) contribute to the published node state. Thread-safe, never
 * blocks.
 */
public interface ServiceReadiness {

    /** Stasis applications registered over ARI right now (empty while the ARI connection is down). */
    Set<String> registeredApps();

    /** Conference rooms this node hosts, with their participant counts. */
    Map<String, Integer> rooms();

    /** Services (by name) that take new calls now, per their admission thresholds. */
    Set<String> acceptingServices();
}
