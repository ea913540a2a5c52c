package io.roundhouse.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: help, and a clear refusal of a bad configuration. */
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
    void aMissingConfigOptionIsAUsageError() {
        CommandLine cli = new CommandLine(new RouterMain()).setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute()).isEqualTo(2);
    }
}
