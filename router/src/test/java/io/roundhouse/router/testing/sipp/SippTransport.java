package io.roundhouse.router.testing.sipp;

/** The transport sipp uses towards its peer, as its {@code -t} option names it (one socket for all calls). */
public enum SippTransport {
    UDP("u1"),
    TCP("t1");

    private final String option;

    SippTransport(String option) {
        this.option = option;
    }

    String option() {
        return option;
    }
}
