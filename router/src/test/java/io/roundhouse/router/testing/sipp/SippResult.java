package io.roundhouse.router.testing.sipp;

import java.util.Map;

/**
 * What one sipp run ended with, read from its final statistics line ({@code -trace_stat}) and its exit code.
 *
 * @param exitCode        sipp's exit code (0: every call succeeded, 1: some failed, 99: no call processed), or -1
 *                        when it had to be killed
 * @param successfulCalls the cumulative {@code SuccessfulCall(C)} counter
 * @param failedCalls     the cumulative {@code FailedCall(C)} counter
 * @param failureReasons  the non-zero cumulative {@code Failed*} counters by name, e.g. {@code FailedUnexpectedMessage}
 * @param killed          true when sipp overran its time bound and was killed
 * @param diagnostics     the head of sipp's error log and screen, for assertion messages
 */
public record SippResult(int exitCode, long successfulCalls, long failedCalls, Map<String, Long> failureReasons,
                         boolean killed, String diagnostics) {

    public SippResult {
        failureReasons = Map.copyOf(failureReasons);
    }

    @Override
    public String toString() {
        return "sipp exit=" + exitCode + " successful=" + successfulCalls + " failed=" + failedCalls
                + " reasons=" + failureReasons + (killed ? " KILLED" : "") + "\n" + diagnostics;
    }
}
