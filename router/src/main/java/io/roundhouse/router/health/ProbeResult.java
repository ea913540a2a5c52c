package io.roundhouse.router.health;

import java.time.Duration;

/**
 * A node's latest OPTIONS probe that ended (answered or missed), as operators see it (the admin API, the status page).
 *
 * @param age     how long ago it ended
 * @param good    a usable reply came (any status but 408)
 * @param status  the reply's status; 0 when none came (no reply in time, send failure)
 * @param latency from sending the OPTIONS to its reply; null when none came
 * @param detail  what happened, for people: {@code status 200}, {@code no reply within 2000ms}, {@code send failed: ...}
 */
public record ProbeResult(Duration age, boolean good, int status, Duration latency, String detail) {}
