package io.roundhouse.cli;

/** A failure the operator must read: printed as one line, without a stack trace, with its exit status. */
final class CliException extends RuntimeException {

    /**
     * Exit statuses: 1 the farm could not be reached or refused, 2 a usage error, 3 the node is unknown, 4 the token
     * is missing or wrong.
     */
    static final int UNREACHABLE = 1;
    static final int USAGE = 2;
    static final int UNKNOWN_NODE = 3;
    static final int AUTH = 4;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
