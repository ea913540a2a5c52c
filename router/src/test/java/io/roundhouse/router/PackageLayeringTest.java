package io.roundhouse.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The router's packages depend on each other as the README draws them: a message flows transport, transaction, proxy,
 * dispatch; the SIP parser is a leaf; no package reaches back up the flow. Read from the sources (every
 * {@code io.roundhouse.router.<package>.<Type>} they name, imported or written out), so nothing is loaded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class PackageLayeringTest {

    private static final Path SOURCES = Path.of("src/main/java/io/roundhouse/router");
    private static final Pattern REFERENCE = Pattern.compile("io\\.roundhouse\\.router\\.([a-z][a-z.]*?)\\.[A-Z]");

    /**
     * The cycles the router still has, to be broken by issue 10 ("The proxy split along §16": a leaf package for what
     * dispatch and its strategies and services share). No other cycle may appear.
     */
    private static final Set<Set<String>> KNOWN_CYCLES = Set.of();

    /** Package (relative to io.roundhouse.router; "" for the root) to the router packages it uses. */
    private final Map<String, Set<String>> uses = new TreeMap<>();

    @BeforeAll
    void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(read(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            }
        }
        assertThat(uses).containsKeys("sip", "transport", "transaction", "proxy", "dispatch");
    }

    @Test
    void theSipParserUsesNoOtherRouterPackage() {
        assertThat(uses.get("sip")).isEmpty();
    }

    @Test
    void transportKnowsNothingOfTransactionsTheProxyOrTheDispatcher() {
        assertThat(reachingInto("transport")).noneMatch(p -> isAbove(p, "transaction", "proxy", "dispatch"));
    }

    @Test
    void transportKnowsNothingOfTheConfigThatBindsItsSettings() {
        // The config binds transport's own settings types (listen addresses, TLS, connection limits); never the
        // other way round, which was the config <-> transport cycle.
        for (String pkg : uses.keySet()) {
            if (isAbove(pkg, "transport")) {
                assertThat(uses.get(pkg)).as(pkg).noneMatch(p -> isAbove(p, "config"));
            }
        }
    }

    @Test
    void transactionsKnowNothingOfTheProxyOrTheDispatcher() {
        assertThat(reachingInto("transaction")).noneMatch(p -> isAbove(p, "proxy", "dispatch"));
    }

    @Test
    void theDispatcherKnowsNothingOfTheProxyTransactionsOrTransport() {
        for (String dispatch : List.of("dispatch", "dispatch.strategy", "dispatch.view", "dispatch.config", "services",
                "health")) {
            assertThat(uses.getOrDefault(dispatch, Set.of())).as(dispatch)
                    .noneMatch(p -> isAbove(p, "proxy", "transaction", "transport"));
        }
    }

    @Test
    void noPackagesDependOnEachOtherInACircleButTheKnownOnes() {
        List<Set<String>> cycles = cycles();
        assertThat(cycles).as("package cycles").allMatch(KNOWN_CYCLES::contains);
    }

    private Set<String> reachingInto(String pkg) {
        return uses.getOrDefault(pkg, Set.of());
    }

    private static boolean isAbove(String used, String... packages) {
        for (String p : packages) {
            if (used.equals(p) || used.startsWith(p + ".")) {
                return true;
            }
        }
        return false;
    }

    /** Strongly connected components of more than one package (Tarjan). */
    private List<Set<String>> cycles() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> out = new ArrayList<>();
        for (String p : uses.keySet()) {
            if (!index.containsKey(p)) {
                connect(p, index, low, stack, out);
            }
        }
        return out;
    }

    private void connect(String v, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                         List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        for (String w : uses.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, index, low, stack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
