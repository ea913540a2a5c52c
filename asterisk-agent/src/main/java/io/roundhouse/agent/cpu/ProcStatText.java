package io.roundhouse.agent.cpu;

/**
 * Parsers for the two /proc files the agent reads (proc(5)).
 */
final class ProcStatText {

    private ProcStatText() {
    }

    /**
     * The aggregate {@code cpu} line of /proc/stat: {@code cpu user nice system idle iowait irq softirq steal guest
     * guest_nice}. Total is user..steal (guest time is already counted in user and nice); idle is idle + iowait.
     */
    static CpuTimes host(String procStat) {
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 5) {
                    throw new IllegalArgumentException("/proc/stat cpu line: '" + line + "' (expected: at least 4 counters)");
                }
                long total = 0;
                for (int i = 1; i < Math.min(f.length, 9); i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
                return new CpuTimes(total, idle);
            }
        }
        throw new IllegalArgumentException("/proc/stat: no aggregate 'cpu ' line");
    }

    /**
     * utime + stime of /proc/&lt;pid&gt;/stat (fields 14 and 15). The command name (field 2) is in parentheses and may
     * itself hold spaces and parentheses, so fields are counted from the last ')'.
     */
    static CpuTimes process(String pidStat) {
        int close = pidStat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("/proc/<pid>/stat: no ')' after the command name");
        }
        String[] f = pidStat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field n is f[n - 3].
        if (f.length < 13) {
            throw new IllegalArgumentException("/proc/<pid>/stat: " + f.length + " fields after the name (expected: >= 13)");
        }
        return new CpuTimes(Long.parseLong(f[11]) + Long.parseLong(f[12]), 0);
    }
}
