#!/usr/bin/env bash
# Prints a TCP port on 127.0.0.1 that nothing listens on now. With an argument, prefers that port when free.
# Ports are drawn below the kernel's ephemeral range (net.ipv4.ip_local_port_range), so that an outgoing
# connection's local port cannot take the port between this choice and the server's bind; and from the upper half of
# what lies below it, since the tests' FreePort (tests/DomioOps.Testing) draws from the lower half: a port this script
# prints for a PostgreSQL server cannot be one the test process has handed out and not yet bound.
set -euo pipefail
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -n "${1:-}" ] && ! listening "$1"; then echo "$1"; exit 0; fi
low=10000
high=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
if [ "$high" -le $((low + 1000)) ]; then low=1024; fi
low=$(((low + high) / 2))
for _ in $(seq 1 500); do
  p=$((low + (RANDOM * 32768 + RANDOM) % (high - low)))
  if ! listening "$p"; then echo "$p"; exit 0; fi
done
echo "free-port.sh: no free port found" >&2
exit 1
