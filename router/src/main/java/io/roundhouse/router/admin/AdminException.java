package io.roundhouse.router.admin;

/** A request the admin API refuses: its HTTP status and a message for the operator (never a stack trace). */
public class AdminException extends RuntimeException {

    private final int status;

    public AdminException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
