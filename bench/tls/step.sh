# TLS clean call rate (issue 14), sourced by bench/run.sh after its own steps: it uses run.sh's helpers (log,
# free_port, start_backend, wait_udp_listening), settings (STEP_SECONDS, CALL_MS, WARMUP_RATES, WARMUP_SECONDS,
# ROUTER_JAVA_OPTS, ROUTER_JAR, OUT) and cleanup (every process goes into PIDS).
#
# The router (static round robin, flood limit off, as the UDP run) gets a tls: listener with a certificate made for
# the run (TlsLoad.java --make-certificate, keytool); two fresh sipp UAS backends over UDP behind it; the caller is
# bench/tls/TlsLoad.java (Debian's sipp has no TLS), TLS_CONNECTIONS long-lived TLS connections, calls held CALL_MS.
# Warm-up as the UDP run, then rates TLS_RATES, STEP_SECONDS each, stop at the first step with a failed or missing
# call; the result is the last clean step, printed beside the UDP router's (MAX_RATE[router]).
# Environment: TLS=0 skips the step; TLS_RATES, TLS_CONNECTIONS.

tls_step() { # [--quick]
  local dir="$OUT/router-tls" rates="${TLS_RATES:-400 800 1600 2400 3200 4000 4800 5600 6400 8000 9600 12800}"
  local connections="${TLS_CONNECTIONS:-4}" classes uas1_pid uas1_port uas2_pid uas2_port rp tp router_pid line
  local max_rate=0 p50=n/a p99=n/a result i pid
  if [ "${1:-}" = "--quick" ] && [ -z "${TLS_RATES:-}" ]; then rates="100 200"; fi
  mkdir -p "$dir"
  classes="$dir/classes"
  javac -d "$classes" "$ROOT/bench/tls/TlsLoad.java"
  java -cp "$classes" TlsLoad --make-certificate "$dir/cert" >"$dir/cert.log" 2>&1
  start_backend router-tls/uas-1; uas1_pid=$STARTED_PID; uas1_port=$STARTED_PORT
  start_backend router-tls/uas-2; uas2_pid=$STARTED_PID; uas2_port=$STARTED_PORT
  wait_udp_listening "$uas1_port" 10; wait_udp_listening "$uas2_port" 10
  rp=$(free_port); tp=$(free_port)
  cat >"$dir/router.yml" <<EOF
sip:
  listen: [ "udp:127.0.0.1:$rp", "tls:127.0.0.1:$tp" ]
  tls: { certificate: "$dir/cert/router.crt", private-key: "$dir/cert/router.key" }
  flood: { enabled: false }
nodes:
  - { id: uas-1, uri: "sip:127.0.0.1:$uas1_port", weight: 1 }
  - { id: uas-2, uri: "sip:127.0.0.1:$uas2_port", weight: 1 }
health:
  enabled: false
EOF
  # shellcheck disable=SC2086
  "$ROUTER_JAVA" $ROUTER_JAVA_OPTS "-Xlog:gc:file=$dir/gc.log" -jar "$ROUTER_JAR" --config "$dir/router.yml" \
    >"$dir/router.log" 2>&1 &
  router_pid=$!
  PIDS+=("$router_pid")
  for ((i = 0; i < 300; i++)); do
    if ss -Hltn "sport = :$tp" 2>/dev/null | grep -q .; then break; fi
    sleep 0.1
  done
  log "router-tls: tls 127.0.0.1:$tp (pid $router_pid), backends $uas1_port $uas2_port, $connections connections"

  # One TlsLoad process for the warm-up and every step (its JIT warms up once, as sipp needs none); bounded per step
  # inside (45 s after a step's last call) and as a whole here.
  local warmups bound=60 r
  warmups=$(echo $WARMUP_RATES | tr ' ' ',')
  for r in $WARMUP_RATES; do bound=$((bound + WARMUP_SECONDS + CALL_MS / 1000 + 50)); done
  for r in $rates; do bound=$((bound + STEP_SECONDS + CALL_MS / 1000 + 50)); done
  (exec timeout --kill-after=5 "$bound" java -Xms256m -Xmx256m -cp "$classes" TlsLoad \
    --target "127.0.0.1:$tp" --trust "$dir/cert/router.crt" --hold-ms "$CALL_MS" --connections "$connections" \
    ${warmups:+--warmup-rates "$warmups" --warmup-seconds "$WARMUP_SECONDS"} \
    --rates "$(echo $rates | tr ' ' ',')" --step-seconds "$STEP_SECONDS" >"$dir/tls-load.txt" 2>&1) &
  pid=$!
  PIDS+=("$pid")
  wait "$pid" || true
  sed -n 's/^tls-load: /router-tls: /p' "$dir/tls-load.txt" | while read -r line; do log "$line"; done
  max_rate=$(sed -n 's/^CLEAN rate=\([0-9]*\)$/\1/p' "$dir/tls-load.txt")
  max_rate=${max_rate:-0}
  result=$(sed -n "s/^RESULT step=rate-$max_rate .* p50_ms=\([^ ]*\) .*p99_ms=\([^ ]*\) .*/\1 \2/p" "$dir/tls-load.txt")
  if [ -n "$result" ]; then read -r p50 p99 <<<"$result"; fi
  kill "$router_pid" "$uas1_pid" "$uas2_pid" 2>/dev/null || true
  echo "router over TLS: max clean rate ${max_rate} c/s (steps of ${STEP_SECONDS} s, TlsLoad over $connections connections; setup p50 ${p50} ms, p99 ${p99} ms at that rate) beside UDP's ${MAX_RATE[router]:-n/a} c/s"
}
