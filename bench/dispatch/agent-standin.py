#!/usr/bin/env python3
"""Agent stand-in for bench/run.sh: publishes node states the way an agent does, from one long-lived process.

Each heartbeat runs bench/dispatch/publish-node.lua (a copy of the agent's own publication script) with EVAL over one
persistent connection, while holding the lock that bench/run.sh's INFO snapshots also take, and appends the node id to
the count file, so that the bench subtracts the agent's commands exactly. A process per heartbeat (redis-cli, flock,
sh) cost about 10% of a core on the 2-core bench machine, taken from the proxy under test; a real agent runs beside
its Asterisk, not on the router's machine, and costs one script call per heartbeat.

Usage: agent-standin.py PORT LOCK COUNT SCRIPT TTL_MS INTERVAL_S [--once] ID=URI [ID=URI ...]
"""
import fcntl
import socket
import sys
import time


def command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def main():
    port, lock, count, script_path, ttl, interval = sys.argv[1:7]
    rest = sys.argv[7:]
    once = rest[:1] == ["--once"]
    nodes = [spec.split("=", 1) for spec in (rest[1:] if once else rest)]
    script = open(script_path).read()
    conn = socket.create_connection(("127.0.0.1", int(port)))
    replies = conn.makefile("rb")
    while True:
        for node_id, uri in nodes:
            with open(lock, "a") as held:
                fcntl.flock(held, fcntl.LOCK_EX)
                conn.sendall(command("EVAL", script, 2, "rh:node:" + node_id, "rh:nodes", ttl, node_id, "rh:events",
                                     "active", "id", node_id, "uri", uri, "status", "active", "channels", 0,
                                     "max_channels", 1000, "cpu", "10.0", "apps", "Conference,Default",
                                     "accepting", "conference,default", "asterisk_version", "22.10.1",
                                     "agent_version", "bench", "updated_at", int(time.time() * 1000)))
                reply = replies.readline()
                if not reply.startswith(b":"):
                    sys.exit("agent stand-in: publication of %s failed: %r" % (node_id, reply))
                with open(count, "a") as counted:
                    counted.write(node_id + "\n")
        if once:
            return
        time.sleep(float(interval))


if __name__ == "__main__":
    main()
