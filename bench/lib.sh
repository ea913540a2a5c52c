# Helpers shared by bench/run.sh and bench/soak.sh (sourced; loopback only): free ports, sipp media blocks, waiting
# for a UDP listener, kernel UDP drops.

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
  echo "${0##*/}: nothing listens on udp 127.0.0.1:$1 after $2 s" >&2
  return 1
}

udp_drops() { awk '/^Udp: [0-9]/ { print $4 + $6 }' /proc/net/snmp; } # InErrors + RcvbufErrors, machine-wide
