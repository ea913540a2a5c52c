package io.roundhouse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The agent's packages import one another without cycles, read from the sources as they are. */
@Timeout(10)
class LayeringTest {

    private static final Path SOURCES = Path.of("src/main/java/io/roundhouse/agent");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?io\\.roundhouse\\.agent\\.([a-z]+)\\.");

    @Test
    void noPackageOfTheAgentDependsOnItselfThroughAnother() throws IOException {
        Map<String, Set<String>> imports = new HashMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path dir = SOURCES.relativize(file.getParent());
                String from = dir.toString().isEmpty() ? "(root)" : dir.getName(0).toString();
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(from)) {
                        imports.computeIfAbsent(from, k -> new TreeSet<>()).add(m.group(1));
                    }
                }
            }
        }
        assertThat(imports).as("imports found").containsKey("services");
        for (String start : imports.keySet()) {
            assertThat(cycleThrough(start, imports)).as("a cycle through " + start + " in " + imports).isEmpty();
        }
        assertThat(imports.getOrDefault("state", Set.of())).as("state holds the seams: it imports no agent package")
                .isEmpty();
    }

    /** A path from {@code start} back to itself, or empty. */
    private static List<String> cycleThrough(String start, Map<String, Set<String>> imports) {
        List<List<String>> paths = new ArrayList<>(List.of(List.of(start)));
        Set<String> seen = new HashSet<>();
        while (!paths.isEmpty()) {
            List<String> path = paths.remove(0);
            for (String next : imports.getOrDefault(path.get(path.size() - 1), Set.of())) {
                List<String> longer = new ArrayList<>(path);
                longer.add(next);
                if (next.equals(start)) {
                    return longer;
                }
                if (seen.add(next)) {
                    paths.add(longer);
                }
            }
        }
        return List.of();
    }
}
