#!/usr/bin/env python3
"""Figures of one bench/soak.sh run, from the files it wrote under OUT (the only argument).

Reads: machine.txt, times.txt, samples.txt, router/gc.log (-Xlog:gc* with timemillis), probe-{idle,load}/N.txt and
N.histogram.txt (jcmd GC.class_histogram), warmup/ and soak/stats.csv (sipp -trace_stat, one row a second).
"""
import glob
import os
import re
import statistics
import sys

OUT = sys.argv[1]
MIB = 1048576.0


def kv(name):
    """'key value...' lines -> {key: 'value...'} (later lines win)."""
    d = {}
    path = os.path.join(OUT, name)
    if os.path.exists(path):
        for line in open(path):
            parts = line.rstrip("\n").split(" ", 1)
            if len(parts) == 2:
                d[parts[0]] = parts[1]
    return d


machine, times = kv("machine.txt"), kv("times.txt")
ended = [l.split() for l in open(os.path.join(OUT, "times.txt")) if l.startswith("backend_ended ")]
RATE = int(machine["rate"])
WINDOW = int(machine["window_seconds"])
CALL_MS = int(machine["call_ms"])
FLAT = float(machine["flat_mib_per_10min"])
soak_start = int(times["soak_start_ms"])
probe_start = int(times.get("probe_start_ms", times.get("soak_end_ms", "0")))
soak_end = int(times.get("soak_end_ms", probe_start))
start_ticks, start_drops = int(times["start_ticks"].split()[0]), int(times["start_ticks"].split()[2])
clk_tck = int(times["start_ticks"].split()[4])
probe_ticks, probe_drops = int(times["probe_ticks"].split()[0]), int(times["probe_ticks"].split()[2])
end_ticks, end_drops = int(times["end_ticks"].split()[0]), int(times["end_ticks"].split()[2])


# --- sipp statistics: rows with their epoch time
def stats(dirname):
    path = os.path.join(OUT, dirname, "stats.csv")
    if not os.path.exists(path):
        return []
    rows = [l.rstrip("\n").split(";") for l in open(path, encoding="latin-1") if l.strip()]
    if len(rows) < 2:
        return []
    head = rows[0]
    out = []
    for r in rows[1:]:
        d = dict(zip(head, r))
        # CurrentTime is "date<TAB>time<TAB>epoch.micro"
        try:
            d["epoch_ms"] = float(d["CurrentTime"].split()[-1]) * 1000
        except (KeyError, ValueError, IndexError):
            continue
        out.append(d)
    return out


def at(rows, t_ms):
    """The last row at or before t_ms (None if none)."""
    best = None
    for r in rows:
        if r["epoch_ms"] <= t_ms:
            best = r
    return best


def num(row, col):
    try:
        return int(row[col])
    except (TypeError, KeyError, ValueError):
        return 0


soak_rows, warm_rows = stats("soak"), stats("warmup")

# --- GC log
region_mib = None
pauses = []  # (t_ms, gc_id, kind, before_mib, after_mib, total_mib, ms)
old_after, humongous_after = {}, {}
pause_re = re.compile(r"\[(\d+)ms\].*\[gc\s*\] GC\((\d+)\) (Pause .*?) (\d+)M->(\d+)M\((\d+)M\) ([\d.]+)ms")
for line in open(os.path.join(OUT, "router", "gc.log"), encoding="latin-1"):
    m = re.search(r"Heap Region Size: (\d+)M", line)
    if m:
        region_mib = int(m.group(1))
    m = pause_re.search(line)
    if m:
        pauses.append((int(m.group(1)), int(m.group(2)), m.group(3), int(m.group(4)), int(m.group(5)),
                       int(m.group(6)), float(m.group(7))))
        continue
    m = re.search(r"GC\((\d+)\) Old regions: (\d+)->(\d+)", line)
    if m:
        old_after[int(m.group(1))] = int(m.group(3))
    m = re.search(r"GC\((\d+)\) Humongous regions: (\d+)->(\d+)", line)
    if m:
        humongous_after[int(m.group(1))] = int(m.group(3))
region_mib = region_mib or 1


def old_mib(gc_id):
    """Old + humongous regions after a collection, MiB (None when the log has no region lines for it)."""
    if gc_id not in old_after:
        return None
    return (old_after[gc_id] + humongous_after.get(gc_id, 0)) * region_mib


def slope_per_10min(points):
    """Least-squares slope of (t_ms, mib) points in MiB per 10 minutes (None with fewer than 2 points)."""
    if len(points) < 2:
        return None
    xs = [p[0] / 600000.0 for p in points]
    ys = [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else None


def fmt(v, spec="%.1f"):
    return "n/a" if v is None else spec % v


print("Roundhouse memory soak (bench/soak.sh), results in %s" % OUT)
print("machine: %s vCPU, %s, %.1f GiB; kernel %s; %s; sipp %s" % (
    machine.get("nproc"), machine.get("cpu"), int(machine.get("mem_total_kib", "0")) / 1048576.0,
    machine.get("kernel"), machine.get("jdk"), machine.get("sipp")))
print("router: commit %s, %s; JVM %s; -Xlog:gc* (%s)" % (
    machine.get("commit"), machine.get("jar"), machine.get("java_opts"), os.path.join(OUT, "router", "gc.log")))
print("run: %s -> %s UTC; load average (1, 5, 15 min) at start %s, at end %s" % (
    machine.get("start_utc"), machine.get("end_utc"), machine.get("loadavg_start"), machine.get("loadavg_end")))
print("load: warm-up %s s at %d/s (excluded), then %d calls/s of %d ms for %.0f s (%d calls); two sipp backends"
      % (machine["warmup_seconds"], RATE, RATE, CALL_MS, (soak_end - soak_start) / 1000.0,
         num(soak_rows[-1], "TotalCallCreated") if soak_rows else 0))

for _, pid, t in ended:
    print("WARNING: a sipp backend (pid %s) ended %.1f min into the soak: every call after fails" % (
        pid, (int(t) - soak_start) / 60000.0))

# --- (a) heap after each collection, over the soak (the forced collections at its end excluded)
# Its first 64*T1 are left out: the idle probes just before it leave no transaction, so for 32 s the completed
# transactions (Timers J and L) fill from nothing to their steady size, a rise that is not a trend.
FILL_MS = 32000
trend = [p for p in pauses if soak_start + FILL_MS <= p[0] < probe_start and "Full" not in p[2]]
print()
print("(a) Heap after each collection, soak minute %.1f to %.1f (the first 64*T1, while Timers J and L fill, and the "
      "forced collections after it excluded): %d pauses"
      % (FILL_MS / 60000.0, (probe_start - soak_start) / 60000.0, len(trend)))
print("    window (min)   pauses  mixed  heap-after min  heap-after max  old+humongous-after min  pause total ms  pause max ms")
windows = {}
for p in trend:
    windows.setdefault((p[0] - soak_start) // (WINDOW * 1000), []).append(p)
mins = []
for k in sorted(windows):
    ps = windows[k]
    lo = min(ps, key=lambda p: p[4])
    olds = [o for o in (old_mib(p[1]) for p in ps) if o is not None]
    w0 = soak_start + k * WINDOW * 1000
    w1 = min(w0 + WINDOW * 1000, probe_start)
    mins.append(((w0 + w1) / 2.0 - soak_start, lo[4], min(olds) if olds else None))
    print("    %5.1f-%5.1f  %8d  %5d  %12d M  %12d M  %21s M  %14.1f  %12.1f" % (
        (w0 - soak_start) / 60000.0, (w1 - soak_start) / 60000.0, len(ps), sum("Mixed" in p[2] for p in ps), lo[4], max(p[4] for p in ps),
        fmt(min(olds) if olds else None, "%d"), sum(p[6] for p in ps), max(p[6] for p in ps)))
# G1 frees the old generation only in the mixed collections after a concurrent cycle (and empty regions at Remark):
# between two such phases old grows with every promotion, dead or not. So the live set's trend is the heap after the
# last collection of each mixed phase (its floor); a window without a mixed phase only shows how far old has grown.
floors, phase = [], []
for p in trend + [(probe_start, -1, "end", 0, 0, 0, 0.0)]:
    if "Mixed" in p[2]:
        phase.append(p)
    elif phase:
        last = phase[-1]
        floors.append((last[0] - soak_start, last[4], old_mib(last[1])))
        phase = []
print("    heap after the last collection of each mixed phase (the live-set floor): %s" % (
    ", ".join("min %.1f: %d MiB (old+humongous %s)" % (t / 60000.0, h, fmt(o, "%d")) for t, h, o in floors)
    or "no mixed phase"))
s_floor = slope_per_10min([(t, h) for t, h, _ in floors])
s_heap = slope_per_10min([(t, h) for t, h, _ in mins])
s_old = slope_per_10min([(t, o) for t, _, o in mins if o is not None])
s_all = slope_per_10min([(p[0] - soak_start, p[4]) for p in trend])
if mins:
    print("    first window's minimum %d MiB, last window's %d MiB (%+d MiB)" % (mins[0][1], mins[-1][1],
                                                                            mins[-1][1] - mins[0][1]))
print("    least-squares slope of the window minima: heap-after %s MiB per 10 min, old+humongous-after %s MiB per "
      "10 min; of every heap-after (sawtooth, for comparison) %s MiB per 10 min"
      % (fmt(s_heap, "%+.2f"), fmt(s_old, "%+.2f"), fmt(s_all, "%+.2f")))
print("    least-squares slope of the floors after the mixed phases: %s MiB per 10 min over %d floors" % (
    fmt(s_floor, "%+.2f"), len(floors)))
if s_floor is not None and len(floors) >= 3:
    verdict = ("flat" if s_floor < FLAT else "NOT flat") + " (slope of the floors after the mixed phases)"
elif s_heap is not None:
    verdict = ("flat" if s_heap < FLAT else "NOT flat") + " (slope of the window minima: fewer than 3 mixed phases, " \
        "so old's growth between them counts)"
else:
    verdict = "n/a (fewer than 2 windows)"
print("    verdict: %s (threshold: slope under %g MiB per 10 min, i.e. under %.2f bytes per "
      "call at %d/s, where one leaked object per call (16 bytes or more) would show; docs/decisions.md, "
      "\"Memory soak\")"
      % (verdict, FLAT, FLAT * MIB / (RATE * 600), RATE))


# --- (b) live heap per call in flight
def prom(path):
    """Prometheus text -> {name{labels}: value}."""
    d = {}
    if os.path.exists(path):
        for line in open(path):
            if line and not line.startswith("#"):
                parts = line.rsplit(" ", 1)
                if len(parts) == 2:
                    try:
                        d[parts[0]] = float(parts[1])
                    except ValueError:
                        pass
    return d


def probes(name):
    res = []
    for path in sorted(glob.glob(os.path.join(OUT, "probe-" + name, "[0-9]*.txt"))):
        if not re.search(r"/\d+\.txt$", path):
            continue
        d = kv(os.path.relpath(path, OUT))
        hist = path[:-4] + ".histogram.txt"
        total = None
        if os.path.exists(hist):
            for line in open(hist):
                if line.startswith("Total"):
                    total = int(line.split()[2])
        t = int(d["at_ms"])
        mx = prom(path[:-4] + ".metrics.txt")
        ip = int(mx["sip_calls_in_progress"]) if "sip_calls_in_progress" in mx else None
        tx = int(mx["sip_transactions_live"]) if "sip_transactions_live" in mx else None
        rows = soak_rows if name == "load" else warm_rows
        now, back = at(rows, t), at(rows, t - 32000)
        res.append({"t": t, "t_end": int(d.get("done_ms", t)), "live": total, "in_progress": ip, "tx": tx,
                    "current": num(now, "CurrentCall") if now else None,
                    "last32": (num(now, "TotalCallCreated") - num(back, "TotalCallCreated")) if now and back else None,
                    "hist": hist})
    return res


def histogram(path):
    h = {}
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            h[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return h


idle, load = probes("idle"), probes("load")
full = [p for p in pauses if "Full" in p[2]]
print()
print("(b) Live heap per call in flight (jcmd GC.class_histogram: total of the objects left by its full collection)")
for name, ps in (("idle (after warm-up, %s s quiet)" % machine["idle_settle_seconds"], idle), ("under load (end of the soak)", load)):
    for i, p in enumerate(ps, 1):
        fulls = [f for f in full if p["t"] <= f[0] <= p["t_end"] + 1000]
        print("    %s #%d: live %s MiB; router live transactions %s, router calls in progress %s, caller's calls in progress %s, calls started in "
              "the last 32 s %s; full collections (heap before->after, pause): %s"
              % (name, i, fmt(p["live"] / MIB if p["live"] is not None else None, "%.1f"), fmt(p["tx"], "%d"),
                 fmt(p["in_progress"], "%d"),
                 fmt(p["current"], "%d"), fmt(p["last32"], "%d"),
                 ", ".join("%s %d->%d MiB %.0f ms" % (f[2].replace("Pause Full ", ""), f[3], f[4], f[6])
                           for f in fulls) or "none logged"))
idle_live = [p["live"] for p in idle if p["live"] is not None]
load_ok = [p for p in load if p["live"] is not None]
if idle_live and load_ok:
    base = statistics.median(idle_live)
    delta = statistics.median([p["live"] for p in load_ok]) - base
    print("    live at idle (median) %.1f MiB, under load (median) %.1f MiB: %.1f MiB more under load"
          % (base / MIB, (base + delta) / MIB, delta / MIB))

    def per(key):
        vals = [(p["live"] - base) / p[key] for p in load_ok if p[key]]
        return statistics.median(vals) if vals else None

    print("    per router call in progress (sip_calls_in_progress, INVITEs waiting for their final response): %s bytes"
          % fmt(per("in_progress"), "%.0f"))
    print("    per caller's call in progress (sipp CurrentCall: INVITE sent to BYE answered, about %d ms): %s bytes"
          % (CALL_MS, fmt(per("current"), "%.0f")))
    print("    per call started in the last 32 s: %s bytes" % fmt(per("last32"), "%.0f"))
    print("    per live transaction (sip_transactions_live: in progress and completed records): %s bytes"
          % fmt(per("tx"), "%.0f"))
    print("    What is live per call: while a call is set up, its INVITE's server and client transactions "
          "(sip_calls_in_progress counts those); after its final response and after its BYE's, a record of bytes "
          "of each (CompletedTransactions, the BYE's 200 included) for 64*T1 = 32 s (Timers L and J: "
          "docs/performance.md, \"Live set of completed transactions\"); the router keeps no dialog state for the 500 ms between 200 and BYE. So the "
          "live set under load is mostly those records, and the figure per call started in the last 32 s is the "
          "one that scales with the call rate; the figure per call in progress mostly measures the rate.")
    direct = []
    for p in idle[-1:] + load_ok[-1:]:
        v = prom(p["hist"].replace(".histogram.txt", ".metrics.txt")).get('jvm_buffer_memory_used_bytes{id="direct"}')
        direct.append(v / MIB if v is not None else None)
    print("    off the heap (not in the figures above; the router's pooled direct buffers hold messages in flight): "
          "jvm_buffer_memory_used_bytes{id=\"direct\"} %s MiB at idle, %s MiB under load (Netty's pooled "
          "arenas may not be counted there)" % (fmt(direct[0], "%.1f"), fmt(direct[-1], "%.1f")))
    hi, hl = histogram(idle[-1]["hist"]), histogram(load_ok[-1]["hist"])
    last32 = load_ok[-1]["last32"] or 0
    diff = []
    for cls in set(hi) | set(hl):
        n0, b0 = hi.get(cls, (0, 0))
        n1, b1 = hl.get(cls, (0, 0))
        diff.append((b1 - b0, n1 - n0, cls))
    diff.sort(reverse=True)
    print("    top classes of the histogram difference (last probe under load - last at idle), per call started in "
          "the last 32 s (%d):" % last32)
    print("      %12s %12s %10s %10s  class" % ("bytes", "instances", "bytes/call", "inst/call"))
    for b, n, cls in diff[:15]:
        print("      %12d %12d %10.1f %10.3f  %s" % (b, n, b / last32 if last32 else 0, n / last32 if last32 else 0, cls))
else:
    print("    n/a: a probe is missing (see probe-idle/ and probe-load/)")

# --- (c) failures, drops, CPU, GC
print()
print("(c) Calls, drops, CPU, collections")
if soak_rows:
    last, before = soak_rows[-1], at(soak_rows, probe_start)
    print("    soak: created %d, successful %d, failed %d, retransmissions %d; before the forced collections: "
          "successful %d, failed %d" % (num(last, "TotalCallCreated"), num(last, "SuccessfulCall(C)"),
                                        num(last, "FailedCall(C)"), num(last, "Retransmissions(C)"),
                                        num(before, "SuccessfulCall(C)"), num(before, "FailedCall(C)")))
    causes = ["%s %s" % (k, v) for k, v in last.items() if k.startswith("Failed") and k.endswith("(C)")
              and k != "FailedCall(C)" and v not in ("0", "")]
    if causes:
        print("    failure causes: " + ", ".join(causes))
    if warm_rows:
        w = warm_rows[-1]
        print("    warm-up: created %d, successful %d, failed %d" % (
            num(w, "TotalCallCreated"), num(w, "SuccessfulCall(C)"), num(w, "FailedCall(C)")))
    ok_before = num(before, "SuccessfulCall(C)")
    secs = (probe_start - soak_start) / 1000.0
    cpu = (probe_ticks - start_ticks) / float(clk_tck)
    print("    router CPU before the forced collections: %.1f s over %.0f s (%.0f%% of one core), %.1f us per "
          "successful call" % (cpu, secs, 100 * cpu / secs, 1e6 * cpu / ok_before if ok_before else float("nan")))
print("    kernel UDP drops (InErrors + RcvbufErrors, machine-wide: other processes' too): %d before the forced "
      "collections, %d during and after them" % (probe_drops - start_drops, end_drops - probe_drops))
if "start_sock_drops" in times and "end_sock_drops" in times:
    s0, s1, s2 = ([int(x) for x in times[k].split()] for k in ("start_sock_drops", "probe_sock_drops", "end_sock_drops"))
    # The caller's socket is closed at the end (its counter gone): the sipp figure after the probes is then n/a.
    print("    drops at this run's own sockets (/proc/net/udp): the router's %d before the forced collections, %d during "
          "and after; the sipp caller's and backends' %d before, %s during and after"
          % (s1[0] - s0[0], s2[0] - s1[0], s1[1] - s0[1], s2[1] - s1[1] if s2[1] >= s1[1] else "n/a"))
m0, m1, m2 = (prom(os.path.join(OUT, "metrics-%s.txt" % k)) for k in ("start", "probe", "end"))


def delta(a, b, key):
    return fmt(b[key] - a[key], "%d") if key in a and key in b else "n/a"


print("    router counters before the forced collections / during and after them: shed (503) %s / %s, its UDP "
      "socket's drops (sip_overload_udp_drops_total) %s / %s, messages dropped %s / %s, legs it ended %s / %s"
      % (delta(m0, m1, "sip_requests_shed_total"), delta(m1, m2, "sip_requests_shed_total"),
         delta(m0, m1, "sip_overload_udp_drops_total"), delta(m1, m2, "sip_overload_udp_drops_total"),
         delta(m0, m1, "sip_messages_dropped_total"), delta(m1, m2, "sip_messages_dropped_total"),
         delta(m0, m1, "sip_legs_ended_total"), delta(m1, m2, "sip_legs_ended_total")))
kinds = {}
for p in trend:
    k = re.sub(r" \(.*", "", p[2])
    kinds.setdefault(k, []).append(p[6])
all_ms = [p[6] for p in trend]
if all_ms:
    srt = sorted(all_ms)
    print("    GC pauses before the forced collections: %d (%d collections), total %.0f ms (%.2f%% of the time), max %.1f "
          "ms, p99 %.1f ms; by kind: %s" % (
              len(all_ms), len(set(p[1] for p in trend)), sum(all_ms), 100 * sum(all_ms) / (probe_start - soak_start),
              srt[-1], srt[min(len(srt) - 1, int(0.99 * len(srt)))],
              ", ".join("%s %d (%.0f ms)" % (k, len(v), sum(v)) for k, v in sorted(kinds.items()))))
samples = []
path = os.path.join(OUT, "samples.txt")
for line in open(path).readlines()[1:]:
    f = line.split()
    if len(f) == 5 and f[3].isdigit():
        samples.append([int(x) for x in f])
if samples:
    print("    router RSS %.0f MiB at the first sample, %.0f MiB at the last; router calls in progress over %d samples: "
          "mean %.1f, max %d" % (samples[0][2] / 1024.0, samples[-1][2] / 1024.0, len(samples),
                                 statistics.fmean(s[3] for s in samples), max(s[3] for s in samples)))
