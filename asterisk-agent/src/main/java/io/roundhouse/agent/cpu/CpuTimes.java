package io.roundhouse.agent.cpu;

/**
 * Cumulative CPU time counters, in clock ticks (USER_HZ), as the kernel reports them.
 *
 * @param total all ticks counted (host: every state of every CPU; process: its user + system time)
 * @param idle  ticks spent idle or waiting for I/O (host only; 0 for a process)
 */
public record CpuTimes(long total, long idle) {
}
