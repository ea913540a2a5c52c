package io.roundhouse.router.reload;

import java.util.List;

/**
 * What a reload did: applied (with what changed), unchanged, or refused (with the reason; the running config stays).
 *
 * @param outcome what happened
 * @param changes what changed, one line per key ({@code nodes.asterisk-3: added}); empty unless applied
 * @param reason  why the reload was refused, or empty
 */
public record ReloadResult(Outcome outcome, List<String> changes, String reason) {

    /** What a reload did. */
    public enum Outcome { APPLIED, UNCHANGED, REFUSED }

    public ReloadResult {
        changes = List.copyOf(changes);
    }

    static ReloadResult applied(List<String> changes) {
        return new ReloadResult(Outcome.APPLIED, changes, "");
    }

    static ReloadResult unchanged() {
        return new ReloadResult(Outcome.UNCHANGED, List.of(), "");
    }

    static ReloadResult refused(String reason) {
        return new ReloadResult(Outcome.REFUSED, List.of(), reason);
    }

    /** True unless refused. */
    public boolean accepted() {
        return outcome != Outcome.REFUSED;
    }

    @Override
    public String toString() {
        return switch (outcome) {
            case APPLIED -> "applied: " + String.join("; ", changes);
            case UNCHANGED -> "unchanged";
            case REFUSED -> "refused: " + reason;
        };
    }
}
