package io.roundhouse.agent.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void hostBusyShareIsTheNonIdleShareOfTheTicksBetweenTwoSamples(@TempDir Path proc) throws IOException {
        CpuGauge gauge = new CpuGauge(proc);
        Files.writeString(proc.resolve("stat"), procStat(1000, 500, 8000, 500));
        gauge.sample();
        assertThat(gauge.hostPercent()).as("one sample has no delta").isZero();

        // +150 user, +50 system, +150 idle, +50 iowait: 200 busy of 400 ticks.
        Files.writeString(proc.resolve("stat"), procStat(1150, 550, 8150, 550));
        gauge.sample();
        assertThat(gauge.hostPercent()).isCloseTo(50.0, within(1e-9));
    }

    @Test
    void smoothingHasAFiveSampleHalfLife(@TempDir Path proc) throws IOException {
        CpuGauge gauge = new CpuGauge(proc);
        long user = 0;
        long idle = 0;
        Files.writeString(proc.resolve("stat"), procStat(user, 0, idle, 0));
        gauge.sample();
        // 0% busy for a while, then a step to 100%.
        idle += 100;
        Files.writeString(proc.resolve("stat"), procStat(user, 0, idle, 0));
        gauge.sample();
        assertThat(gauge.hostPercent()).isZero();
        for (int i = 0; i < 5; i++) {
            user += 100;
            Files.writeString(proc.resolve("stat"), procStat(user, 0, idle, 0));
            gauge.sample();
        }
        assertThat(gauge.hostPercent()).isCloseTo(50.0, within(1e-6));
        assertThat(CpuGauge.ALPHA).isCloseTo(0.1294, within(1e-4));
    }

    @Test
    void asteriskProcessShareIsMeasuredAgainstTheHostTicks(@TempDir Path proc) throws IOException {
        Files.createDirectories(proc.resolve("4242"));
        Files.writeString(proc.resolve("4242/comm"), "asterisk\n");
        Files.createDirectories(proc.resolve("17"));
        Files.writeString(proc.resolve("17/comm"), "sshd\n");
        CpuGauge gauge = new CpuGauge(proc);

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
        CpuGauge gauge = new CpuGauge(proc);
        Files.writeString(proc.resolve("stat"), procStat(10, 0, 10, 0));
        gauge.sample();
        Files.writeString(proc.resolve("stat"), procStat(20, 0, 10, 0));
        gauge.sample();
        assertThat(gauge.hostPercent()).isCloseTo(100.0, within(1e-9));
        assertThat(gauge.asteriskPercent()).isEmpty();
    }

    @Test
    void unreadableProcKeepsTheLastValue(@TempDir Path proc) throws IOException {
        CpuGauge gauge = new CpuGauge(proc);
        Files.writeString(proc.resolve("stat"), procStat(0, 0, 0, 0));
        gauge.sample();
        Files.writeString(proc.resolve("stat"), procStat(30, 0, 70, 0));
        gauge.sample();
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
        CpuGauge gauge = new CpuGauge(Path.of("/proc"));
        gauge.sample();
        gauge.sample();
        assertThat(gauge.hostPercent()).isBetween(0.0, 100.0);
    }
}
