package io.roundhouse.agent.services;

import io.roundhouse.agent.ari.AriRest;
import io.roundhouse.agent.ari.HangupReason;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One channel in a Stasis application, from {@code StasisStart} to {@code StasisEnd}. Its callbacks run one after the
 * other on the host's workers (a {@code StasisEnd} that arrives during admission waits for it).
 */
public final class Call {

    private final String channelId;
    private final String application;
    private final List<String> args;
    private final AriRest rest;
    private volatile boolean answered;
    private volatile boolean ended;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null); // guarded by this

    public Call(String channelId, String application, List<String> args, AriRest rest) {
        this.channelId = channelId;
        this.application = application;
        this.args = List.copyOf(args);
        this.rest = rest;
    }

    public String channelId() {
        return channelId;
    }

    public String application() {
        return application;
    }

    /** The Stasis arguments: {@code X-Exec-App-Data}, split by Asterisk on commas. */
    public List<String> args() {
        return args;
    }

    /** The first argument (a Conference's room), or empty. */
    public String data() {
        return args.isEmpty() ? "" : args.get(0);
    }

    /** Answers the channel ({@code POST /channels/{id}/answer}). */
    public void answer() {
        rest.answer(channelId);
        answered = true;
    }

    /** Hangs the channel up with the reason; before answer the reason picks the SIP response (see HangupReason). */
    public void hangup(HangupReason reason) {
        rest.hangup(channelId, reason);
    }

    public boolean answered() {
        return answered;
    }

    /** True once {@code StasisEnd} arrived: the channel has left the application. */
    public boolean ended() {
        return ended;
    }

    void markEnded() {
        ended = true;
    }

    /** Runs the step after the previous steps of this call, on the executor. */
    synchronized CompletableFuture<Void> then(Runnable step, Executor executor) {
        tail = tail.thenRunAsync(step, executor);
        return tail;
    }

    @Override
    public String toString() {
        return application + "(" + String.join(",", args) + ") on channel " + channelId;
    }
}
