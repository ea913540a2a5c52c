package io.roundhouse.agent.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(10)
class CpuGaugeTest {

    // A real /proc/stat layout (Linux 6.1, 2 CPUs), counters in USER_HZ ticks.
    private static String procStat(long user, long system, long idle, long iowait) {
        return "cpu  " + user + " 0 " + system + " " + idle + " " + iowait + " 0 3 0 0 0\n"
                + "cpu0 1 0 1 1 0 0 0 0 0 0\n"
                + "cpu1 1 0 1 1 0 0 0 0 0 0\n"
                + "intr 123 0 0\nctxt 456\nbtime 1795400000\nprocesses 789\nprocs_running 1\nprocs_blocked 0\n";
    }

    private static String pidStat(long utime, long stime) {
        // The command name may hold spaces and parentheses: fields are counted from the last ')'.
        return "4242 (asterisk) S 1 4242 4242 0 -1 4194560 9000 0 12 0 " + utime + " " + stime
                + " 0 0 20 0 40 0 1000 900000000 20000 18446744073709551615 1 1 0 0 0 0 0 4096 17987 0 0 0 17 1 0 0 0 0 0\n";
    }

    private static CpuGauge gauge(Path proc) {
        return new CpuGauge(proc, new AsteriskProcess(proc, proc.resolve("asterisk.pid"), 5038));
    }

    /** Writes the next /proc/stat and samples it. */
    private static void tick(CpuGauge gauge, Path proc, long user, long idle) throws IOException {
        Files.writeString(proc.resolve("stat"), procStat(user, 0, idle, 0));
        gauge.sample();
    }

    @Test
    void theStartUpIntervalIsThrownAwayAndTheFirstValueIsTheMeanOfTheNextThree(@TempDir Path proc) throws IOException {
        CpuGauge gauge = gauge(proc);
        tick(gauge, proc, 0, 0);
        tick(gauge, proc, 100, 0); // the agent's own start-up: 100% busy, not representative
        assertThat(gauge.hostKnown()).isFalse();
        tick(gauge, proc, 120, 80);
        tick(gauge, proc, 140, 160);
        assertThat(gauge.hostKnown()).as("two intervals measured of " + CpuGauge.WARM_UP_INTERVALS).isFalse();
        assertThat(gauge.hostPercent()).isZero();

        tick(gauge, proc, 200, 200); // 20 + 20 + 60 busy of 300 ticks
        assertThat(gauge.hostKnown()).isTrue();
        assertThat(gauge.hostPercent()).isCloseTo(100.0 / 3, within(1e-9));
    }

    @Test
    void smoothingHasAFiveSampleHalfLife(@TempDir Path proc) throws IOException {
        CpuGauge gauge = gauge(proc);
        long user = 0;
        long idle = 0;
        tick(gauge, proc, user, idle);
        for (int i = 0; i <= CpuGauge.WARM_UP_INTERVALS; i++) {
            idle += 100; // 0% busy for a while
            tick(gauge, proc, user, idle);
        }
        assertThat(gauge.hostKnown()).isTrue();
        assertThat(gauge.hostPercent()).isZero();
        for (int i = 0; i < 5; i++) {
            user += 100; // then a step to 100%
            tick(gauge, proc, user, idle);
        }
        assertThat(gauge.hostPercent()).isCloseTo(50.0, within(1e-6));
        assertThat(CpuGauge.ALPHA).isCloseTo(0.1294, within(1e-4));
    }

    @Test
    void asteriskProcessShareIsMeasuredAgainstTheHostTicks(@TempDir Path proc) throws IOException {
        Files.createDirectories(proc.resolve("4242"));
        Files.writeString(proc.resolve("4242/comm"), "asterisk\n");
        Files.writeString(proc.resolve("asterisk.pid"), "4242\n");
        CpuGauge gauge = gauge(proc);

        Files.writeString(proc.resolve("stat"), procStat(1000, 0, 1000, 0));
        Files.writeString(proc.resolve("4242/stat"), pidStat(300, 100));
        gauge.sample();
        assertThat(gauge.asteriskPid()).hasValue(4242);
        assertThat(gauge.asteriskPercent()).isEmpty();

        // The host counted 400 ticks; Asterisk used 60 + 20 of them.
        Files.writeString(proc.resolve("stat"), procStat(1200, 0, 1200, 0));
        Files.writeString(proc.resolve("4242/stat"), pidStat(360, 120));
        gauge.sample();
        assertThat(gauge.asteriskPercent().orElseThrow()).isCloseTo(20.0, within(1e-9));

        // Asterisk exits: the field disappears instead of freezing.
        Files.delete(proc.resolve("4242/stat"));
        Files.writeString(proc.resolve("stat"), procStat(1400, 0, 1400, 0));
        gauge.sample();
        assertThat(gauge.asteriskPercent()).isEmpty();
        assertThat(gauge.asteriskPid()).isEmpty();
    }

    @Test
    void withoutAnAsteriskProcessOnlyTheHostIsMeasured(@TempDir Path proc) throws IOException {
        CpuGauge gauge = gauge(proc);
        tick(gauge, proc, 10, 10);
        for (int i = 0; i <= CpuGauge.WARM_UP_INTERVALS; i++) {
            tick(gauge, proc, 20 + 10 * i, 10);
        }
        assertThat(gauge.hostPercent()).isCloseTo(100.0, within(1e-9));
        assertThat(gauge.asteriskPercent()).isEmpty();
    }

    @Test
    void unreadableProcKeepsTheLastValue(@TempDir Path proc) throws IOException {
        CpuGauge gauge = gauge(proc);
        tick(gauge, proc, 0, 0);
        for (int i = 1; i <= CpuGauge.WARM_UP_INTERVALS + 1; i++) {
            tick(gauge, proc, 30 * i, 70 * i);
        }
        Files.writeString(proc.resolve("stat"), "garbage\n");
        gauge.sample();
        assertThat(gauge.hostPercent()).isCloseTo(30.0, within(1e-9));
    }

    @Test
    void parsersRejectTruncatedTextsWithTheReason() {
        assertThatThrownBy(() -> ProcStatText.host("intr 1 2\n")).hasMessageContaining("no aggregate 'cpu ' line");
        assertThatThrownBy(() -> ProcStatText.process("4242 (asterisk) S 1 2"))
                .hasMessageContaining("expected: >= 13");
        assertThat(ProcStatText.process("7 (a) b) c) S 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 1 1").total())
                .isEqualTo(11);
    }

    @Test
    void readsThisMachinesRealProc() {
        CpuGauge gauge = new CpuGauge(Path.of("/proc"), new AsteriskProcess(Path.of("/proc"),
                Path.of("/nonexistent/asterisk.pid"), 5038));
        gauge.sample();
        gauge.sample();
        assertThat(gauge.hostPercent()).isBetween(0.0, 100.0);
    }
}
