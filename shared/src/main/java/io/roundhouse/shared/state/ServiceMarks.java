package io.roundhouse.shared.state;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * "Full" marks: a node that bounced a call of a service with 503 and Retry-After is marked full for that service for
 * that long, so that every router stops offering it new calls of the service without marking the node down.
 */
public interface ServiceMarks {

    void markFull(String nodeId, String service, Duration duration);

    /** The services the node is marked full for now. */
    Set<String> fullServices(String nodeId);

    /** Node id to the services it is marked full for, over all nodes. */
    Map<String, Set<String>> readAll();
}
