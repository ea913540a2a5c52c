#!/usr/bin/env bash
# Memory soak of the router (issue 15, "Memory"): is the heap flat over a long run at half the clean rate, and how
# much live heap does a call in flight cost?
#
# Usage: bench/soak.sh            warm-up 60 s, then 30 minutes at 3,200 calls/s (about 33 minutes in all)
#        bench/soak.sh --quick    a check of the script itself: 60 s at 400/s (about 3 minutes; figures meaningless)
# Environment: SOAK_SECONDS (1800), SOAK_RATE (3200: half of the router's clean rate, 6,400/s, on a 2-vCPU AMD EPYC
#   VM), WARMUP_SECONDS (60, at SOAK_RATE, excluded from every figure), WINDOW_SECONDS (300), FLAT_MIB_PER_10MIN (5),
#   PROBES (3), CALL_MS (500), ROUTER_OVERLOAD (as bench/run.sh's), ROUTER_JAVA_OPTS ("-Xms512m -Xmx512m -XX:+AlwaysPreTouch"), OUT (a new
#   /tmp/roundhouse-soak.XXXXXX).
# Builds nothing: run `nice -n 10 ./mvnw -B -q -pl router -am package -DskipTests` first.
#
# What it does, all on loopback and free ports (every process recorded, killed on exit, every sipp under timeout):
#   1. the router with bench/run.sh's `router` config (two static sipp nodes, round robin, flood limit off, /metrics
#      on a free port) and a GC log of every collection (-Xlog:gc*), two sipp backends (uas.xml), one caller (uac.xml);
#   2. warm-up (20 s at a quarter of SOAK_RATE, then WARMUP_SECONDS at SOAK_RATE), then quiet for IDLE_SETTLE_SECONDS (longer than Timers J/L, 32 s), then PROBES times at
#      idle: jcmd GC.run, GC.heap_info, GC.class_histogram (which collects first: its total is the live set);
#   3. the soak: SOAK_SECONDS at SOAK_RATE, sampled every SAMPLE_SECONDS (router CPU, RSS, calls in progress);
#      PROBE_LEAD_SECONDS before its last call is started, the same probes as at idle, while the load still runs;
#   4. the figures (bench/soak/figures.py): the heap's floor after each mixed phase of G1 and per window, with their
#      slopes (the forced collections excluded), live heap per call in flight, failed calls, kernel UDP drops, CPU per call, GC pauses.
# Exit status: 0 when the script ran to the end, whatever the figures; non-zero when it could not.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCENARIOS="$ROOT/router/src/test/resources/sipp"
ROUTER_JAR="$ROOT/router/target/router.jar"

SOAK_SECONDS="${SOAK_SECONDS:-1800}"
SOAK_RATE="${SOAK_RATE:-3200}"
WARMUP_SECONDS="${WARMUP_SECONDS:-60}"
WINDOW_SECONDS="${WINDOW_SECONDS:-300}"
FLAT_MIB_PER_10MIN="${FLAT_MIB_PER_10MIN:-5}" # docs/decisions.md, "Memory soak": under 3 bytes per call at 3,200/s
PROBES="${PROBES:-3}"
CALL_MS="${CALL_MS:-500}"
ROUTER_JAVA_OPTS="${ROUTER_JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch}"
ROUTER_OVERLOAD="${ROUTER_OVERLOAD:-}" # sip.overload as in bench/run.sh, e.g. "{ enabled: false }" (empty: defaults)
IDLE_SETTLE_SECONDS=40  # completed transactions are kept 32 s (Timers J and L): the idle live set is taken after
PROBE_LEAD_SECONDS=60   # the probes under load start this long before the caller's last new call
SAMPLE_SECONDS=10
BUFF_SIZE=8388608
if [ "${1:-}" = "--quick" ]; then
  SOAK_SECONDS=60; SOAK_RATE=400; WARMUP_SECONDS=10; WINDOW_SECONDS=15; PROBE_LEAD_SECONDS=20; SAMPLE_SECONDS=5
elif [ -n "${1:-}" ]; then
  echo "soak: unknown argument $1 (expected: --quick or nothing)" >&2
  exit 2
fi
for knob in SOAK_SECONDS SOAK_RATE WARMUP_SECONDS WINDOW_SECONDS PROBES CALL_MS; do
  if ! [[ ${!knob} =~ ^[1-9][0-9]*$ ]]; then
    echo "soak: $knob=${!knob} (expected: a whole number, 1 or more)" >&2
    exit 2
  fi
done
if [ "$SOAK_SECONDS" -le $((PROBE_LEAD_SECONDS + 2 * SAMPLE_SECONDS)) ]; then
  echo "soak: SOAK_SECONDS=$SOAK_SECONDS (expected: more than $((PROBE_LEAD_SECONDS + 2 * SAMPLE_SECONDS)))" >&2
  exit 2
fi

need() { command -v "$1" >/dev/null 2>&1 || { echo "soak: $1 is missing (expected: $2)" >&2; exit 1; }; }
need sipp "Debian package sip-tester"
need java "a JDK 17"
need jcmd "a JDK 17 (jcmd)"
need python3 "python3"
need curl "curl"
need ss "iproute2"
if [ ! -f "$ROUTER_JAR" ]; then
  echo "soak: $ROUTER_JAR is missing (expected: built by nice -n 10 ./mvnw -B -q -pl router -am package -DskipTests)" >&2
  exit 1
fi

OUT="${OUT:-$(mktemp -d /tmp/roundhouse-soak.XXXXXX)}"
mkdir -p "$OUT"
CLK_TCK="$(getconf CLK_TCK)"

# Every process this script starts is recorded here and killed on exit, whatever the exit path.
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUT/soak.log" >&2; }
now_ms() { date +%s%3N; }

source "$ROOT/bench/lib.sh" # free_port, media_block, wait_udp_listening, udp_drops
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; } # utime + stime of all its threads
# Datagrams dropped at the UDP sockets bound to 127.0.0.1:port (/proc/net/udp's drops column; ports given).
sock_drops() {
  local p hex=""
  for p in "$@"; do hex+="0100007F:$(printf '%04X' "$p") "; done
  awk -v ports="$hex" 'BEGIN { n = split(ports, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
    NR > 1 && ($2 in want) { d += $NF } END { print d + 0 }' /proc/net/udp
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
metrics() { curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" || true; } # the router's /metrics
in_progress() { # the router's sip_calls_in_progress (proxied requests waiting for their final response)
  metrics | awk '/^sip_calls_in_progress[ {]/ { print int($NF) }'
}

# Everything for the whole run is bounded: the backends and the router live at most this long.
LIFETIME=$((WARMUP_SECONDS + IDLE_SETTLE_SECONDS + SOAK_SECONDS + 600))

BACKEND_PIDS=()
start_backend() { # name; sets STARTED_PORT
  local dir="$OUT/$1" cport mport
  mkdir -p "$dir"
  STARTED_PORT=$(free_port); cport=$(free_port); mport=$(media_block)
  # -abortunexp off: a retransmitted INVITE after the answer (the proxy's Timer A under load) must not abort the call.
  (cd "$dir" && exec timeout --kill-after=5 "$LIFETIME" sipp -sf "$SCENARIOS/uas.xml" -i 127.0.0.1 \
    -p "$STARTED_PORT" -cp "$cport" -mp "$mport" -nostdin -default_behaviors all,-abortunexp \
    -buff_size "$BUFF_SIZE" -max_recv_loops 10000 -trace_stat -stf "$dir/stats.csv" -fd 5 \
    -watchdog_minor_maxtriggers 1000000 -watchdog_major_maxtriggers 1000000 \
    -trace_err -error_file "$dir/errors.log" >"$dir/stdout.log" 2>&1) &
  PIDS+=("$!")
  BACKEND_PIDS+=("$!")
}

# The caller, in the background; sets UAC_PID. sipp's watchdog would end it (and the backends) after 120 late
# wake-ups (a CPU shared with other work): the soak counts late calls as failed instead. Its stats.csv has one row a second (the figures read it).
start_uac() { # dir rate calls
  local dir=$1 rate=$2 calls=$3 bound lport cport mport
  bound=$((calls / rate + CALL_MS / 1000 + 60))
  mkdir -p "$dir"
  lport=$(free_port); cport=$(free_port); mport=$(media_block)
  UAC_PORT=$lport
  (cd "$dir" && exec timeout --kill-after=5 $((bound + 10)) sipp -sf "$SCENARIOS/uac.xml" "127.0.0.1:$ROUTER_PORT" \
    -i 127.0.0.1 -p "$lport" -cp "$cport" -mp "$mport" -nostdin -buff_size "$BUFF_SIZE" -max_recv_loops 10000 \
    -r "$rate" -m "$calls" -d "$CALL_MS" -timeout "${bound}s" -timeout_error \
    -watchdog_minor_maxtriggers 1000000 -watchdog_major_maxtriggers 1000000 \
    -trace_stat -stf "$dir/stats.csv" -fd 1 -trace_err -error_file "$dir/errors.log" >"$dir/stdout.log" 2>&1) &
  UAC_PID=$!
  PIDS+=("$UAC_PID")
}

uac_progress() { # stats.csv -> "created N, successful N, failed N, in progress N" from its last row
  python3 - "$1" <<'EOF2'
import sys
try:
    rows = [l.rstrip("\n").split(";") for l in open(sys.argv[1], encoding="latin-1") if l.strip()]
    d = dict(zip(rows[0], rows[-1]))
    print("created %s, successful %s, failed %s, in progress %s" % (d["TotalCallCreated"], d["SuccessfulCall(C)"],
                                                                   d["FailedCall(C)"], d["CurrentCall"]))
except (OSError, IndexError, KeyError):
    print("no caller statistics yet")
EOF2
}

# PROBES times: full collections and the class histogram, with the router's /metrics (calls in progress, live
# transactions) just before each histogram.
probe() { # name
  local dir="$OUT/probe-$1" i
  mkdir -p "$dir"
  for ((i = 1; i <= PROBES; i++)); do
    echo "at_ms $(now_ms)" >"$dir/$i.txt"
    jcmd "$JAVA_PID" GC.run >"$dir/$i.gc-run.txt"
    jcmd "$JAVA_PID" GC.heap_info >"$dir/$i.heap-info.txt"
    metrics >"$dir/$i.metrics.txt"
    jcmd "$JAVA_PID" GC.class_histogram >"$dir/$i.histogram.txt"
    echo "done_ms $(now_ms)" >>"$dir/$i.txt"
    log "probe $1 $i/$PROBES: live $(awk '/^Total/ { printf "%.1f MiB", $3 / 1048576 }' "$dir/$i.histogram.txt"), calls in progress $(awk '/^sip_calls_in_progress / { print int($2) }' "$dir/$i.metrics.txt"), live transactions $(awk '/^sip_transactions_live / { print int($2) }' "$dir/$i.metrics.txt")"
    sleep 2
  done
}

# --- the machine and the build
{
  echo "start_utc $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "loadavg_start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "nproc $(nproc)"
  echo "cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
  echo "mem_total_kib $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
  echo "kernel $(uname -r)"
  echo "jdk $(java -version 2>&1 | sed -n 2p)"
  echo "sipp $(sipp -v 2>&1 | grep -o 'v[0-9][0-9.]*' | head -1)"
  echo "commit $(git -C "$ROOT" log -1 --format=%h -- router pom.xml 2>/dev/null || echo unknown) (last commit of router/ and pom.xml; HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))$(git -C "$ROOT" status --porcelain -- router 2>/dev/null | grep -q . && echo ', router/ modified')"
  echo "jar $ROUTER_JAR built $(date -u -r "$ROUTER_JAR" +%Y-%m-%dT%H:%M:%SZ)"
  echo "java_opts $ROUTER_JAVA_OPTS"
  echo "rate $SOAK_RATE"
  echo "soak_seconds $SOAK_SECONDS"
  echo "warmup_seconds $WARMUP_SECONDS"
  echo "idle_settle_seconds $IDLE_SETTLE_SECONDS"
  echo "window_seconds $WINDOW_SECONDS"
  echo "call_ms $CALL_MS"
  echo "flat_mib_per_10min $FLAT_MIB_PER_10MIN"
} >"$OUT/machine.txt"
log "soak: results in $OUT; $(grep -E '^(commit|loadavg_start)' "$OUT/machine.txt" | tr '\n' ' ')"

# --- backends and router (bench/run.sh's `router` config)
start_backend uas-1; uas1_port=$STARTED_PORT
start_backend uas-2; uas2_port=$STARTED_PORT
wait_udp_listening "$uas1_port" 30
wait_udp_listening "$uas2_port" 30
ROUTER_PORT=$(free_port); METRICS_PORT=$(free_port)
mkdir -p "$OUT/router"
cat >"$OUT/router/router.yml" <<EOF
sip:
  listen: [ "udp:127.0.0.1:$ROUTER_PORT", "tcp:127.0.0.1:$ROUTER_PORT" ]
  # One sipp caller sends thousands of messages a second from one address: the per-source flood limit would block it.
  flood: { enabled: false }
  # The overload guard (issue 9) is on with the router's defaults unless ROUTER_OVERLOAD sets it: its 503s count as
  # failed calls (uac.xml does not expect them) and as sip_requests_shed_total.
${ROUTER_OVERLOAD:+  overload: $ROUTER_OVERLOAD}
nodes:
  - { id: uas-1, uri: "sip:127.0.0.1:$uas1_port", weight: 1 }
  - { id: uas-2, uri: "sip:127.0.0.1:$uas2_port", weight: 1 }
health:
  enabled: false # sipp's uas.xml answers no OPTIONS
metrics:
  listen: "127.0.0.1:$METRICS_PORT"
EOF
# shellcheck disable=SC2086 # ROUTER_JAVA_OPTS is a list of options
(exec timeout --kill-after=5 "$LIFETIME" java $ROUTER_JAVA_OPTS \
  "-Xlog:gc*:file=$OUT/router/gc.log:timemillis,uptime,level,tags" \
  -jar "$ROUTER_JAR" --config "$OUT/router/router.yml" >"$OUT/router/router.log" 2>&1) &
PIDS+=("$!")
wait_udp_listening "$ROUTER_PORT" 60
JAVA_PID=$(pgrep -P "${PIDS[-1]}" java || true)
if [ -z "$JAVA_PID" ]; then
  echo "soak: the router's java process is not running (see $OUT/router/router.log)" >&2
  exit 1
fi
PIDS+=("$JAVA_PID")
log "router: pid $JAVA_PID on udp 127.0.0.1:$ROUTER_PORT, metrics :$METRICS_PORT, backends $uas1_port $uas2_port"

# --- warm-up (JIT), then idle
# A cold JVM straight at the full rate drops calls (bench/run.sh warms up in steps too): a quarter first.
log "warm-up: 20s at $((SOAK_RATE / 4 + 1))/s, then ${WARMUP_SECONDS}s at ${SOAK_RATE}/s"
start_uac "$OUT/warmup-quarter" $((SOAK_RATE / 4 + 1)) $(((SOAK_RATE / 4 + 1) * 20))
wait "$UAC_PID" || log "warm-up: the caller exited non-zero"
start_uac "$OUT/warmup" "$SOAK_RATE" $((SOAK_RATE * WARMUP_SECONDS))
wait "$UAC_PID" || log "warm-up: the caller exited non-zero (figures below count its calls)"
log "warm-up done; quiet ${IDLE_SETTLE_SECONDS}s (completed transactions expire after 32 s)"
sleep "$IDLE_SETTLE_SECONDS"
probe idle

# --- the soak
drops_start=$(udp_drops); ticks_start=$(cpu_ticks "$JAVA_PID")
soak_start_ms=$(now_ms)
echo "soak_start_ms $soak_start_ms" >"$OUT/times.txt"
log "soak: ${SOAK_SECONDS}s at ${SOAK_RATE}/s ($((SOAK_RATE * SOAK_SECONDS)) calls)"
start_uac "$OUT/soak" "$SOAK_RATE" $((SOAK_RATE * SOAK_SECONDS))
metrics >"$OUT/metrics-start.txt"
echo "start_sock_drops $(sock_drops "$ROUTER_PORT") $(sock_drops "$UAC_PORT" "$uas1_port" "$uas2_port")" >>"$OUT/times.txt"
probe_at_ms=$((soak_start_ms + (SOAK_SECONDS - PROBE_LEAD_SECONDS) * 1000))
echo "t_ms ticks rss_kib in_progress udp_drops" >"$OUT/samples.txt"
for ((i = 0; i <= SOAK_SECONDS / SAMPLE_SECONDS; i++)); do # bounded: at most one sample per SAMPLE_SECONDS
  kill -0 "$UAC_PID" 2>/dev/null || { log "soak: the caller ended early"; break; }
  for pid in "${BACKEND_PIDS[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null && ! grep -q "^backend_ended $pid " "$OUT/times.txt"; then
      log "soak: WARNING: a backend (pid $pid) ended: calls fail from here on"
      echo "backend_ended $pid $(now_ms)" >>"$OUT/times.txt"
    fi
  done
  t=$(now_ms)
  [ "$t" -lt "$probe_at_ms" ] || break
  echo "$t $(cpu_ticks "$JAVA_PID") $(rss_kib "$JAVA_PID") $(in_progress) $(udp_drops)" >>"$OUT/samples.txt"
  if ((i % (300 / SAMPLE_SECONDS) == 0)); then
    log "soak: $(((t - soak_start_ms) / 1000))s in, $(uac_progress "$OUT/soak/stats.csv")"
  fi
  sleep $(( (probe_at_ms - t) / 1000 < SAMPLE_SECONDS ? (probe_at_ms - t + 999) / 1000 : SAMPLE_SECONDS ))
done
echo "probe_start_ms $(now_ms)" >>"$OUT/times.txt"
metrics >"$OUT/metrics-probe.txt"
echo "probe_ticks $(cpu_ticks "$JAVA_PID") drops $(udp_drops)" >>"$OUT/times.txt"
echo "probe_sock_drops $(sock_drops "$ROUTER_PORT") $(sock_drops "$UAC_PORT" "$uas1_port" "$uas2_port")" >>"$OUT/times.txt"
if kill -0 "$UAC_PID" 2>/dev/null; then
  probe load
else
  log "soak: the caller is not running: no live set under load"
fi
echo "probe_end_ms $(now_ms)" >>"$OUT/times.txt"
log "soak: waiting for the caller's last calls"
wait "$UAC_PID" || log "soak: the caller exited non-zero (failed calls or its timeout; see the figures)"
echo "soak_end_ms $(now_ms)" >>"$OUT/times.txt"
metrics >"$OUT/metrics-end.txt"
echo "end_ticks $(cpu_ticks "$JAVA_PID") drops $(udp_drops)" >>"$OUT/times.txt"
echo "end_sock_drops $(sock_drops "$ROUTER_PORT") $(sock_drops "$UAC_PORT" "$uas1_port" "$uas2_port")" >>"$OUT/times.txt"
echo "start_ticks $ticks_start drops $drops_start clk_tck $CLK_TCK" >>"$OUT/times.txt"
{
  echo "end_utc $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "loadavg_end $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$OUT/machine.txt"

python3 "$ROOT/bench/soak/figures.py" "$OUT" | tee "$OUT/figures.txt"
