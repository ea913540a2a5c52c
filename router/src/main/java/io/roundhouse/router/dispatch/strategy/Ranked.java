package io.roundhouse.router.dispatch.strategy;

/**
 * A candidate with the score that placed it, for the decision log. What the score means depends on the strategy
 * ({@link Strategy#scoreMeaning()}).
 */
public record Ranked(Candidate candidate, double score) {

    public String nodeId() {
        return candidate.nodeId();
    }
}
