package io.roundhouse.router.dispatch;

import java.time.Duration;
import java.util.Optional;

/**
 * Why an attempt on a node failed, as the proxy's client transaction saw it.
 *
 * @param statusCode the final response status, or 0 for a local timeout / transport error
 * @param retryAfter the response's Retry-After, when present
 */
public record AttemptOutcome(int statusCode, Optional<Duration> retryAfter) {

    public static AttemptOutcome timeout() {
        return new AttemptOutcome(0, Optional.empty());
    }

    public boolean isTimeout() {
        return statusCode == 0;
    }
}
