package io.roundhouse.router.dispatch;

/**
 * What one service's dispatch would make of one node of its pool now, for operators: the node's score when it could
 * take a new call, otherwise why not (the same words as the decision log's exclusions).
 *
 * @param service      the service
 * @param node         the node id
 * @param score        the strategy's score, meaningful only when {@code whyNot} is null
 * @param scoreMeaning how to read the score, e.g. {@code load (lower is better)}
 * @param whyNot       why the node may not take a new call of the service, null when it may
 */
public record Assessment(String service, String node, double score, String scoreMeaning, String whyNot) {

    public boolean eligible() {
        return whyNot == null;
    }
}
