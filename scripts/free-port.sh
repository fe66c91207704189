#!/usr/bin/env bash
# Prints a TCP port on 127.0.0.1 that nothing listens on now. With an argument, prefers that port when free.
set -euo pipefail
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -n "${1:-}" ] && ! listening "$1"; then echo "$1"; exit 0; fi
for _ in $(seq 1 500); do
  p=$((20000 + RANDOM % 40000))
  if ! listening "$p"; then echo "$p"; exit 0; fi
done
echo "free-port.sh: no free port found" >&2
exit 1
