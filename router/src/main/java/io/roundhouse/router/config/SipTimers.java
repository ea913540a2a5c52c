package io.roundhouse.router.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.shared.config.ConfigException;
import java.time.Duration;
import java.util.Map;

/**
 * RFC 3261 §17 timer values ({@code sip.timers}). Timers A, E, G derive from T1/T2; H, J and L are 64*T1 and I, K are
 * T4 (on UDP; 0 on TCP).
 *
 * @param t1              RTT estimate (default 500 ms)
 * @param t2              maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s)
 * @param t4              maximum time a message stays in the network (default 5 s)
 * @param timerB          INVITE client transaction timeout (default 64*T1)
 * @param timerF          non-INVITE client transaction timeout (default 64*T1)
 * @param timerC          proxy INVITE transaction timeout after a provisional response (default 180 s, §16.6 item 11)
 * @param timerD          wait time for response retransmissions in the INVITE client Completed state (default
 *                        max(32 s, 64*T1))
 * @param failoverTimeout time after which an INVITE branch that received no response at all (not even 100) is
 *                        abandoned and the next node tried (default 2 s)
 */
public record SipTimers(Duration t1, Duration t2, Duration t4, Duration timerB, Duration timerF, Duration timerC,
                        Duration timerD, Duration failoverTimeout) {

    public static final Duration DEFAULT_T1 = Duration.ofMillis(500);
    public static final Duration DEFAULT_T2 = Duration.ofSeconds(4);
    public static final Duration DEFAULT_T4 = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMER_C = Duration.ofSeconds(180);
    public static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofSeconds(2);

    public SipTimers {
        if (t1.isZero()) {
            throw new ConfigException("t1", "0 (expected: a positive duration, default 500ms)");
        }
        if (t2.compareTo(t1) < 0) {
            throw new ConfigException("t2", t2.toMillis() + "ms is less than t1 " + t1.toMillis() + "ms");
        }
        for (var e : Map.of("timer-b", timerB, "timer-f", timerF, "timer-c", timerC, "failover-timeout",
                failoverTimeout).entrySet()) {
            if (e.getValue().isZero()) {
                throw new ConfigException(e.getKey(), "0 (expected: a positive duration)");
            }
        }
    }

    /** The {@code sip.timers} block: absent timers take their RFC 3261 defaults, derived from the given T1. */
    @JsonCreator
    static SipTimers bind(@JsonProperty("t1") Duration t1, @JsonProperty("t2") Duration t2,
                          @JsonProperty("t4") Duration t4, @JsonProperty("timer-b") Duration timerB,
                          @JsonProperty("timer-f") Duration timerF, @JsonProperty("timer-c") Duration timerC,
                          @JsonProperty("timer-d") Duration timerD,
                          @JsonProperty("failover-timeout") Duration failoverTimeout) {
        SipTimers base = withT1(or(t1, DEFAULT_T1), or(t2, DEFAULT_T2), or(t4, DEFAULT_T4));
        return new SipTimers(base.t1, base.t2, base.t4, or(timerB, base.timerB), or(timerF, base.timerF),
                or(timerC, base.timerC), or(timerD, base.timerD), or(failoverTimeout, base.failoverTimeout));
    }

    private static Duration or(Duration value, Duration defaultValue) {
        return value == null ? defaultValue : value;
    }

    /** RFC 3261 defaults. */
    public static SipTimers defaults() {
        return withT1(DEFAULT_T1, DEFAULT_T2, DEFAULT_T4);
    }

    /** Values derived from T1/T2/T4 as RFC 3261 Table 4 does, other timers at their defaults. */
    public static SipTimers withT1(Duration t1, Duration t2, Duration t4) {
        Duration sixtyFour = t1.multipliedBy(64);
        Duration d = sixtyFour.compareTo(Duration.ofSeconds(32)) > 0 ? sixtyFour : Duration.ofSeconds(32);
        return new SipTimers(t1, t2, t4, sixtyFour, sixtyFour, DEFAULT_TIMER_C, d, DEFAULT_FAILOVER_TIMEOUT);
    }

    /** Timers H, J and L: 64*T1. */
    public Duration sixtyFourT1() {
        return t1.multipliedBy(64);
    }
}
