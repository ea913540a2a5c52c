package io.roundhouse.agent.ami;

/** Asterisk answered an action with an error the agent cannot work around. */
public final class AmiActionException extends Exception {

    public AmiActionException(String action, String message) {
        super(action + ": " + message);
    }
}
