package io.roundhouse.sim.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * compose/ cannot be run here (no Docker engine); what can be checked without one is: every file it mounts exists,
 * and every port, address, user name and secret agrees with the configuration it points to (asterisk-conf/, the
 * router's and agents' YAML, the Dockerfiles). {@code docker-compose config -q} in .ci/run checks the syntax.
 */
@Timeout(30)
class ComposeFarmTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path COMPOSE = ROOT.resolve("compose");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final JsonNode compose = yaml(COMPOSE.resolve("docker-compose.yml"));
    private final JsonNode services = compose.get("services");
    private final JsonNode router = yaml(COMPOSE.resolve("router.yml"));

    @Test
    void everyMountedHostPathExistsOrIsWrittenByMakeSecrets() throws IOException {
        String makeSecrets = Files.readString(COMPOSE.resolve("make-secrets.sh"));
        for (String[] mount : mounts()) {
            Path host = COMPOSE.resolve(mount[1]).normalize();
            if (host.startsWith(COMPOSE.resolve("secrets"))) {
                assertThat(makeSecrets).as(mount[0] + " mounts " + mount[1]).contains("mkdir -p secrets/asterisk");
            } else {
                assertThat(host).as(mount[0] + " mounts " + mount[1]).exists();
            }
        }
    }

    @Test
    void everySecretIsAFileMakeSecretsWrites() throws IOException {
        String makeSecrets = Files.readString(COMPOSE.resolve("make-secrets.sh"));
        compose.get("secrets").fields().forEachRemaining(secret -> {
            String file = secret.getValue().get("file").asText();
            assertThat(file).startsWith("./secrets/");
            assertThat(makeSecrets).as("secret " + secret.getKey()).contains("> " + file.substring(2));
        });
        assertThat(makeSecrets).contains("> secrets/asterisk/ami-secret.conf", "> secrets/asterisk/ari-password.conf");
    }

    @Test
    void asteriskIncludesTheSecretFilesMakeSecretsWrites() throws IOException {
        assertThat(Files.readString(ROOT.resolve("asterisk-conf/manager.conf")))
                .contains("#include \"/etc/asterisk/roundhouse-secrets/ami-secret.conf\"");
        assertThat(Files.readString(ROOT.resolve("asterisk-conf/ari.conf")))
                .contains("#include \"/etc/asterisk/roundhouse-secrets/ari-password.conf\"");
        for (String node : List.of("asterisk-1", "asterisk-2")) {
            assertThat(volumes(node)).contains("./secrets/asterisk:/etc/asterisk/roundhouse-secrets:ro");
        }
    }

    @Test
    void bothNodesMountEveryFileOfAsteriskConfUnderItsOwnName() throws IOException {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> list = Files.list(ROOT.resolve("asterisk-conf"))) {
            list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf")).forEach(files::add);
        }
        for (String node : List.of("asterisk-1", "asterisk-2")) {
            Set<String> mounted = new TreeSet<>();
            for (String volume : volumes(node)) {
                String[] parts = volume.split(":");
                if (parts[1].startsWith("/etc/asterisk/") && parts[1].endsWith(".conf")) {
                    String name = parts[1].substring("/etc/asterisk/".length());
                    assertThat(Path.of(parts[0]).getFileName().toString()).isEqualTo(name);
                    mounted.add(name);
                }
            }
            assertThat(mounted).as(node).isEqualTo(files);
        }
    }

    @Test
    void composePjsipIsAsteriskConfsWithTheRouterAddressAsItsOnlyChange() throws IOException {
        List<String> original = Files.readAllLines(ROOT.resolve("asterisk-conf/pjsip.conf"));
        List<String> variant = new ArrayList<>(Files.readAllLines(COMPOSE.resolve("asterisk/pjsip.conf")));
        variant.removeIf(line -> line.startsWith("; Compose:") || line.startsWith("; ComposeFarmTest"));
        String routerAddress = address("router");

        assertThat(variant).hasSameSizeAs(original);
        for (int i = 0; i < original.size(); i++) {
            if (original.get(i).startsWith("match = ")) {
                assertThat(variant.get(i)).isEqualTo("match = " + routerAddress);
            } else {
                assertThat(variant.get(i)).isEqualTo(original.get(i));
            }
        }
    }

    @Test
    void routerListensWhereComposePublishesAndKnowsTheNodesByTheirAddresses() throws IOException {
        int pjsipPort = port(ini(ROOT.resolve("asterisk-conf/pjsip.conf"), "bind"));
        for (JsonNode listen : router.at("/sip/listen")) {
            int port = Integer.parseInt(listen.asText().substring(listen.asText().lastIndexOf(':') + 1));
            String transport = listen.asText().substring(0, listen.asText().indexOf(':'));
            assertThat(texts(services.at("/router/ports"))).anyMatch(p -> p.endsWith(":" + port + "/" + transport));
        }
        assertThat(router.at("/sip/advertised-address").asText()).isEqualTo(address("router"));
        List<String> uris = new ArrayList<>();
        router.get("nodes").forEach(n -> uris.add(n.get("uri").asText()));
        assertThat(uris).containsExactly("sip:" + address("asterisk-1") + ":" + pjsipPort,
                "sip:" + address("asterisk-2") + ":" + pjsipPort);
        assertThat(URI.create(router.at("/redis/url").asText()).getHost()).isEqualTo(address("redis"));
    }

    @Test
    void routerAdminListenerIsPublishedOnLoopbackAndHealthCheckedWithItsToken() throws IOException {
        int admin = port(router.at("/admin/listen").asText());

        assertThat(texts(services.at("/router/ports"))).contains("127.0.0.1:" + admin + ":" + admin + "/tcp");
        assertThat(Files.readString(COMPOSE.resolve("router.Dockerfile")))
                .contains("http://127.0.0.1:" + admin + "/healthz");
        assertThat(texts(services.at("/router/secrets")).stream().map(n -> "/run/secrets/" + n).toList())
                .contains(router.at("/admin/token-file").asText(), router.at("/sip/route-secret-file").asText());
    }

    @Test
    void eachAgentSharesItsNodesNetworkAndAgreesWithAsteriskConfAndTheRouter() throws IOException {
        String amiPort = ini(ROOT.resolve("asterisk-conf/manager.conf"), "port");
        String httpAddress = ini(ROOT.resolve("asterisk-conf/http.conf"), "bindaddr");
        String httpPort = ini(ROOT.resolve("asterisk-conf/http.conf"), "bindport");
        String agentDockerfile = Files.readString(COMPOSE.resolve("agent.Dockerfile"));
        for (int n = 1; n <= 2; n++) {
            String service = "agent-" + n;
            String node = "asterisk-" + n;
            JsonNode agent = yaml(COMPOSE.resolve(service + ".yml"));

            assertThat(services.at("/" + service + "/network_mode").asText()).isEqualTo("service:" + node);
            assertThat(volumes(service)).contains("./" + service + ".yml:/etc/roundhouse/agent.yml:ro");
            assertThat(agent.at("/node/id").asText()).isEqualTo(node);
            assertThat(agent.at("/node/sip-uri").asText()).isEqualTo(router.at("/nodes/" + (n - 1) + "/uri").asText());
            assertThat(router.at("/nodes/" + (n - 1) + "/id").asText()).isEqualTo(node);
            assertThat(agent.at("/ami/host").asText()).isEqualTo("127.0.0.1");
            assertThat(agent.at("/ami/port").asText()).isEqualTo(amiPort);
            assertThat(section(ROOT.resolve("asterisk-conf/manager.conf"))).contains(agent.at("/ami/username").asText());
            assertThat(agent.at("/ari/url").asText()).isEqualTo("http://" + httpAddress + ":" + httpPort + "/");
            assertThat(section(ROOT.resolve("asterisk-conf/ari.conf"))).contains(agent.at("/ari/username").asText());
            assertThat(texts(services.at("/" + service + "/secrets")).stream().map(s -> "/run/secrets/" + s).toList())
                    .contains(agent.at("/ami/secret-file").asText(), agent.at("/ari/password-file").asText());
            assertThat(URI.create(agent.at("/redis/url").asText()).getHost()).isEqualTo(address("redis"));
            assertThat(agentDockerfile).contains("http://" + agent.at("/metrics/listen").asText() + "/metrics");
            assertThat(seconds(agent.at("/drain/timeout").asText()))
                    .isLessThan(seconds(services.at("/" + service + "/stop_grace_period").asText()));
        }
    }

    @Test
    void imagesRunTheJarsTheirModulesBuildAsANonRootUserWithAHealthCheck() throws IOException {
        for (String[] image : List.of(new String[] {"router.Dockerfile", "router", "router"},
                new String[] {"agent.Dockerfile", "asterisk-agent", "asterisk-agent"})) {
            String dockerfile = Files.readString(COMPOSE.resolve(image[0]));
            String pom = Files.readString(ROOT.resolve(image[1]).resolve("pom.xml"));

            assertThat(pom).contains("<finalName>" + image[2] + "</finalName>");
            assertThat(dockerfile).contains("./mvnw -B -q -pl " + image[1] + " -am package -DskipTests",
                    "COPY --from=build /src/" + image[1] + "/target/" + image[2] + ".jar", "HEALTHCHECK", "FROM eclipse-temurin:17-jre");
            Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(dockerfile);
            assertThat(user.find()).isTrue();
            assertThat(user.group(1)).isNotIn("root", "0");
        }
    }

    @Test
    void smokeCallGoesThroughTheRouterWithTheRecordRoutingScenario() {
        List<String> command = texts(services.at("/smoke-call/command"));

        assertThat(command).contains("/scenarios/uac.xml").last().isEqualTo(address("router") + ":5060");
        assertThat(volumes("smoke-call")).contains("../router/src/test/resources/sipp/uac.xml:/scenarios/uac.xml:ro");
    }

    @Test
    void composeNeedsNoEnvironmentVariable() throws IOException {
        assertThat(Files.readString(COMPOSE.resolve("docker-compose.yml"))).doesNotContain("${");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private List<String[]> mounts() {
        List<String[]> all = new ArrayList<>();
        services.fields().forEachRemaining(s -> {
            for (String volume : texts(s.getValue().path("volumes"))) {
                all.add(new String[] {s.getKey(), volume.split(":")[0]});
            }
            if (s.getValue().has("build")) {
                JsonNode build = s.getValue().get("build");
                Path context = COMPOSE.resolve(build.get("context").asText()).normalize();
                all.add(new String[] {s.getKey(), COMPOSE.relativize(context.resolve(build.get("dockerfile").asText()))
                        .toString()});
            }
        });
        return all;
    }

    private List<String> volumes(String service) {
        return texts(services.at("/" + service + "/volumes"));
    }

    private String address(String service) {
        return services.at("/" + service + "/networks/farm/ipv4_address").asText();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static long seconds(String duration) {
        assertThat(duration).matches("[0-9]+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }

    /** The first {@code key = value} of an Asterisk config file, comments removed. */
    private static String ini(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            String bare = line.replaceFirst(";.*", "").strip();
            if (bare.matches(Pattern.quote(key) + "\\s*=.*")) {
                return bare.substring(bare.indexOf('=') + 1).strip();
            }
        }
        throw new AssertionError(key + " not in " + file);
    }

    /** The section names ({@code [name]}) of an Asterisk config file. */
    private static Set<String> section(Path file) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = Pattern.compile("^\\[([^]]+)]").matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }
}
