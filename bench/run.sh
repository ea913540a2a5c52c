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
#   4. sustained clean rate (issue 15): the highest clean step held for CONFIRM_SECONDS (default 20); when it is not
#      clean that long, the next lower step is held, and so on down RATES (0: none held);
#   5. p50/p99 setup time at half of Kamailio's clean rate (HALF_RATE overrides it; Kamailio runs first in each round,
#      so its rate is known before the others' runs), FIXED_SECONDS long;
#   6. overload (issue 9): OVERLOAD_SECONDS (default 10; 0: skipped) at twice the clean rate of step 1 (OVERLOAD_RATE
#      overrides it; OVERLOAD_CLEAN_RATE replaces the measured clean rate as the reference), with a caller that counts
#      503 as an expected answer (bench/sipp/uac_overload.xml) and fresh backends on the same ports that account for
#      every leg (bench/sipp/uas_legs.xml): calls answered while calls were offered against the clean rate's
#      (target >= 0.90; also every call answered however late, after retransmissions), 503s of the
#      router's overload guard (count, p50/p99 latency), other 503s, failed calls, and on the backends duplicate legs
#      (a Call-ID answered twice), unacknowledged legs (200 without ACK for 8 s) and legs never hung up;
#      for the router also its own counters (shed, legs it ended) and the guard's admitted share over the step;
# then the router/Kamailio ratios. Kernel UDP drops (/proc/net/snmp, machine-wide) are printed per step.
# Steps 2-6 run in the first round only; with REPEAT the clean rate is the median of the rounds.
#
# Dispatch variants (issue 4, "Benchmark"): the same load through the router with live dispatch from Redis.
#   router               static round robin over the two backends (`nodes:` only, no Redis): the reference;
#   router-least-loaded  a `default` service, strategy least-loaded, over the same two nodes, whose agent state an
#                        agent stand-in (bench/dispatch/agent-standin.py running publish-node.lua) publishes every AGENT_INTERVAL s;
#   router-affinity      a `conference` service with `affinity` (docs/dispatch.md's example); the UAC
#                        (bench/sipp/uac_rooms.xml) calls conf-<room> over ROOMS rooms, new rooms for every sipp run,
#                        so each run's first ROOMS calls claim a placement and the others join a placed room.
#   Each variant gets a private redis-server on a free port (no persistence), killed with the rest. Per variant, in
#   the fixed-rate run, Redis commands per call = delta of the sum of `cmdstat_*` calls of INFO commandstats (INFO
#   itself excluded), minus the agent stand-in's commands (counted exactly: see agent_publish), over successful calls;
#   the top commands are printed. Then each variant's clean rate over plain round robin's (target >= 0.90).
#   Health probing is off in these configs (round robin probes too): sipp's uas.xml does not answer OPTIONS.
#
# Usage: bench/run.sh            full run, four proxies, about 18-25 minutes on 2 cores (every step bounded)
#        bench/run.sh --quick    a short validation of the script itself (about 2-3 minutes; figures meaningless)
# Environment overrides: PROXIES ("router router-least-loaded router-affinity kamailio", add "direct" for sipp
#   straight to one sipp), RATES, STEP_SECONDS, CONFIRM_SECONDS, HALF_RATE, FIXED_RATE, FIXED_SECONDS, CALL_MS, WARMUP_RATES, WARMUP_SECONDS,
#   ROUTER_JAVA, ROUTER_JAVA_OPTS, KAMAILIO_SHM_MB, ROOMS, AGENT_INTERVAL, AGENT_TTL_MS, DECISIONS_KEPT, DECISION_LOG, REPEAT, OUT,
#   OVERLOAD_SECONDS, OVERLOAD_RATE, OVERLOAD_CLEAN_RATE, OVERLOAD_PROXIES (default: every proxy but direct),
#   ROUTER_OVERLOAD (the bench router's sip.overload, a YAML flow mapping, e.g. "{ max-loop-busy: 80 }"; empty: defaults).
#   PROXY_CPU (cores the proxy under test may use, e.g. 0.5: a CFS quota of a cgroup the proxy starts in, Kamailio's
#   workers too; empty: no limit; needs a writable cpu cgroup, v1 or v2). On a machine with few cores, the load
#   generator then has the CPU to really offer twice the proxy's clean rate; docs/performance.md, "Overload".
#   PROXY_CPU_THREADS (with PROXY_CPU, cgroup v1 only: an extended grep regex matched against each thread name of the
#   proxy, /proc/PID/task/TID/comm, at most 15 characters; empty, the default: the quota is on the whole process): the
#   quota applies only to the proxy's threads whose name matches; every other thread of the proxy is moved to the
#   parent cgroup, once the proxy answers and again before each step (threads started later join their creator's
#   cgroup); a regex that matches no thread stops the bench. Why: the router's SIP event loop (threads named sip-N-M,
#   regex ^sip-[0-9]+-[0-9]+$) is what limits its call rate; a router with a second thread that reads and sheds new
#   calls (the 'door', thread sip-door-N-M) would have that thread share the loop's half core under a whole-process
#   quota, which models no deployment; quota on the loop only models a router whose machine has a core beyond the call
#   loop's. Kamailio: meaningless (its workers are processes), refused when PROXIES includes kamailio. The router
#   starts inside the quota, so its JVM sees one processor and leaves the door off unless told: with SPLIT_SOCKETS=1,
#   add ROUTER_OVERLOAD="{ new-call-thread: true }" to measure the door.
#   SPLIT_SOCKETS=1 (the bench router listens on a second UDP port listed first, which its Via and Record-Route name:
#   the nodes answer there, away from the callers' port, and the overload step's callers send their ACKs and BYEs
#   there, by its Record-Route; docs/security.md, "A port for new calls"; default 0).
#   CALLERS_KEEP_THEIR_PORT=1 (with SPLIT_SOCKETS=1: sip.callers-keep-their-port, the callers are record-routed with
#   their port, so only the nodes reach the second one: a router whose callers are given one port; default 0).
# Requires: sipp (sip-tester), kamailio, java 17, python3, redis-server, redis-cli and flock (dispatch variants).
# Writes everything under $OUT (default /tmp/roundhouse-bench.*).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCENARIOS="$ROOT/router/src/test/resources/sipp"
KAMAILIO_CFG="$ROOT/bench/kamailio/kamailio.cfg"
ROUTER_JAR="$ROOT/router/target/router.jar"

PROXIES="${PROXIES:-router router-least-loaded router-affinity kamailio}"
ROOMS="${ROOMS:-100}"                   # conference rooms per sipp run (router-affinity)
AGENT_INTERVAL="${AGENT_INTERVAL:-1}"   # seconds between two heartbeats of the agent stand-in
AGENT_TTL_MS="${AGENT_TTL_MS:-3000}"    # TTL of a node state: three heartbeats, as docs/redis-state.md advises
DECISIONS_KEPT="${DECISIONS_KEPT:-}"    # dispatch.decisions-kept (empty: the router's default, 1000; 0: no Redis log)
DECISION_LOG="${DECISION_LOG:-info}"    # off: the per-call decision log line raised to WARN (a logback.xml in bench/)
RATES="${RATES:-400 800 1600 2400 3200 4000 4800 5600 6400 8000 9600 12800}"
STEP_SECONDS="${STEP_SECONDS:-10}"
CONFIRM_SECONDS="${CONFIRM_SECONDS:-20}" # a clean step is held this long to count as sustained
HALF_RATE="${HALF_RATE:-}"              # rate of the setup-time run at "half of Kamailio's clean rate" (empty: measured)
FIXED_RATE="${FIXED_RATE:-1600}"
FIXED_SECONDS="${FIXED_SECONDS:-20}"
CALL_MS="${CALL_MS:-500}"
WARMUP_RATES="${WARMUP_RATES:-800 1600}" # warm-up steps, WARMUP_SECONDS each: a cold JVM straight at 1,600/s drops
WARMUP_SECONDS="${WARMUP_SECONDS:-10}"
REPEAT_GIVEN="${REPEAT:-}"
REPEAT="${REPEAT:-1}"                   # rounds of the rate search; the table gives each proxy's median
ROUTER_JAVA="${ROUTER_JAVA:-java}"     # the router's JVM: e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java (issue 15's JDK lever)
ROUTER_JAVA_OPTS="${ROUTER_JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch}"
KAMAILIO_SHM_MB="${KAMAILIO_SHM_MB:-2048}"
OVERLOAD_SECONDS="${OVERLOAD_SECONDS:-10}"   # step 6; 0 skips it
OVERLOAD_RATE="${OVERLOAD_RATE:-}"           # empty: twice the reference clean rate
OVERLOAD_CLEAN_RATE="${OVERLOAD_CLEAN_RATE:-}" # empty: the proxy's clean rate from step 1 (first round)
OVERLOAD_PROXIES="${OVERLOAD_PROXIES:-$(echo " ${PROXIES} " | sed 's/ direct / /g')}"
PROXY_CPU="${PROXY_CPU:-}"                   # cores of the proxy's CPU quota (empty: no limit)
PROXY_CPU_THREADS="${PROXY_CPU_THREADS:-}"   # grep -E regex of the proxy threads under that quota (empty: all of them)
ROUTER_OVERLOAD="${ROUTER_OVERLOAD:-}"       # sip.overload of the bench router (empty: the router's defaults)
LEG_SETTLE_SECONDS=10 # after the overload caller ends: uas_legs.xml waits 8 s for an ACK before counting a leg unacknowledged
BUFF_SIZE=8388608
if [ "${1:-}" = "--quick" ]; then
  RATES="200 400"; STEP_SECONDS=3; CONFIRM_SECONDS=4; FIXED_RATE=300; FIXED_SECONDS=5; WARMUP_RATES=100; WARMUP_SECONDS=2; CALL_MS=100
  OVERLOAD_SECONDS=3
  REPEAT="${REPEAT_GIVEN:-2}" # two rounds, so that --quick runs the repeat path too
fi
for knob in STEP_SECONDS CONFIRM_SECONDS ${HALF_RATE:+HALF_RATE} ${OVERLOAD_RATE:+OVERLOAD_RATE} \
    ${OVERLOAD_CLEAN_RATE:+OVERLOAD_CLEAN_RATE}; do
  if ! [[ ${!knob} =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: $knob=${!knob} (expected: a whole number, 1 or more)" >&2
    exit 2
  fi
done
if ! [[ $OVERLOAD_SECONDS =~ ^[0-9]+$ ]]; then
  echo "bench: OVERLOAD_SECONDS=$OVERLOAD_SECONDS (expected: a whole number of seconds, 0 to skip the overload step)" >&2
  exit 2
fi
if [ -n "$PROXY_CPU" ] && ! [[ $PROXY_CPU =~ ^([1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)$ ]]; then
  echo "bench: PROXY_CPU=$PROXY_CPU (expected: cores, a number over 0, e.g. 0.5)" >&2
  exit 2
fi
if [ -n "$PROXY_CPU_THREADS" ]; then
  if [ -z "$PROXY_CPU" ]; then
    echo "bench: PROXY_CPU_THREADS=$PROXY_CPU_THREADS needs PROXY_CPU (the quota those threads carry); PROXY_CPU is empty" >&2
    exit 2
  fi
  if [[ " $PROXIES " == *" kamailio "* ]]; then
    echo "bench: PROXY_CPU_THREADS=$PROXY_CPU_THREADS is meaningless for kamailio (its workers are processes, not threads): remove kamailio from PROXIES or unset PROXY_CPU_THREADS" >&2
    exit 2
  fi
  # The same test as the cgroup setup's v1 branch below, plus the parent's tasks file the other threads go to. In
  # cgroup v2 a process's threads may only be split within a threaded subtree, which this script does not set up.
  if ! { [ -w /sys/fs/cgroup/cpu ] && [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] && [ -w /sys/fs/cgroup/cpu/tasks ]; }; then
    echo "bench: PROXY_CPU_THREADS=$PROXY_CPU_THREADS needs cgroup v1's cpu controller, writable at /sys/fs/cgroup/cpu (its tasks file moves single threads); not found (cgroup v2 would need a threaded subtree, not done here)" >&2
    exit 2
  fi
  # grep exits 2 on a regex it cannot compile (1: a valid regex that matched nothing).
  regex_rc=0; grep -Eq -- "$PROXY_CPU_THREADS" </dev/null 2>/dev/null || regex_rc=$?
  if [ "$regex_rc" -eq 2 ]; then
    echo "bench: PROXY_CPU_THREADS=$PROXY_CPU_THREADS (expected: an extended grep regex, e.g. ^sip-[0-9]+-[0-9]+\$)" >&2
    exit 2
  fi
fi
if ! [[ $REPEAT =~ ^[1-9][0-9]*$ ]]; then
  echo "bench: REPEAT=$REPEAT (expected: a whole number of rounds, 1 or more)" >&2
  exit 2
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
  if [ -n "${PROXY_CGROUP:-}" ]; then rmdir "$PROXY_CGROUP" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PROXY_CPU: the proxy starts inside a cgroup whose CPU quota is that many cores, over a 10 ms period (short, so that a
# throttled proxy waits milliseconds, not the default period's 100). PROXY_EXEC is the prefix of its command.
PROXY_CGROUP=""
PROXY_EXEC=()
if [ -n "$PROXY_CPU" ]; then
  quota_us=$(awk -v c="$PROXY_CPU" 'BEGIN { printf "%d", c * 10000 }')
  if [ "$quota_us" -lt 1000 ]; then # the kernel's smallest quota is 1 ms
    echo "bench: PROXY_CPU=$PROXY_CPU (expected: 0.1 cores or more)" >&2
    exit 2
  fi
  if [ -w /sys/fs/cgroup/cpu ] && [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
    PROXY_CGROUP=/sys/fs/cgroup/cpu/roundhouse-bench-$$
    mkdir "$PROXY_CGROUP"
    echo 10000 >"$PROXY_CGROUP/cpu.cfs_period_us"
    echo "$quota_us" >"$PROXY_CGROUP/cpu.cfs_quota_us"
  # cgroup v2: written from the kernel's documentation, not yet run (the bench machines so far have v1).
  elif [ -w /sys/fs/cgroup/cgroup.subtree_control ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
    PROXY_CGROUP=/sys/fs/cgroup/roundhouse-bench-$$
    echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
    mkdir "$PROXY_CGROUP"
    echo "$quota_us 10000" >"$PROXY_CGROUP/cpu.max"
  else
    echo "bench: PROXY_CPU=$PROXY_CPU needs a writable cpu cgroup (v1 /sys/fs/cgroup/cpu or v2 /sys/fs/cgroup)" >&2
    exit 1
  fi
  # shellcheck disable=SC2016
  PROXY_EXEC=(sh -c 'echo $$ >"$0" && exec "$@"' "$PROXY_CGROUP/cgroup.procs")
fi

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is missing (expected: $2)" >&2; exit 1; }; }
need sipp "Debian package sip-tester"
need python3 "python3"
[[ " $PROXIES " == *" kamailio "* ]] && need kamailio "Debian package kamailio"
if [[ " $PROXIES " == *" router-"* ]]; then
  need redis-server "Debian package redis-server"
  need redis-cli "Debian package redis-tools"
  need flock "util-linux"
fi
if [[ " $PROXIES " == *" router"* ]]; then
  need java "a JDK 17"
  if [ ! -f "$ROUTER_JAR" ]; then
    log "building $ROUTER_JAR"
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl router -am)
  fi
fi

source "$ROOT/bench/lib.sh" # free_port, media_block, wait_udp_listening, udp_drops

# utime+stime of every thread of a process, by thread name with its trailing number dropped ("GC Thread#1" and
# "GC Thread#0" add up as "GC Thread#"): where a Java proxy's CPU goes (event loop, decisions, logging, GC, JIT).
thread_ticks() {
  # A thread may end between the glob and cat: cat then fails, which must not end the bench (set -e, pipefail).
  { cat /proc/"$1"/task/*/stat 2>/dev/null || true; } | awk '{
    name = $0; sub(/^[0-9]+ \(/, "", name); sub(/\) [A-Z] .*$/, "", name); sub(/[0-9]+$/, "", name)
    rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " "); ticks[name] += f[12] + f[13]
  } END { for (n in ticks) print ticks[n] "\t" n }'
}

# The threads that took most CPU between two thread_ticks files, in ms per call: "name 0.123, ...".
thread_share() {
  awk -F'\t' -v calls="$3" -v tck="$CLK_TCK" 'NR == FNR { before[$2] = $1; next }
    { d = $1 - before[$2]; if (d > 0) printf "%d\t%s %.4f\n", d, $2, d * 1000 / tck / (calls > 0 ? calls : 1) }' \
    "$1" "$2" | sort -rn | head -6 | cut -f2 | paste -sd, | sed 's/,/, /g'
}

# The median of the arguments (the lower middle one for an even count).
median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Stops the proxy, backends, agent stand-in and Redis of one run.
stop_run() {
  local pid
  for pid in "$ppid" "$uas1_pid" "$uas2_pid" $agents_pid $redis_pid; do kill "$pid" 2>/dev/null || true; done
  sleep 2
}

# Busy ticks of the whole machine (every CPU: user, nice, system, irq, softirq of /proc/stat; not idle, iowait, steal): what a proxy variant costs
# including its helpers (Redis, the agent stand-in) and the sipp processes, which share the cores with it.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }

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

# PROXY_CPU_THREADS: the quota cgroup keeps the proxy's threads whose name matches; the others go to the parent
# cgroup (cgroup v1 moves the one thread whose TID is written to a tasks file). Run once the proxy answers and again
# before each step: a thread the JVM starts later (compiler threads, pools) joins the cgroup of the thread that
# created it. Idempotent: threads already in the right cgroup are left alone. A thread may start during a pass (the
# first pass saw the loop start sip-udp-queues-N): passes repeat until the quota cgroup, read back from its tasks file,
# holds exactly the matching threads. Logs what it moved; sets QUOTA_THREADS[proxy] to "<count> (<names>)".
declare -A QUOTA_THREADS=()
quota_threads() { # proxy pid
  local proxy=$1 pid=$2 task tid name in_quota all moved_in=0 moved_out=0 names count stray pass
  local parent_tasks
  if [ -z "$PROXY_CPU_THREADS" ] || [[ $proxy != router* ]]; then return 0; fi # direct runs outside the cgroup
  parent_tasks="$(dirname "$PROXY_CGROUP")/tasks"
  for ((pass = 1; pass <= 5; pass++)); do
    if [ ! -d "/proc/$pid/task" ]; then
      echo "bench: $proxy: the proxy (pid $pid) is gone: no threads to put under PROXY_CPU_THREADS" >&2
      exit 1
    fi
    in_quota=" $(tr '\n' ' ' <"$PROXY_CGROUP/tasks")"
    all=""
    for task in /proc/"$pid"/task/*; do
      tid=${task##*/}
      name=$(cat "$task/comm" 2>/dev/null) || continue # the thread ended since the glob
      all+="$name, "
      if grep -Eq -- "$PROXY_CPU_THREADS" <<<"$name"; then
        if [[ $in_quota != *" $tid "* ]]; then
          # A write fails when the thread has just ended: the read-back below tells.
          { echo "$tid" >"$PROXY_CGROUP/tasks"; } 2>/dev/null && moved_in=$((moved_in + 1))
        fi
      elif [[ $in_quota == *" $tid "* ]]; then
        { echo "$tid" >"$parent_tasks"; } 2>/dev/null && moved_out=$((moved_out + 1))
      fi
    done
    # Read back: the proxy's threads now in the quota cgroup must be the matching ones (and, below, at least one).
    names=""; count=0; stray=""
    for tid in $(cat "$PROXY_CGROUP/tasks"); do
      name=$(cat "/proc/$pid/task/$tid/comm" 2>/dev/null) || continue # another process's, or ended
      if grep -Eq -- "$PROXY_CPU_THREADS" <<<"$name"; then
        count=$((count + 1)); names+="${names:+, }$name"
      else
        stray+="${stray:+, }$name ($tid)"
      fi
    done
    if [ -z "$stray" ]; then break; fi
  done
  if [ -n "$stray" ]; then
    echo "bench: $proxy: threads not matching PROXY_CPU_THREADS=$PROXY_CPU_THREADS still in $PROXY_CGROUP after 5 passes moving them out: $stray" >&2
    exit 1
  fi
  if [ "$count" -eq 0 ]; then
    echo "bench: $proxy: PROXY_CPU_THREADS=$PROXY_CPU_THREADS matches none of the threads of the proxy (pid $pid): the proxy would run without a quota and the figures would be mislabelled; its threads: ${all%, }" >&2
    exit 1
  fi
  QUOTA_THREADS[$proxy]="$count ($names)"
  if [ $((moved_in + moved_out)) -gt 0 ]; then
    log "$proxy: CPU quota on $count thread(s) matching $PROXY_CPU_THREADS: $names; moved $moved_out other thread(s) to the parent cgroup, $moved_in matching one(s) into the quota ($pass pass(es))"
  fi
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

start_router() { # dir port nodeport1 nodeport2 [dispatch-variant redis-port]; sets ROUTER_METRICS_PORT and ROUTER_DIALOG_PORT too
  ROUTER_METRICS_PORT=$(free_port)
  ROUTER_DIALOG_PORT=""
  local dialog_listen=""
  if [ "${SPLIT_SOCKETS:-0}" = 1 ]; then
    ROUTER_DIALOG_PORT=$(free_port)
    dialog_listen="\"udp:127.0.0.1:$ROUTER_DIALOG_PORT\", "
  fi
  local callers_keep_their_port=""
  if [ "${CALLERS_KEEP_THEIR_PORT:-0}" = 1 ]; then
    callers_keep_their_port="  callers-keep-their-port: true" # without SPLIT_SOCKETS=1 the router refuses it
  fi
  cat >"$1/router.yml" <<EOF
sip:
  listen: [ $dialog_listen"udp:127.0.0.1:$2", "tcp:127.0.0.1:$2" ]
  # One sipp caller sends thousands of messages a second from one address: the per-source flood limit (issue 9)
  # would block it within seconds. Off, as Kamailio's bench config runs without pike.
  flood: { enabled: false }
  # The overload guard (issue 9) is on with the router's defaults unless ROUTER_OVERLOAD sets it (step 6 measures it).
${ROUTER_OVERLOAD:+  overload: $ROUTER_OVERLOAD}
${callers_keep_their_port}
nodes:
  - { id: uas-1, uri: "sip:127.0.0.1:$3", weight: 1 }
  - { id: uas-2, uri: "sip:127.0.0.1:$4", weight: 1 }
health:
  enabled: false
# Read by the overload step (shed requests, legs the router ended, the guard's state); the registry exists anyway,
# so this only adds an idle HTTP listener.
metrics:
  listen: "127.0.0.1:$ROUTER_METRICS_PORT"
EOF
  if [ -n "${5:-}" ]; then
    # The same static nodes, plus their agents' state in Redis; require-agent makes eligibility check the agent's
    # state (fresh, apps, accepting: docs/dispatch.md, Eligibility). sipp answers no OPTIONS: no health probing.
    cat >>"$1/router.yml" <<EOF
redis:
  url: "redis://127.0.0.1:$6/0"
dispatch:
  require-agent: true
EOF
    if [ -n "$DECISIONS_KEPT" ]; then echo "  decisions-kept: $DECISIONS_KEPT" >>"$1/router.yml"; fi
    case $5 in
      least-loaded) cat >>"$1/router.yml" <<'EOF'
services:
  - name: default
    app: Default
    strategy: least-loaded
EOF
      ;;
      affinity) cat >>"$1/router.yml" <<'EOF'
services:
  - name: conference
    match: { ruri-user: "^conf-(?<room>[0-9]+)$" }
    app: Conference
    app-data: "${room}"
    affinity: "${ruri-host}:${room}"
  - name: default
    app: Default
    strategy: least-loaded
EOF
      ;;
    esac
  fi
  # shellcheck disable=SC2086
  # The GC log tells whether a p99 setup time comes from collection pauses.
  local -a log_opts=()
  if [ -n "${5:-}" ] && [ "$DECISION_LOG" = off ]; then
    log_opts=("-Dlogback.configurationFile=$ROOT/bench/dispatch/logback-no-decisions.xml")
  fi
  "${PROXY_EXEC[@]}" "$ROUTER_JAVA" $ROUTER_JAVA_OPTS "${log_opts[@]}" "-Xlog:gc:file=$1/gc.log" -jar "$ROUTER_JAR" --config "$1/router.yml" >"$1/router.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

start_kamailio() { # dir port nodeport1 nodeport2
  printf '1 sip:127.0.0.1:%s 0 0\n1 sip:127.0.0.1:%s 0 0\n' "$3" "$4" >"$1/dispatcher.list"
  mkdir -p "$1/run"
  "${PROXY_EXEC[@]}" kamailio -f "$KAMAILIO_CFG" -A "DS_LIST=\"$1/dispatcher.list\"" -l "udp:127.0.0.1:$2" -DD -E \
    -m "$KAMAILIO_SHM_MB" -M 8 -x tlsf -Y "$1/run" -w "$1" >"$1/kamailio.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# A private redis-server for one dispatch variant (no persistence); sets STARTED_PID and STARTED_PORT.
start_redis() { # dir
  STARTED_PORT=$(free_port)
  redis-server --port "$STARTED_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$1" \
    >"$1/redis.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# The agent stand-in: one heartbeat of node $2, with the script an agent's NodeStates.publish runs.
# Every publication and every commandstats snapshot hold the same lock, and each publication appends a line to
# $1/agent.count: so the publications between two snapshots are counted exactly, and their Redis commands are
# (commands per publication, measured before the router starts) x (publications).
agent_publish() { # dir id uri redis-port: one heartbeat of one node (used to calibrate the per-heartbeat cost)
  python3 "$ROOT/bench/dispatch/agent-standin.py" "$4" "$1/agent.lock" "$1/agent.count" \
    "$ROOT/bench/dispatch/publish-node.lua" "$AGENT_TTL_MS" "$AGENT_INTERVAL" --once "$2=$3"
}
start_agents() { # dir redis-port nodeport1 nodeport2; sets STARTED_PID (the heartbeat process)
  python3 "$ROOT/bench/dispatch/agent-standin.py" "$2" "$1/agent.lock" "$1/agent.count" \
    "$ROOT/bench/dispatch/publish-node.lua" "$AGENT_TTL_MS" "$AGENT_INTERVAL" \
    "uas-1=sip:127.0.0.1:$3" "uas-2=sip:127.0.0.1:$4" 2>>"$1/agent.log" &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}
redis_snapshot() { # dir redis-port
  flock "$1/agent.lock" sh -c 'wc -l <"$1/agent.count"; redis-cli -p "$2" INFO commandstats' sh "$1" "$2" \
    | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1 \2/p; s/^\([0-9][0-9]*\)$/\1/p'
}

# Redis commands between two snapshots, by command, minus INFO (the snapshots' own) and minus the agents' commands
# (publications x the per-publication commands listed in $3). Prints "<router commands> <publications> <agent
# commands>", then the router's top commands.
redis_delta() { # before after per-publication
  python3 - "$1" "$2" "$3" <<'EOF'
import sys
def load(name):
    lines = open(name).read().split("\n")
    stats = {}
    for l in lines[1:]:
        if l.strip():
            k, v = l.split()
            stats[k] = int(v)
    return int(lines[0]), stats
(p0, a), (p1, b) = load(sys.argv[1]), load(sys.argv[2])
per_pub = {}
for l in open(sys.argv[3]):
    k, v = l.split()
    per_pub[k] = float(v)
pubs = p1 - p0
delta = {}
for k in set(a) | set(b):
    if k == "info":
        continue
    d = b.get(k, 0) - a.get(k, 0) - per_pub.get(k, 0) * pubs
    if d:
        delta[k] = d
print("%d %d %d" % (sum(delta.values()), pubs, sum(per_pub.values()) * pubs))
for k, v in sorted(delta.items(), key=lambda kv: -kv[1])[:8]:
    print("%s %d" % (k, v))
EOF
}

# Commands of one agent publication, by command, from two snapshots around one publication made while nothing else
# talks to Redis (before the router starts): "<command> <calls>" lines.
agent_cost() { # before after
  python3 - "$1" "$2" <<'EOF'
import sys
def load(name):
    lines = open(name).read().split("\n")
    return int(lines[0]), dict(l.split() for l in lines[1:] if l.strip())
(p0, a), (p1, b) = load(sys.argv[1]), load(sys.argv[2])
if p1 - p0 != 1:
    sys.exit("bench: expected one agent publication between the snapshots, got %d" % (p1 - p0))
for k in sorted(set(a) | set(b)):
    d = int(b.get(k, 0)) - int(a.get(k, 0))
    if k != "info" and d:
        print(k, d)
EOF
}

# After the warm-up of a dispatch variant: the decision log must show both nodes chosen by the expected reasons, and
# least-loaded scores other than 0.500 (the score of a node without agent state), i.e. the agents' state is seen.
check_dispatch() { # proxy router.log redis-port
  if [ "$DECISION_LOG" = off ]; then
    if [ "$DECISIONS_KEPT" = 0 ]; then
      echo "bench: $1: WARNING: decision log off and decisions-kept 0: eligibility of the nodes NOT checked" >&2
      return 0
    fi
    # The same lines, kept in Redis (newest first, capped).
    redis-cli -p "$3" LRANGE rh:decisions 0 -1 >"$(dirname "$2")/decisions.txt"
    set -- "$1" "$(dirname "$2")/decisions.txt" "$3"
  fi
  python3 - "$1" "$2" <<'EOF'
import re, sys
proxy, log = sys.argv[1], sys.argv[2]
lines = [l for l in open(log, encoding="latin-1") if "call-id=" in l and " reason=" in l]
nodes, reasons, scores, excluded = {}, {}, set(), set()
for l in lines:
    m = re.search(r" node=(\S+) reason=(\S+)", l)
    if m:
        nodes[m.group(1)] = nodes.get(m.group(1), 0) + 1
        reasons[m.group(2)] = reasons.get(m.group(2), 0) + 1
    c = re.search(r" candidates=\[([^\]]*)\]", l)
    if c:
        scores.update(x.rsplit(":", 1)[1] for x in c.group(1).split(",") if ":" in x)
    e = re.search(r" excluded=\[([^\]]*)\]", l)
    if e and e.group(1):
        excluded.add(e.group(1))
print("bench: %s: %d decisions, nodes %s, reasons %s, excluded %s" % (proxy, len(lines), nodes, reasons, sorted(excluded)[:3]))
if lines:
    print("bench: %s: e.g. %s" % (proxy, lines[-1].strip()))
problems = []
if not {"uas-1", "uas-2"} <= set(nodes):  # "-" (no node) may come from a warm-up that overloaded a cold JVM
    problems.append("expected decisions for uas-1 and uas-2")
if proxy == "router-least-loaded" and (not scores or scores <= {"0.500"}):
    problems.append("least-loaded scores %s: the agents' state is not seen" % sorted(scores)[:5])
if proxy == "router-affinity" and not {"affinity-claimed", "affinity-placed"} <= set(reasons):
    problems.append("expected affinity-claimed and affinity-placed decisions")
if problems:
    sys.exit("bench: %s: %s (see %s)" % (proxy, "; ".join(problems), log))
EOF
}

# One bounded UAC run: dir port rate calls [extra sipp args...]; sets UAC_OK and UAC_FAILED.
# UAC_SCENARIO (set per proxy) chooses the caller; for router-affinity each run gets ROOMS new rooms; UAC_INF, when
# set, is the injection file instead.
run_uac() {
  local dir=$1 port=$2 rate=$3 calls=$4; shift 4
  local bound=$(( calls / rate + CALL_MS / 1000 + 30 )) lport cport mport pid
  local -a uac_args=()
  mkdir -p "$dir"
  if [ -n "${UAC_INF:-}" ]; then
    uac_args+=(-inf "$UAC_INF") # the overload step writes its own users
  elif [ "$UAC_SCENARIO" = "$ROOT/bench/sipp/uac_rooms.xml" ]; then
    python3 -c "import sys; b = int(sys.argv[1]); print('SEQUENTIAL'); [print('%d;' % r) for r in range(b, b + int(sys.argv[2]))]" \
      "$ROOM_BASE" "$ROOMS" >"$dir/rooms.csv"
    ROOM_BASE=$((ROOM_BASE + ROOMS))
    uac_args+=(-inf "$dir/rooms.csv")
  fi
  lport=$(free_port); cport=$(free_port); mport=$(media_block)
  (cd "$dir" && exec timeout --kill-after=5 $((bound + 10)) sipp -sf "$UAC_SCENARIO" "127.0.0.1:$port" "${uac_args[@]}" \
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

# ---- Overload step (issue 9), step 6 ---------------------------------------------------------------------------------

# A backend of the overload step: bench/sipp/uas_legs.xml on the port the proxy already sends to, with its log of legs
# (-trace_logs: one line per leg and per unacknowledged leg) and statistics every second.
start_legs_backend() { # dir port
  local cport mport
  mkdir -p "$1"
  cport=$(free_port); mport=$(media_block)
  sipp -sf "$ROOT/bench/sipp/uas_legs.xml" -i 127.0.0.1 -p "$2" -cp "$cport" -mp "$mport" -nostdin \
    -default_behaviors all,-abortunexp \
    -buff_size "$BUFF_SIZE" -max_recv_loops 10000 -trace_stat -stf "$1/stats.csv" -fd 1 \
    -trace_logs -log_file "$1/legs.log" -trace_err -error_file "$1/errors.log" >"$1/stdout.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# Samples of the proxy over the overload step, every 250 ms for at most $5 seconds, one line each: the router's
# overload gauges and counters from its metrics endpoint ("nan" without one: Kamailio), the run and run-queue wait
# times of its SIP event loop threads ("sip-N-M", not the door's or others; /proc/<pid>/task/<tid>/schedstat; 0 for
# Kamailio), and its UDP socket's receive queue, receive buffer and drops (ss's skmem r, rb, d), then the same of the
# router's dialog socket with SPLIT_SOCKETS=1 ("nan" otherwise). So the step shows how the guard's admitted share
# moved, whether the loop was short of CPU (on a CPU, or runnable and waiting for one, is time it does not wait for
# work; the guard counts only the first), and whether the proxy's own sockets overflowed, and when.
sample_proxy() { # metrics-port ("" for none) proxy-pid sip-port file seconds [dialog-port]
  python3 - "$@" <<'EOF' &
import glob, re, subprocess, sys, time, urllib.request
port, pid, sip_port, out, bound = sys.argv[1], sys.argv[2], sys.argv[3], open(sys.argv[4], "w"), float(sys.argv[5])
dialog_port = sys.argv[6] if len(sys.argv) > 6 else ""
names = ["sip_overload_active", "sip_overload_admitted", "sip_calls_in_progress", "sip_requests_shed_total",
         "sip_legs_ended_total"]
def comm(task):
    try:
        return open(task + "/comm").read()
    except OSError:
        return ""
loops = [t for t in glob.glob("/proc/%s/task/*" % pid) if re.match(r"sip-\d+-\d+$", comm(t).strip())]
out.write("seconds " + " ".join(names) + " loop_run_ns loop_wait_ns sock_queue_bytes sock_rcvbuf_bytes sock_drops"
          " dialog_queue_bytes dialog_rcvbuf_bytes dialog_drops\n")
ports = [p for p in (sip_port, dialog_port) if p]
ss_filter = "( " + " or ".join("sport = :%s" % p for p in ports) + " )"
def skmem():
    """Receive queue, buffer and drops of each port (ss's skmem r, rb, d), from one ss call; "nan nan nan" if absent."""
    found = {m.group(1): " ".join(m.groups()[1:]) for m in re.finditer(
        r":(\d+) \S+\s+skmem:\(r(\d+),rb(\d+),.*?d(\d+)\)", subprocess.run(
            ["ss", "-Huamn", ss_filter], capture_output=True, text=True, timeout=5).stdout)}
    return " ".join(found.get(p, "nan nan nan") for p in (sip_port, dialog_port or "none"))
t0 = time.time()
first_decreases = written_decreases = None
while time.time() - t0 < bound:
    values, decreases = {}, {}
    if port:
        try:
            for line in urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=1).read().decode().splitlines():
                name, _, value = line.partition(" ")
                if name in names:
                    values[name] = value
                m = re.match(r'sip_overload_decreases_total\{measure="([a-z-]+)"', name)
                if m:
                    decreases[m.group(1)] = value
        except OSError:
            pass
        if decreases:  # the guard's decreases of the admitted share by measure since the first sample
            first_decreases = first_decreases or dict(decreases)
            text = ",".join("%s:%.0f" % (k, float(v) - float(first_decreases.get(k, 0)))
                            for k, v in sorted(decreases.items())
                            if float(v) > float(first_decreases.get(k, 0))) or "none"
            if text != written_decreases:  # written when it changes: the sampler is killed, not ended
                with open(sys.argv[4] + ".decreases", "w") as d:
                    d.write(text)
                written_decreases = text
    run = wait = 0
    for t in loops:
        try:
            r, w = open(t + "/schedstat").read().split()[:2]
            run, wait = run + int(r), wait + int(w)
        except (OSError, ValueError):
            pass
    out.write("%.3f %s %d %d %s\n" % (time.time() - t0, " ".join(values.get(n, "nan") for n in names), run, wait,
                                         skmem()))
    out.flush()
    time.sleep(0.25)
EOF
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# What the overload step measured, from the caller's statistics and response times, the backends' leg logs and
# statistics, and the router's metric samples: "key=value" pairs on one line.
overload_figures() { # dir clean-rate seconds
  python3 - "$@" <<'EOF'
import glob, os, re, sys
d, clean, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def last_row(name):
    rows = [l.rstrip("\n").split(";") for l in open(name, encoding="latin-1") if l.strip()]
    return rows, dict(zip(rows[0], rows[-1]))
def num(row, key):
    try:
        return int(row.get(key, "0") or 0)
    except ValueError:
        return 0
f = {}
rows, uac = last_row(d + "/uac/stats.csv")
h = rows[0]
created = num(uac, "TotalCallCreated")
# When the last call was created (statistics rows every second): the rate actually offered.
t_created = None
for r in rows[1:]:
    row = dict(zip(h, r))
    if num(row, "TotalCallCreated") >= created:
        hms = row.get("ElapsedTime(C)", "0:0:0")
        hh, mm, ss = hms.split(":")[:3]
        t_created = int(hh) * 3600 + int(mm) * 60 + float(ss)
        break
shed, refused, answered = num(uac, "shed(C)"), num(uac, "refused(C)"), num(uac, "answered(C)")
ok, failed = num(uac, "SuccessfulCall(C)"), num(uac, "FailedCall(C)")
completed = ok - shed - refused
f["offered"] = created
f["offered_rate"] = "%.0f" % (created / t_created) if t_created else "n/a"
f["completed"] = completed
f["completed_share"] = "%.3f" % (completed / created) if created else "n/a"
reference = clean * seconds
f["clean_completed"] = reference
f["vs_clean"] = "%.3f" % (completed / reference) if reference else "n/a"
f["shed"] = shed
f["refused"] = refused
f["failed"] = failed
f["unfinished"] = created - ok - failed
rtd = {"answered": [], "shed": [], "refused": []}
in_step = 0  # answered while calls were offered: a call set up seconds later, after retransmissions, is not counted
# Of the answers (200 or the guard's 503) to INVITEs of the step, those that came before the caller's first
# retransmission (T1, 500 ms, RFC 3261 §17.1.1.2): the INVITE was read at its first sending, and answered at once.
within_t1 = {"answered": [0, 0], "shed": [0, 0]}
for name in glob.glob(d + "/uac/*_rtt.csv"):
    with open(name) as fh:
        next(fh, None)
        for l in fh:
            p = l.strip().split(";")
            if len(p) >= 3 and p[2] in rtd:
                answered_at, took, kind = float(p[0]), float(p[1]), p[2]  # Date_ms: ms since the caller started
                rtd[kind].append(took)
                if kind in within_t1 and answered_at - took <= seconds * 1000:  # its INVITE sent within the step
                    within_t1[kind][0] += took < 500
                    within_t1[kind][1] += 1
                if kind == "answered" and answered_at <= seconds * 1000:
                    in_step += 1
for k, (quick, n) in within_t1.items():
    f[k + "_within_t1"] = "%.2f" % (quick / n) if n else "n/a"
f["completed_in_step"] = in_step
f["in_step_vs_clean"] = "%.3f" % (in_step / reference) if reference else "n/a"
def pct(values, p):
    if not values:
        return "n/a"
    values = sorted(values)
    return "%.0f" % values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
for k in ("answered", "shed", "refused"):
    f[k + "_p50_ms"], f[k + "_p99_ms"] = pct(rtd[k], 50), pct(rtd[k], 99)
    f[k + "_samples"] = len(rtd[k])
# The backends: every leg's Call-ID, unacknowledged legs, legs still open (answered, never hung up), unexpected INVITEs.
legs, leg_branches, unacked, still_open = [], set(), 0, 0
unexpected_invites, late_invites, other_unexpected = set(), set(), {}
for uas in sorted(glob.glob(d + "/uas-*")):
    if os.path.exists(uas + "/legs.log"):
        for l in open(uas + "/legs.log", encoding="latin-1"):
            kind, _, rest = l.strip().partition(" ")
            callid, _, branch = rest.partition(" ")
            branch = branch[len("branch="):]
            if kind == "leg":
                legs.append(callid)
                leg_branches.add((callid, branch))
            elif kind == "unacked":
                unacked += 1
    try:
        _, row = last_row(uas + "/stats.csv")
        still_open += num(row, "CurrentCall")
    except (OSError, IndexError):
        pass
    if os.path.exists(uas + "/errors.log"):
        # sipp's error log, one event per timestamp: an INVITE for a leg in progress that is not a retransmission of
        # its INVITE ("Continuing call on unexpected message": another branch, which a real node would answer 482
        # or take as a second call), an INVITE for a leg that has ended ("Dead call": sipp absorbs it for
        # -deadcall_wait, a real node would start a second leg), and other unexpected messages by method.
        text = open(uas + "/errors.log", encoding="latin-1").read()
        for event in re.split(r"\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d+\t[\d.]+: ", text)[1:]:
            m = re.match(r"(Continuing call on unexpected message for Call-Id '([^']*)'|Dead call (\S+) \([^)]*\))"
                         r".*?received '([A-Z]+) ", event, re.S)
            if not m:
                continue
            via = re.search(r"\nVia:[^\n]*?branch=([^;\s,]+)", event)
            key = (m.group(2) or m.group(3), via.group(1) if via else "")
            if m.group(4) == "INVITE":
                (late_invites if m.group(3) else unexpected_invites).add(key)
            else:
                other_unexpected[m.group(4)] = other_unexpected.get(m.group(4), 0) + 1
f["legs"] = len(legs)
f["duplicate_legs"] = len(legs) - len(set(legs))
f["unacked_legs"] = unacked
f["open_legs"] = still_open
# An unexpected INVITE with its leg's own branch is a retransmission (the proxy's Timer A) that crossed the 200.
f["second_branch_invites"] = len(unexpected_invites - leg_branches)
f["crossed_invites"] = len(unexpected_invites & leg_branches)
f["late_invites"] = len(late_invites)
f["other_unexpected"] = ",".join("%s:%d" % kv for kv in sorted(other_unexpected.items())) or "none"
samples = d + "/samples.txt"
lines = [l.split() for l in open(samples)][1:] if os.path.exists(samples) else []
lines = [l for l in lines if len(l) == 14]
# The proxy while calls were offered: from the baseline sample to the last one within the step.
offered = [l for l in lines if float(l[0]) - float(lines[0][0]) <= seconds + 0.5] if lines else []
if len(offered) >= 2:
    wall = (float(offered[-1][0]) - float(offered[0][0])) * 1e9
    if int(offered[-1][6]) > 0:
        f["loop_on_cpu"] = "%.2f" % ((int(offered[-1][6]) - int(offered[0][6])) / wall)
        f["loop_waiting_cpu"] = "%.2f" % ((int(offered[-1][7]) - int(offered[0][7])) / wall)
def socket_figures(prefix, q):  # the socket whose queue, buffer and drops are columns q, q+1, q+2
    rows = [l for l in lines if l[q + 2] != "nan"]
    if rows:
        f[prefix + "_rcvbuf"] = rows[0][q + 1]
        f[prefix + "_queue_max"] = "%.2f" % max(int(l[q]) / max(1, int(l[q + 1])) for l in rows)
        f[prefix + "_drops"] = int(rows[-1][q + 2]) - int(rows[0][q + 2])
        full = [l for l in rows if int(l[q + 2]) > int(rows[0][q + 2])]
        f[prefix + "_first_drop_s"] = "%.1f" % (float(full[0][0]) - float(rows[0][0])) if full else "none"
socket_figures("socket", 8)
socket_figures("dialog", 11)
metrics = [l for l in lines if l[2] != "nan"]
if metrics:
    admitted = [float(l[2]) for l in metrics]
    f["router_shed"] = "%.0f" % (float(metrics[-1][4]) - float(metrics[0][4]))
    f["router_legs_ended"] = "%.0f" % (float(metrics[-1][5]) - float(metrics[0][5]))
    f["admitted_min"] = "%.2f" % min(admitted)
    f["overloaded_share"] = "%.2f" % (sum(float(l[1]) for l in metrics) / len(metrics))
    f["max_in_progress"] = "%.0f" % max(float(l[3]) for l in metrics)
    shedding = [l for l in metrics if float(l[1]) > 0]
    f["first_shed_s"] = "%.1f" % (float(shedding[0][0]) - float(metrics[0][0])) if shedding else "none"
if os.path.exists(samples + ".decreases"):
    f["decreases"] = open(samples + ".decreases").read().strip()
print(" ".join("%s=%s" % kv for kv in f.items()))
EOF
}

# Step 6 for one proxy: fresh backends on the same ports, the overload caller, the legs settled, the figures in
# OVERLOAD[$proxy] (key=value pairs, see overload_figures). Sets uas1_pid and uas2_pid to the new backends.
overload_step() { # proxy dir port clean-rate
  local proxy=$1 dir=$2/overload port=$3 clean=$4 rate calls drops_before ticks_before sampler uac_scenario i metrics_port
  rate=${OVERLOAD_RATE:-$((clean * 2))}
  mkdir -p "$dir"
  kill "$uas1_pid" "$uas2_pid" 2>/dev/null || true
  wait "$uas1_pid" "$uas2_pid" 2>/dev/null || true
  start_legs_backend "$dir/uas-1" "$uas1_port"; uas1_pid=$STARTED_PID
  start_legs_backend "$dir/uas-2" "$uas2_port"; uas2_pid=$STARTED_PID
  wait_udp_listening "$uas1_port" 10; wait_udp_listening "$uas2_port" 10
  # Request-URI users: the service for every proxy, conference rooms (new ones) for router-affinity.
  if [ "$proxy" = router-affinity ]; then
    python3 -c "import sys; b = int(sys.argv[1]); print('SEQUENTIAL'); [print('conf-%d;' % r) for r in range(b, b + int(sys.argv[2]))]" \
      "$ROOM_BASE" "$ROOMS" >"$dir/users.csv"
    ROOM_BASE=$((ROOM_BASE + ROOMS))
  else
    printf 'SEQUENTIAL\nservice;\n' >"$dir/users.csv"
  fi
  calls=$((rate * OVERLOAD_SECONDS))
  log "$proxy: overload ${rate}/s (twice the clean ${clean}/s unless OVERLOAD_RATE) for ${OVERLOAD_SECONDS}s, fresh backends"
  quota_threads "$proxy" "$ppid"
  metrics_port=""
  if [[ $proxy == router* ]]; then metrics_port=$ROUTER_METRICS_PORT; fi
  sample_proxy "$metrics_port" "$ppid" "$port" "$dir/samples.txt" $((OVERLOAD_SECONDS + CALL_MS / 1000 + 60)) \
    "$([[ $proxy == router* ]] && echo "$ROUTER_DIALOG_PORT")"
  sampler=$STARTED_PID
  # The first sample is the baseline of the counters: taken before the first call.
  for ((i = 0; i < 100; i++)); do
    if [ -f "$dir/samples.txt" ] && [ "$(wc -l <"$dir/samples.txt")" -ge 2 ]; then break; fi
    sleep 0.1
  done
  drops_before=$(udp_drops); ticks_before=$(cpu_ticks "$ppid")
  uac_scenario=$UAC_SCENARIO
  # -l: sipp's default cap on open calls (3 x rate x call length) would lower the offered rate as calls wait: the
  # offered load must stay what a population of independent callers sends.
  UAC_SCENARIO="$ROOT/bench/sipp/uac_overload.xml"; UAC_INF="$dir/users.csv"
  run_uac "$dir/uac" "$port" "$rate" "$calls" -l "$calls" -fd 1 -trace_rtt -rtt_freq 100
  UAC_SCENARIO=$uac_scenario; UAC_INF=""
  OVERLOAD_TICKS[$proxy]=$(( $(cpu_ticks "$ppid") - ticks_before ))
  OVERLOAD_DROPS[$proxy]=$(( $(udp_drops) - drops_before ))
  log "$proxy: overload caller done (successful=$UAC_OK failed=$UAC_FAILED); ${LEG_SETTLE_SECONDS}s for the last legs' ACKs"
  sleep "$LEG_SETTLE_SECONDS"
  kill "$sampler" 2>/dev/null || true
  OVERLOAD_AT[$proxy]=$rate; OVERLOAD_CLEAN[$proxy]=$clean
  OVERLOAD[$proxy]=$(overload_figures "$dir" "$clean" "$OVERLOAD_SECONDS")
  log "$proxy: overload ${OVERLOAD[$proxy]} udp_drops=${OVERLOAD_DROPS[$proxy]} cpu_ticks=${OVERLOAD_TICKS[$proxy]}"
}

declare -A OVERLOAD OVERLOAD_AT OVERLOAD_CLEAN OVERLOAD_TICKS OVERLOAD_DROPS
declare -A MAX_RATE SEARCHES SUSTAINED HALF_AT HALF_P50 HALF_P99 HALF_FAILED CPU_PER_CALL MACHINE_PER_CALL P50 P99 P50_RTT P99_RTT REDIS_PER_CALL REDIS_CPU_PER_CALL REDIS_TOP THREADS
ROOM_BASE=1000
# REPEAT rounds, each over every proxy in turn (router, dispatch variants, router, ...), so that a slow minute of the
# machine does not land on one proxy only; each round starts a fresh proxy and fresh backends.
# Kamailio first in each round: its clean rate sets the rate of the others' "half of Kamailio's" setup-time run.
ORDER="$PROXIES"
if [[ " $PROXIES " == *" kamailio "* ]]; then ORDER="kamailio $(echo " $PROXIES " | sed 's/ kamailio / /g')"; fi
RUNS=""
for ((round = 1; round <= REPEAT; round++)); do for proxy in $ORDER; do RUNS+="$round:$proxy "; done; done
for run in $RUNS; do
  round=${run%%:*}; proxy=${run#*:}
  dir="$OUT/$proxy"; if [ "$round" -gt 1 ]; then dir="$OUT/$proxy.$round"; fi
  mkdir -p "$dir"
  UAC_SCENARIO="$SCENARIOS/uac.xml"
  redis_pid=""; agents_pid=""
  start_backend "$proxy/uas-1"; uas1_pid=$STARTED_PID; uas1_port=$STARTED_PORT
  start_backend "$proxy/uas-2"; uas2_pid=$STARTED_PID; uas2_port=$STARTED_PORT
  wait_udp_listening "$uas1_port" 10; wait_udp_listening "$uas2_port" 10
  if [[ $proxy == router-* ]]; then
    start_redis "$dir"; redis_pid=$STARTED_PID; redis_port=$STARTED_PORT
    for ((i = 0; i < 100; i++)); do redis-cli -p "$redis_port" PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    : >"$dir/agent.count"
    # Both nodes once (first publication: node-up events), then one more publication of uas-1 alone between two
    # snapshots: the commands of a steady heartbeat, subtracted from every measurement below.
    agent_publish "$dir" uas-1 "sip:127.0.0.1:$uas1_port" "$redis_port"
    agent_publish "$dir" uas-2 "sip:127.0.0.1:$uas2_port" "$redis_port"
    redis_snapshot "$dir" "$redis_port" >"$dir/redis-calibration-before.txt"
    agent_publish "$dir" uas-1 "sip:127.0.0.1:$uas1_port" "$redis_port"
    redis_snapshot "$dir" "$redis_port" >"$dir/redis-calibration-after.txt"
    agent_cost "$dir/redis-calibration-before.txt" "$dir/redis-calibration-after.txt" >"$dir/agent-commands.txt"
    log "$proxy: redis-server on 127.0.0.1:$redis_port (pid $redis_pid); one agent heartbeat = $(awk '{ n += $2 } END { print n }' "$dir/agent-commands.txt") commands ($(tr '\n' ' ' <"$dir/agent-commands.txt"))"
    start_agents "$dir" "$redis_port" "$uas1_port" "$uas2_port"; agents_pid=$STARTED_PID
  fi
  case $proxy in
    router)   port=$(free_port); start_router "$dir" "$port" "$uas1_port" "$uas2_port"; ppid=$STARTED_PID ;;
    router-least-loaded)
              port=$(free_port); start_router "$dir" "$port" "$uas1_port" "$uas2_port" least-loaded "$redis_port"
              ppid=$STARTED_PID ;;
    router-affinity)
              port=$(free_port); start_router "$dir" "$port" "$uas1_port" "$uas2_port" affinity "$redis_port"
              ppid=$STARTED_PID; UAC_SCENARIO="$ROOT/bench/sipp/uac_rooms.xml" ;;
    kamailio) port=$(free_port); start_kamailio "$dir" "$port" "$uas1_port" "$uas2_port"; ppid=$STARTED_PID ;;
    direct)   port=$uas1_port; ppid=$uas1_pid ;; # sipp straight to one sipp: the load generator's own ceiling
    *) echo "bench: unknown proxy $proxy (expected: router, router-least-loaded, router-affinity, kamailio, direct)" >&2
       exit 1 ;;
  esac
  wait_udp_listening "$port" 30
  log "$proxy: round $round, listening on udp 127.0.0.1:$port (pid $ppid), backends $uas1_port $uas2_port"
  quota_threads "$proxy" "$ppid"

  for rate in $WARMUP_RATES; do
    quota_threads "$proxy" "$ppid"
    log "$proxy: warm-up ${WARMUP_SECONDS}s at ${rate}/s"
    run_uac "$dir/warmup-$rate" "$port" "$rate" $((rate * WARMUP_SECONDS))
    log "$proxy: warm-up successful=$UAC_OK failed=$UAC_FAILED"
    sleep 2
  done
  if [[ $proxy == router-* ]]; then check_dispatch "$proxy" "$dir/router.log" "$redis_port" >&2; fi

  max_rate=0
  for rate in $RATES; do
    calls=$((rate * STEP_SECONDS))
    quota_threads "$proxy" "$ppid"
    drops_before=$(udp_drops)
    run_uac "$dir/rate-$rate" "$port" "$rate" "$calls"; ok=$UAC_OK; failed=$UAC_FAILED
    drops=$(( $(udp_drops) - drops_before ))
    log "$proxy: ${rate}/s for ${STEP_SECONDS}s: successful=$ok failed=$failed (of $calls) udp_drops=$drops"
    if [ "$failed" != "0" ] || [ "$ok" != "$calls" ]; then break; fi
    max_rate=$rate
    sleep 3 # let the backends' timewaits drain so the next step starts clean
  done
  SEARCHES[$proxy]+="$max_rate "
  MAX_RATE[$proxy]=$(median ${SEARCHES[$proxy]})

  if [ "$round" -gt 1 ]; then # CPU and setup time are measured once, in the first round
    stop_run
    continue
  fi

  # Sustained: a 10 s step can pass on buffers and a lucky GC; the rate must hold for CONFIRM_SECONDS (issue 15).
  sustained=0
  for rate in $(printf '%s\n' $RATES | sort -rn); do
    if [ "$rate" -gt "$max_rate" ]; then continue; fi
    sleep 3
    calls=$((rate * CONFIRM_SECONDS))
    quota_threads "$proxy" "$ppid"
    drops_before=$(udp_drops)
    run_uac "$dir/confirm-$rate" "$port" "$rate" "$calls"; ok=$UAC_OK; failed=$UAC_FAILED
    drops=$(( $(udp_drops) - drops_before ))
    log "$proxy: confirm ${rate}/s for ${CONFIRM_SECONDS}s: successful=$ok failed=$failed (of $calls) udp_drops=$drops"
    if [ "$failed" = "0" ] && [ "$ok" = "$calls" ]; then sustained=$rate; break; fi
  done
  SUSTAINED[$proxy]=$sustained

  # Setup time at half of Kamailio's clean rate (the issue's tail goal), when that rate is known.
  half=$HALF_RATE
  if [ -z "$half" ] && [ -n "${MAX_RATE[kamailio]:-}" ]; then half=$(( MAX_RATE[kamailio] / 2 )); fi
  if [ -n "$half" ] && [ "$half" -gt 0 ]; then
    sleep 3
    quota_threads "$proxy" "$ppid"
    log "$proxy: ${half}/s (half of Kamailio's clean rate) for ${FIXED_SECONDS}s (setup time)"
    run_uac "$dir/half" "$port" "$half" $((half * FIXED_SECONDS)) -trace_msg -message_file "$dir/half/messages.log"
    HALF_FAILED[$proxy]=$UAC_FAILED
    read -r p50 p99 _ _ samples < <(setup_times "$dir/half")
    HALF_AT[$proxy]=$half; HALF_P50[$proxy]=$p50; HALF_P99[$proxy]=$p99
    log "$proxy: at ${half}/s successful=$UAC_OK failed=$UAC_FAILED setup p50=${p50} ms p99=${p99} ms (samples $samples)"
  fi

  sleep 3
  log "$proxy: fixed ${FIXED_RATE}/s for ${FIXED_SECONDS}s (CPU and setup time)"
  calls=$((FIXED_RATE * FIXED_SECONDS))
  quota_threads "$proxy" "$ppid"
  ticks_before=$(cpu_ticks "$ppid"); drops_before=$(udp_drops); machine_before=$(machine_ticks)
  thread_ticks "$ppid" >"$dir/threads-before.txt"
  if [ -n "$redis_pid" ]; then
    redis_ticks_before=$(cpu_ticks "$redis_pid"); redis_snapshot "$dir" "$redis_port" >"$dir/redis-before.txt"
  fi
  run_uac "$dir/fixed" "$port" "$FIXED_RATE" "$calls" \
    -trace_rtt -rtt_freq 1000 -trace_msg -message_file "$dir/fixed/messages.log"
  ok=$UAC_OK; failed=$UAC_FAILED
  ticks=$(( $(cpu_ticks "$ppid") - ticks_before )); drops=$(( $(udp_drops) - drops_before ))
  machine=$(( $(machine_ticks) - machine_before ))
  thread_ticks "$ppid" >"$dir/threads-after.txt"
  if [ -n "$redis_pid" ]; then
    # Let the decision log's thread drain its queue into Redis before the second snapshot.
    sleep 2
    redis_snapshot "$dir" "$redis_port" >"$dir/redis-after.txt"
    redis_ticks=$(( $(cpu_ticks "$redis_pid") - redis_ticks_before ))
    redis_delta "$dir/redis-before.txt" "$dir/redis-after.txt" "$dir/agent-commands.txt" >"$dir/redis-delta.txt"
    read -r router_cmds pubs agent_cmds <"$dir/redis-delta.txt"
    REDIS_PER_CALL[$proxy]=$(python3 -c "print('%.3f' % ($router_cmds / max(1, $ok)))")
    REDIS_CPU_PER_CALL[$proxy]=$(python3 -c "print('%.4f' % ($redis_ticks * 1000 / $CLK_TCK / max(1, $ok)))")
    REDIS_TOP[$proxy]=$(tail -n +2 "$dir/redis-delta.txt" | python3 -c "import sys; ok = max(1, $ok); print(', '.join('%s %.3f' % (k, int(v) / ok) for k, v in (l.split() for l in sys.stdin)))")
    log "$proxy: redis commands in the fixed run: router $router_cmds (${REDIS_PER_CALL[$proxy]} per call), agent stand-in $agent_cmds ($pubs heartbeats, subtracted); top per call: ${REDIS_TOP[$proxy]}"
  fi
  CPU_PER_CALL[$proxy]=$(python3 -c "print('%.4f' % ($ticks * 1000 / $CLK_TCK / max(1, $ok)))")
  MACHINE_PER_CALL[$proxy]=$(python3 -c "print('%.4f' % ($machine * 1000 / $CLK_TCK / max(1, $ok)))")
  read -r p50 p99 p50r p99r samples < <(setup_times "$dir/fixed")
  P50[$proxy]=$p50; P99[$proxy]=$p99; P50_RTT[$proxy]=$p50r; P99_RTT[$proxy]=$p99r
  log "$proxy: fixed run successful=$ok failed=$failed cpu_ticks=$ticks udp_drops=$drops setup samples=$samples"
  if [[ $proxy == router* ]]; then
    THREADS[$proxy]=$(thread_share "$dir/threads-before.txt" "$dir/threads-after.txt" "$ok")
    log "$proxy: CPU ms per call by thread: ${THREADS[$proxy]}"
  fi

  # Step 6, overload (issue 9): twice this round's clean rate, or the rates given.
  if [ "$OVERLOAD_SECONDS" -gt 0 ] && [ "$proxy" != direct ] && [[ " $OVERLOAD_PROXIES " == *" $proxy "* ]]; then
    clean=${OVERLOAD_CLEAN_RATE:-$max_rate}
    if [ -n "$OVERLOAD_RATE" ] || [ "$clean" -gt 0 ]; then
      sleep 3
      overload_step "$proxy" "$dir" "$port" "$clean"
    else
      log "$proxy: overload step skipped: no clean rate to double (set OVERLOAD_RATE or OVERLOAD_CLEAN_RATE)"
    fi
  fi

  stop_run
done

echo
echo "Roundhouse bench, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
if [[ " $PROXIES " == *" router"* ]]; then echo "router JVM: $("$ROUTER_JAVA" -version 2>&1 | head -1), options: $ROUTER_JAVA_OPTS"; fi
if [ -n "$PROXY_CPU" ]; then echo "proxy CPU quota: $PROXY_CPU cores (cgroup $PROXY_CGROUP, period 10 ms)"; fi
if [ -n "$PROXY_CPU_THREADS" ]; then
  echo "proxy CPU quota only on the threads matching $PROXY_CPU_THREADS (the proxy's other threads in the parent cgroup, unlimited):"
  for proxy in $PROXIES; do
    if [ -n "${QUOTA_THREADS[$proxy]:-}" ]; then echo "  $proxy: ${QUOTA_THREADS[$proxy]}"; fi
  done
fi
echo "sipp $(sipp -v 2>&1 | grep -o 'v[0-9.]*' | head -1), calls of ${CALL_MS} ms, steps of ${STEP_SECONDS} s, fixed rate ${FIXED_RATE}/s for ${FIXED_SECONDS} s; results in $OUT"
printf '%-20s %16s %18s %14s %14s %14s %14s %16s %16s\n' proxy "max clean (c/s)" "CPU ms/call@fixed" \
  "p50 setup ms" "p99 setup ms" "p50 rtt(sipp)" "p99 rtt(sipp)" "redis cmds/call" "redis CPU ms/call"
for proxy in $PROXIES; do
  printf '%-20s %16s %18s %14s %14s %14s %14s %16s %16s\n' "$proxy" "${MAX_RATE[$proxy]}" "${CPU_PER_CALL[$proxy]}" \
    "${P50[$proxy]}" "${P99[$proxy]}" "${P50_RTT[$proxy]}" "${P99_RTT[$proxy]}" "${REDIS_PER_CALL[$proxy]:--}" \
    "${REDIS_CPU_PER_CALL[$proxy]:--}"
done
if [ "$REPEAT" -gt 1 ]; then
  for proxy in $PROXIES; do
    echo "$proxy: max clean rate of each round: ${SEARCHES[$proxy]}(median ${MAX_RATE[$proxy]})"
  done
fi
for proxy in $PROXIES; do
  echo "$proxy: sustained clean rate (held ${CONFIRM_SECONDS}s) ${SUSTAINED[$proxy]:-n/a} c/s beside the step rate ${MAX_RATE[$proxy]} c/s (first round: ${SEARCHES[$proxy]%% *})"
  if [ -n "${HALF_AT[$proxy]:-}" ]; then
    echo "$proxy: setup at ${HALF_AT[$proxy]}/s (half of Kamailio's clean rate): p50 ${HALF_P50[$proxy]} ms, p99 ${HALF_P99[$proxy]} ms, failed calls ${HALF_FAILED[$proxy]}"
  fi
done
for proxy in $PROXIES; do
  echo "$proxy: machine CPU ms per call (fixed run; every process, sipp included): ${MACHINE_PER_CALL[$proxy]:-n/a}"
  if [[ $proxy == router* ]]; then
    echo "$proxy: CPU ms per call by thread (fixed run): ${THREADS[$proxy]:-n/a}"
  fi
done
for proxy in $PROXIES; do
  if [[ $proxy == router-* ]]; then
    echo "$proxy: redis commands per call by command (agent stand-in subtracted): ${REDIS_TOP[$proxy]:-none}"
    if [[ " $PROXIES " == *" router "* ]]; then
      python3 - "$proxy" "${MAX_RATE[$proxy]}" "${MAX_RATE[router]}" "${CPU_PER_CALL[$proxy]}" "${CPU_PER_CALL[router]}" \
        "${MACHINE_PER_CALL[$proxy]}" "${MACHINE_PER_CALL[router]}" <<'EOF'
import sys
name, rv, rr, cv, cr, mv, mr = sys.argv[1], *map(float, sys.argv[2:])
ratio = lambda a, b: "%.2f" % (a / b) if b else "n/a"
verdict = "" if not rr else (" (met)" if rv / rr >= 0.9 else " (NOT met)")
print("%s/router: max clean rate x%s (target >= 0.90)%s, CPU per call x%s, machine CPU per call x%s"
      % (name, ratio(rv, rr), verdict, ratio(cv, cr), ratio(mv, mr)))
EOF
    fi
  fi
done
if [[ " $PROXIES " == *" router "* && " $PROXIES " == *" kamailio "* ]]; then
  python3 - "${MAX_RATE[router]}" "${MAX_RATE[kamailio]}" "${CPU_PER_CALL[router]}" "${CPU_PER_CALL[kamailio]}" \
    "${P99[router]}" "${P99[kamailio]}" "${SUSTAINED[router]:-0}" "${SUSTAINED[kamailio]:-0}" \
    "${HALF_P99[router]:-nan}" "${HALF_P99[kamailio]:-nan}" <<'EOF'
import sys
rr, rk, cr, ck, pr, pk, sr, sk, hr, hk = map(float, sys.argv[1:])
ratio = lambda a, b: "%.2f" % (a / b) if b else "n/a"
print("router/kamailio: max clean rate x%s, sustained clean rate x%s (target >= 1.00), CPU per call x%s "
      "(target <= 1.00), p99 setup %+.3f ms at the fixed rate and %+.3f ms at half of Kamailio's clean rate "
      "(target <= +1 ms)" % (ratio(rr, rk), ratio(sr, sk), ratio(cr, ck), pr - pk, hr - hk))
EOF
fi

# Step 6, overload (issue 9): one paragraph per proxy.
for proxy in $PROXIES; do
  if [ -z "${OVERLOAD[$proxy]:-}" ]; then continue; fi
  python3 - "$proxy" "${OVERLOAD_AT[$proxy]}" "${OVERLOAD_CLEAN[$proxy]}" "$OVERLOAD_SECONDS" "${OVERLOAD_DROPS[$proxy]}" \
    "${OVERLOAD_TICKS[$proxy]}" "$CLK_TCK" ${OVERLOAD[$proxy]} <<'EOF'
import sys
proxy, rate, clean, seconds, drops, ticks, tck = sys.argv[1:8]
f = dict(a.split("=", 1) for a in sys.argv[8:])
try:
    verdict = "met" if float(f["in_step_vs_clean"]) >= 0.9 else "NOT met"
except ValueError:
    verdict = "n/a"
print("%s: overload at %s/s for %s s (reference: clean rate %s/s, %s calls): offered %s calls (%s/s achieved by sipp)"
      % (proxy, rate, seconds, clean, f["clean_completed"], f["offered"], f["offered_rate"]))
print("%s:   completed %s = %s of offered, x%s of the clean rate's completed calls (however late); "
      "setup p50/p99 %s/%s ms (sipp rtd, whole ms)"
      % (proxy, f["completed"], f["completed_share"], f["vs_clean"], f["answered_p50_ms"], f["answered_p99_ms"]))
print("%s:   answered within the %s s calls were offered: %s, x%s of the clean rate's calls (target >= 0.90: %s; "
      "calls set up later, after their INVITE waited or was sent again, are not counted)"
      % (proxy, seconds, f["completed_in_step"], f["in_step_vs_clean"], verdict))
print("%s:   503 from the overload guard %s (INVITE -> 503 p50/p99 %s/%s ms), other 503 %s (p50/p99 %s/%s ms), "
      "failed %s, unfinished %s"
      % (proxy, f["shed"], f["shed_p50_ms"], f["shed_p99_ms"], f["refused"], f["refused_p50_ms"], f["refused_p99_ms"],
         f["failed"], f["unfinished"]))
print("%s:   INVITEs sent while calls were offered, answered before their first retransmission (500 ms): of the "
      "503s %s, of the 200s %s" % (proxy, f["shed_within_t1"], f["answered_within_t1"]))
print("%s:   on the backends: legs %s, duplicate legs (a Call-ID answered twice) %s, unacknowledged legs (200, no "
      "ACK in 8 s) %s, legs never hung up %s; INVITEs of a second branch for a leg in progress %s, retransmitted "
      "INVITEs that crossed the leg's 200 %s, INVITEs after the leg ended %s, other unexpected messages %s"
      % (proxy, f["legs"], f["duplicate_legs"], f["unacked_legs"], f["open_legs"], f["second_branch_invites"],
         f["crossed_invites"], f["late_invites"], f["other_unexpected"]))
print("%s:   kernel UDP drops %s (machine-wide); proxy CPU %.1f s" % (proxy, drops, int(ticks) / int(tck)))
if "socket_drops" in f:
    first_drop, first_shed = f["socket_first_drop_s"], f.get("first_shed_s", "n/a")
    print("%s:   its UDP socket: receive queue at most %s of its buffer (%s bytes), %s datagrams dropped at it (%s; "
          "%s)" % (proxy, f["socket_queue_max"], f["socket_rcvbuf"], f["socket_drops"],
                   "no drop" if first_drop == "none" else "first drop %s s into the step" % first_drop,
                   "the guard did not shed" if first_shed == "none" else
                   "no guard" if first_shed == "n/a" else "the guard first shed %s s in" % first_shed))
if "dialog_drops" in f:
    print("%s:   its dialog UDP socket (SPLIT_SOCKETS): receive queue at most %s of its buffer (%s bytes), %s datagrams "
          "dropped at it" % (proxy, f["dialog_queue_max"], f["dialog_rcvbuf"], f["dialog_drops"]))
if "loop_on_cpu" in f:
    print("%s:   SIP event loop over the step: on a CPU %s of the time, runnable but waiting for a CPU %s (the guard's "
          "busy measure counts the first only)" % (proxy, f["loop_on_cpu"], f["loop_waiting_cpu"]))
if "router_shed" in f:
    print("%s:   router counters: shed %s (retransmissions included), legs it ended itself %s; admitted share min %s, "
          "overloaded in %s of the samples, calls in progress max %s"
          % (proxy, f["router_shed"], f["router_legs_ended"], f["admitted_min"], f["overloaded_share"],
             f["max_in_progress"]))
if "decreases" in f:
    print("%s:   the guard lowered the admitted share by measure: %s" % (proxy, f["decreases"]))
EOF
done

# TLS clean rate beside UDP's (issue 14): bench/tls/step.sh with a router, backends and TLS caller of its own, after
# everything above; TLS=0 skips it (TLS_RATES, TLS_CONNECTIONS: see the file).
if [ "${TLS:-1}" != 0 ] && [[ " $PROXIES " == *" router "* ]]; then
  need javac "a JDK 17 (bench/tls/TlsLoad.java)"
  # shellcheck source=bench/tls/step.sh
  source "$ROOT/bench/tls/step.sh"
  tls_step "$@"
fi
