#!/usr/bin/env bash
# Router vs Kamailio under the same sipp load, in one run on one machine (issue 3, "Benchmark").
#
# For each proxy (the Roundhouse router from router/target/router.jar, Kamailio with bench/kamailio/kamailio.cfg),
# with two fresh sipp UAS backends behind it and one sipp UAC in front, all on loopback and free ports:
#   1. highest call rate with zero failed calls: rates stepped up (RATES), STEP_SECONDS each, stop at the first unclean;
#   2. proxy CPU milliseconds per call at FIXED_RATE calls/s for FIXED_SECONDS (utime+stime from /proc/<pid>/stat of
#      the proxy and all its child processes, before/after);
#   3. p50/p99 call-setup time (INVITE sent -> 200 received) in that fixed-rate run, from the UAC's message trace
#      (microsecond timestamps) and, for comparison, from sipp's own -trace_rtt (whole milliseconds, coarse clock);
# then the router/Kamailio ratios. Kernel UDP drops (/proc/net/snmp, machine-wide) are printed per step.
#
# Usage: bench/run.sh            full run, 6-9 minutes on 2 cores (every step bounded)
#        bench/run.sh --quick    a short validation of the script itself (about 70 s; figures meaningless)
# Environment overrides: PROXIES ("router kamailio", add "direct" for sipp straight to one sipp), RATES, STEP_SECONDS,
#   FIXED_RATE, FIXED_SECONDS, CALL_MS, WARMUP_RATE, WARMUP_SECONDS, ROUTER_JAVA_OPTS, KAMAILIO_SHM_MB, OUT.
# Requires: sipp (sip-tester), kamailio, java 17, python3. Writes everything under $OUT (default /tmp/roundhouse-bench.*).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCENARIOS="$ROOT/router/src/test/resources/sipp"
KAMAILIO_CFG="$ROOT/bench/kamailio/kamailio.cfg"
ROUTER_JAR="$ROOT/router/target/router.jar"

PROXIES="${PROXIES:-router kamailio}"
RATES="${RATES:-400 800 1600 2400 3200 4000 4800 5600 6400 8000 9600 12800}"
STEP_SECONDS="${STEP_SECONDS:-10}"
FIXED_RATE="${FIXED_RATE:-1600}"
FIXED_SECONDS="${FIXED_SECONDS:-20}"
CALL_MS="${CALL_MS:-500}"
WARMUP_RATE="${WARMUP_RATE:-800}"
WARMUP_SECONDS="${WARMUP_SECONDS:-10}"
ROUTER_JAVA_OPTS="${ROUTER_JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch}"
KAMAILIO_SHM_MB="${KAMAILIO_SHM_MB:-2048}"
BUFF_SIZE=8388608
if [ "${1:-}" = "--quick" ]; then
  RATES="200 400"; STEP_SECONDS=3; FIXED_RATE=300; FIXED_SECONDS=5; WARMUP_RATE=100; WARMUP_SECONDS=2; CALL_MS=100
fi
OUT="${OUT:-$(mktemp -d /tmp/roundhouse-bench.XXXXXX)}"
mkdir -p "$OUT"
CLK_TCK="$(getconf CLK_TCK)"

# Every process this script starts is recorded here and killed on exit, whatever the exit path.
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
    fi
  done
  sleep 1
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is missing (expected: $2)" >&2; exit 1; }; }
need sipp "Debian package sip-tester"
need python3 "python3"
[[ " $PROXIES " == *" kamailio "* ]] && need kamailio "Debian package kamailio"
if [[ " $PROXIES " == *" router "* ]]; then
  need java "a JDK 17"
  if [ ! -f "$ROUTER_JAR" ]; then
    log "building $ROUTER_JAR"
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl router -am)
  fi
fi

# A loopback port free for both UDP and TCP right now (other processes on this machine pick ports too).
free_port() {
  python3 - <<'EOF'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        t.close(); u.close()
EOF
}

# The first of 4 free consecutive UDP ports below the ephemeral range, for sipp's media sockets (-mp binds the audio
# port and the video port two above it; adjacent ephemeral ports of two sipps would collide).
media_block() {
  python3 - <<'EOF'
import random, socket
def free(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
for _ in range(50):
    first = 20000 + 4 * random.randrange(3000)
    if all(free(first + i) for i in range(4)):
        print(first); break
EOF
}

wait_udp_listening() { # port seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    if ss -Hlun "sport = :$1" 2>/dev/null | grep -q .; then return 0; fi
    sleep 0.1
  done
  echo "bench: nothing listens on udp 127.0.0.1:$1 after $2 s" >&2
  return 1
}

udp_drops() { awk '/^Udp: [0-9]/ { print $4 + $6 }' /proc/net/snmp; } # InErrors + RcvbufErrors

# CPU ticks (utime+stime) of a process and all its children (Kamailio forks its workers).
cpu_ticks() {
  local root=$1 total=0 pid
  for pid in $root $(pgrep -P "$root" || true); do
    if [ -r "/proc/$pid/stat" ]; then
      total=$((total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")))
    fi
  done
  echo "$total"
}

# The start_* functions set globals (STARTED_PID, STARTED_PORT) instead of printing: a command substitution would run
# them in a subshell, losing the pid for the cleanup trap and waiting on the background process's stdout.
start_backend() { # name
  local dir="$OUT/$1" cport mport
  mkdir -p "$dir"
  STARTED_PORT=$(free_port); cport=$(free_port); mport=$(media_block)
  # -abortunexp: a retransmitted INVITE after the answer (the proxy's Timer A under load) must not abort the call.
  sipp -sf "$SCENARIOS/uas.xml" -i 127.0.0.1 -p "$STARTED_PORT" -cp "$cport" -mp "$mport" -nostdin \
    -default_behaviors all,-abortunexp \
    -buff_size "$BUFF_SIZE" -max_recv_loops 10000 -trace_stat -stf "$dir/stats.csv" -fd 5 \
    -trace_err -error_file "$dir/errors.log" >"$dir/stdout.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

start_router() { # dir port nodeport1 nodeport2
  cat >"$1/router.yml" <<EOF
sip:
  listen: [ "udp:127.0.0.1:$2", "tcp:127.0.0.1:$2" ]
nodes:
  - { id: uas-1, uri: "sip:127.0.0.1:$3", weight: 1 }
  - { id: uas-2, uri: "sip:127.0.0.1:$4", weight: 1 }
EOF
  # shellcheck disable=SC2086
  # The GC log tells whether a p99 setup time comes from collection pauses.
  java $ROUTER_JAVA_OPTS "-Xlog:gc:file=$1/gc.log" -jar "$ROUTER_JAR" --config "$1/router.yml" >"$1/router.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

start_kamailio() { # dir port nodeport1 nodeport2
  printf '1 sip:127.0.0.1:%s 0 0\n1 sip:127.0.0.1:%s 0 0\n' "$3" "$4" >"$1/dispatcher.list"
  mkdir -p "$1/run"
  kamailio -f "$KAMAILIO_CFG" -A "DS_LIST=\"$1/dispatcher.list\"" -l "udp:127.0.0.1:$2" -DD -E \
    -m "$KAMAILIO_SHM_MB" -M 8 -x tlsf -Y "$1/run" -w "$1" >"$1/kamailio.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# One bounded UAC run: dir port rate calls [extra sipp args...]; sets UAC_OK and UAC_FAILED.
run_uac() {
  local dir=$1 port=$2 rate=$3 calls=$4; shift 4
  local bound=$(( calls / rate + CALL_MS / 1000 + 30 )) lport cport mport pid
  mkdir -p "$dir"
  lport=$(free_port); cport=$(free_port); mport=$(media_block)
  (cd "$dir" && exec timeout --kill-after=5 $((bound + 10)) sipp -sf "$SCENARIOS/uac.xml" "127.0.0.1:$port" \
    -i 127.0.0.1 -p "$lport" -cp "$cport" -mp "$mport" -nostdin -buff_size "$BUFF_SIZE" \
    -max_recv_loops 10000 -r "$rate" -m "$calls" -d "$CALL_MS" -timeout "${bound}s" -timeout_error \
    -trace_stat -stf "$dir/stats.csv" -fd 5 -trace_err -error_file "$dir/errors.log" "$@" \
    >"$dir/stdout.log" 2>&1) &
  pid=$!
  PIDS+=("$pid")
  wait "$pid" || true
  read -r UAC_OK UAC_FAILED < <(uac_counts "$dir/stats.csv")
}

uac_counts() { # stats.csv -> "successful failed"
  python3 - "$1" <<'EOF'
import sys
try:
    rows = [l.rstrip("\n").split(";") for l in open(sys.argv[1], encoding="latin-1") if l.strip()]
    h, last = rows[0], rows[-1]
    print(last[h.index("SuccessfulCall(C)")], last[h.index("FailedCall(C)")])
except (OSError, IndexError, ValueError):
    print("0 -1")
EOF
}

# p50/p99 of INVITE -> 200 from a UAC message trace (microsecond timestamps), and from sipp's rtt file (ms).
setup_times() { # dir -> prints "p50_trace_ms p99_trace_ms p50_rtt_ms p99_rtt_ms samples"
  python3 - "$1" <<'EOF'
import glob, re, sys
from datetime import datetime
d = sys.argv[1]
sent, got = {}, {}
stamp = None
with open(d + "/messages.log", encoding="latin-1") as f:
    lines = iter(f)
    for line in lines:
        if line.startswith("-----"):
            when = line.strip("-\n ").strip()
            if not when:
                continue  # e.g. "Ignoring provisional ... for transaction invite": a late 180, not a message we time
            stamp = datetime.strptime(when, "%Y-%m-%d %H:%M:%S.%f").timestamp()
            kind = next(lines, "")
            next(lines, "")
            start = next(lines, "")
            callid = None
            for h in lines:
                if h in ("\r\n", "\n", ""):
                    break
                if h.lower().startswith("call-id:"):
                    callid = h.split(":", 1)[1].strip()
            if callid is None:
                continue
            if "sent" in kind and start.startswith("INVITE ") and callid not in sent:
                sent[callid] = stamp
            elif "received" in kind and start.startswith("SIP/2.0 200") and callid in sent and callid not in got:
                got[callid] = stamp
def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
trace = [(got[c] - sent[c]) * 1000 for c in got]
rtt = []
for name in glob.glob(d + "/*_rtt.csv"):
    with open(name) as f:
        next(f, None)
        rtt += [float(l.split(";")[1]) for l in f if l.count(";") >= 2]
print("%.3f %.3f %.0f %.0f %d" % (pct(trace, 50), pct(trace, 99), pct(rtt, 50), pct(rtt, 99), len(trace)))
EOF
}

declare -A MAX_RATE CPU_PER_CALL P50 P99 P50_RTT P99_RTT
for proxy in $PROXIES; do
  dir="$OUT/$proxy"; mkdir -p "$dir"
  start_backend "$proxy/uas-1"; uas1_pid=$STARTED_PID; uas1_port=$STARTED_PORT
  start_backend "$proxy/uas-2"; uas2_pid=$STARTED_PID; uas2_port=$STARTED_PORT
  wait_udp_listening "$uas1_port" 10; wait_udp_listening "$uas2_port" 10
  case $proxy in
    router)   port=$(free_port); start_router "$dir" "$port" "$uas1_port" "$uas2_port"; ppid=$STARTED_PID ;;
    kamailio) port=$(free_port); start_kamailio "$dir" "$port" "$uas1_port" "$uas2_port"; ppid=$STARTED_PID ;;
    direct)   port=$uas1_port; ppid=$uas1_pid ;; # sipp straight to one sipp: the load generator's own ceiling
    *) echo "bench: unknown proxy $proxy (expected: router, kamailio, direct)" >&2; exit 1 ;;
  esac
  wait_udp_listening "$port" 30
  log "$proxy: listening on udp 127.0.0.1:$port (pid $ppid), backends $uas1_port $uas2_port"

  log "$proxy: warm-up ${WARMUP_SECONDS}s at ${WARMUP_RATE}/s"
  run_uac "$dir/warmup" "$port" "$WARMUP_RATE" $((WARMUP_RATE * WARMUP_SECONDS))

  MAX_RATE[$proxy]=0
  for rate in $RATES; do
    calls=$((rate * STEP_SECONDS))
    drops_before=$(udp_drops)
    run_uac "$dir/rate-$rate" "$port" "$rate" "$calls"; ok=$UAC_OK; failed=$UAC_FAILED
    drops=$(( $(udp_drops) - drops_before ))
    log "$proxy: ${rate}/s for ${STEP_SECONDS}s: successful=$ok failed=$failed (of $calls) udp_drops=$drops"
    if [ "$failed" != "0" ] || [ "$ok" != "$calls" ]; then break; fi
    MAX_RATE[$proxy]=$rate
    sleep 3 # let the backends' timewaits drain so the next step starts clean
  done

  sleep 3
  log "$proxy: fixed ${FIXED_RATE}/s for ${FIXED_SECONDS}s (CPU and setup time)"
  calls=$((FIXED_RATE * FIXED_SECONDS))
  ticks_before=$(cpu_ticks "$ppid"); drops_before=$(udp_drops)
  run_uac "$dir/fixed" "$port" "$FIXED_RATE" "$calls" \
    -trace_rtt -rtt_freq 1000 -trace_msg -message_file "$dir/fixed/messages.log"
  ok=$UAC_OK; failed=$UAC_FAILED
  ticks=$(( $(cpu_ticks "$ppid") - ticks_before )); drops=$(( $(udp_drops) - drops_before ))
  CPU_PER_CALL[$proxy]=$(python3 -c "print('%.4f' % ($ticks * 1000 / $CLK_TCK / max(1, $ok)))")
  read -r p50 p99 p50r p99r samples < <(setup_times "$dir/fixed")
  P50[$proxy]=$p50; P99[$proxy]=$p99; P50_RTT[$proxy]=$p50r; P99_RTT[$proxy]=$p99r
  log "$proxy: fixed run successful=$ok failed=$failed cpu_ticks=$ticks udp_drops=$drops setup samples=$samples"

  for pid in "$ppid" "$uas1_pid" "$uas2_pid"; do kill "$pid" 2>/dev/null || true; done
  sleep 2
done

echo
echo "Roundhouse bench, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
echo "sipp $(sipp -v 2>&1 | grep -o 'v[0-9.]*' | head -1), calls of ${CALL_MS} ms, steps of ${STEP_SECONDS} s, fixed rate ${FIXED_RATE}/s for ${FIXED_SECONDS} s; results in $OUT"
printf '%-9s %16s %18s %14s %14s %14s %14s\n' proxy "max clean (c/s)" "CPU ms/call@fixed" "p50 setup ms" "p99 setup ms" "p50 rtt(sipp)" "p99 rtt(sipp)"
for proxy in $PROXIES; do
  printf '%-9s %16s %18s %14s %14s %14s %14s\n' "$proxy" "${MAX_RATE[$proxy]}" "${CPU_PER_CALL[$proxy]}" \
    "${P50[$proxy]}" "${P99[$proxy]}" "${P50_RTT[$proxy]}" "${P99_RTT[$proxy]}"
done
if [[ " $PROXIES " == *" router "* && " $PROXIES " == *" kamailio "* ]]; then
  python3 - "${MAX_RATE[router]}" "${MAX_RATE[kamailio]}" "${CPU_PER_CALL[router]}" "${CPU_PER_CALL[kamailio]}" \
    "${P99[router]}" "${P99[kamailio]}" <<'EOF'
import sys
rr, rk, cr, ck, pr, pk = map(float, sys.argv[1:])
ratio = lambda a, b: "%.2f" % (a / b) if b else "n/a"
print("router/kamailio: max clean rate x%s (target >= 1.00), CPU per call x%s (target <= 1.50), "
      "p99 setup %+.3f ms (target <= +1 ms)" % (ratio(rr, rk), ratio(cr, ck), pr - pk))
EOF
fi
