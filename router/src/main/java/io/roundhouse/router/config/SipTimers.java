package io.roundhouse.router.config;

import java.time.Duration;

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
