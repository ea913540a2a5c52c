/**
 * JMH benchmarks of the router's hot path: parse a typical INVITE off the wire and produce the bytes the proxy
 * forwards. Run with {@code java -jar bench/jmh/target/benchmarks.jar}; the build only compiles them.
 */
package io.roundhouse.bench;
