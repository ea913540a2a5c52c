package io.roundhouse.router.dispatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters of one meter name, by tag values, registered once each. Counting goes through here on every call:
 * Micrometer's builder would build, hash and look up a whole meter id per increment.
 */
final class TaggedCounters {

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String[] tagKeys;
    private final ConcurrentHashMap<List<String>, Counter> counters = new ConcurrentHashMap<>();

    TaggedCounters(MeterRegistry registry, String name, String description, String... tagKeys) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.tagKeys = tagKeys.clone();
    }

    /** Increments the counter of these tag values, given in the order of the tag keys. */
    void increment(String... tagValues) {
        if (tagValues.length != tagKeys.length) {
            throw new IllegalArgumentException(name + ": tag values " + Arrays.toString(tagValues)
                    + " (expected: one per key of " + Arrays.toString(tagKeys) + ")");
        }
        counters.computeIfAbsent(List.of(tagValues), this::register).increment();
    }

    private Counter register(List<String> tagValues) {
        Counter.Builder builder = Counter.builder(name).description(description);
        for (int i = 0; i < tagKeys.length; i++) {
            builder.tag(tagKeys[i], tagValues.get(i));
        }
        return builder.register(registry);
    }
}
