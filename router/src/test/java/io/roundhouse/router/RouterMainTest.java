package io.roundhouse.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: help, a clear refusal of a bad configuration, and the JVM settings it makes before starting. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouterMainTest {

    @Test
    void helpNamesTheConfigOption() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new RouterMain()).setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("--config=FILE");
    }

    @Test
    void aBadConfigurationExitsWith2(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("router.yml");
        Files.writeString(bad, "sip: { listen: [ \"udp:127.0.0.1:99999\" ] }\n");
        assertThat(new CommandLine(new RouterMain()).execute("--config", bad.toString())).isEqualTo(2);
        assertThat(new CommandLine(new RouterMain()).execute("--config", dir.resolve("missing.yml").toString()))
                .isEqualTo(2);
    }

    @Test
    void theRouterRunsWithoutNettysLeakDetectorUnlessOneIsAskedFor() {
        Properties plain = new Properties();
        RouterMain.leakDetectionOffUnlessSet(plain);
        assertThat(plain.getProperty(RouterMain.LEAK_DETECTION)).isEqualTo("disabled");

        Properties chasingALeak = new Properties();
        chasingALeak.setProperty(RouterMain.LEAK_DETECTION, "paranoid");
        RouterMain.leakDetectionOffUnlessSet(chasingALeak);
        assertThat(chasingALeak.getProperty(RouterMain.LEAK_DETECTION)).isEqualTo("paranoid");

        Properties legacyName = new Properties();
        legacyName.setProperty("io.netty.leakDetectionLevel", "advanced");
        RouterMain.leakDetectionOffUnlessSet(legacyName);
        assertThat(legacyName.getProperty(RouterMain.LEAK_DETECTION)).isNull();
    }

    @Test
    void aMissingConfigOptionIsAUsageError() {
        CommandLine cli = new CommandLine(new RouterMain()).setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute()).isEqualTo(2);
    }
}
