package io.roundhouse.agent.ari;

/** An ARI REST request that failed: the HTTP status (0 when Asterisk could not be reached) and Asterisk's message. */
public final class AriRequestException extends RuntimeException {

    private final int status;

    public AriRequestException(String request, int status, String message, Throwable cause) {
        super(request + ": " + (status == 0 ? "no answer" : "HTTP " + status) + " (" + message + ")", cause);
        this.status = status;
    }

    /** HTTP status code, or 0 when there was no HTTP answer. */
    public int status() {
        return status;
    }
}
