package io.roundhouse.sim.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The unit files of deploy/systemd keep their promises: reload by SIGHUP, a sandbox, a dedicated user, secrets as
 * credentials, and an agent given the time to drain. {@code systemd-analyze verify} (in .ci/run where systemd exists)
 * checks the syntax; this checks the choices.
 */
@Timeout(30)
class SystemdUnitsTest {

    private static final Path UNITS = Path.of("..", "deploy", "systemd").toAbsolutePath().normalize();

    @Test
    void bothUnitsReloadWithSighupAndRunSandboxedAsTheirOwnUser() throws IOException {
        for (String unit : List.of("roundhouse-router.service", "roundhouse-agent.service")) {
            List<String> lines = directives(unit);

            assertThat(lines).as(unit).contains("ExecReload=/bin/kill -HUP $MAINPID", "NoNewPrivileges=yes",
                    "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "User=roundhouse", "CapabilityBoundingSet=");
            assertThat(lines).as(unit).anyMatch(l -> l.startsWith("LoadCredential="))
                    .anyMatch(l -> l.startsWith("EnvironmentFile=-/etc/roundhouse/"));
        }
    }

    @Test
    void credentialsComeFromOutsideAnyCheckout() throws IOException {
        for (String unit : List.of("roundhouse-router.service", "roundhouse-agent.service")) {
            for (String line : directives(unit)) {
                if (line.startsWith("LoadCredential=")) {
                    assertThat(line.substring(line.indexOf(':') + 1)).startsWith("/etc/roundhouse/credentials/");
                }
            }
        }
    }

    @Test
    void agentIsGivenLongerToStopThanItsDefaultDrainTimeout() throws IOException {
        String stop = directives("roundhouse-agent.service").stream().filter(l -> l.startsWith("TimeoutStopSec="))
                .findFirst().orElseThrow();
        String example = Files.readString(Path.of("..", "asterisk-agent", "agent.example.yml"));

        assertThat(example).containsPattern("timeout: 300s");
        assertThat(Integer.parseInt(stop.replaceAll("[^0-9]", ""))).isGreaterThan(300);
    }

    @Test
    void routerIsGivenLongerToStopThanItsDefaultDrainTimeout() throws IOException {
        String stop = directives("roundhouse-router.service").stream().filter(l -> l.startsWith("TimeoutStopSec="))
                .findFirst().orElseThrow();

        // sip.drain-timeout defaults to 32 s (README, "Stopping"); systemd must not kill the router mid-drain.
        assertThat(Integer.parseInt(stop.replaceAll("[^0-9]", ""))).isGreaterThan(32);
    }

    @Test
    void agentsExitAfterASigtermDrainIsAStopNotAFailure() throws IOException {
        assertThat(directives("roundhouse-agent.service")).contains("SuccessExitStatus=143");
    }

    private static List<String> directives(String unit) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(UNITS.resolve(unit))) {
            if (!line.isBlank() && !line.startsWith("#") && !line.startsWith("[")) {
                out.add(line.strip());
            }
        }
        return out;
    }
}
