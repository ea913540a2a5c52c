package io.roundhouse.agent.admission;

/** Outcome of an admission check, with the reason for logs (e.g. {@code cpu 91.0 >= new-room-max-cpu 80.0}). */
public record Decision(boolean admitted, String reason) {

    static Decision admit(String reason) {
        return new Decision(true, reason);
    }

    static Decision refuse(String reason) {
        return new Decision(false, reason);
    }
}
