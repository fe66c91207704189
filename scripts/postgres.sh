#!/usr/bin/env bash
# A private PostgreSQL cluster on 127.0.0.1, made with initdb and run with pg_ctl.
#   postgres.sh start DIR [PORT]   create DIR/data if missing, start, print the port (last line of stdout)
#   postgres.sh stop DIR           stop the cluster (fast shutdown)
# The data survives stop/start. initdb and pg_ctl refuse to run as root: as root, the cluster
# runs as the 'postgres' system user, which owns DIR. Set PG_FSYNC=off for throw-away test clusters.
set -euo pipefail

cmd=${1:?usage: postgres.sh start|stop DIR [PORT]}
dir=$(realpath -m "${2:?usage: postgres.sh start|stop DIR [PORT]}")

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] && command -v pg_config >/dev/null; then bindir=$(pg_config --bindir); fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "postgres.sh: the PostgreSQL server is not installed (no initdb). Install it: sudo apt-get install postgresql" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$dir"
      runuser -u postgres -- test -w "$dir" \
        || { echo "postgres.sh: the postgres user cannot reach $dir; make its parent folders readable (chmod o+x) or choose another folder" >&2; exit 1; }
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 ${PG_FSYNC:+--no-sync} >"$dir/initdb.log" 2>&1 \
        || { echo "postgres.sh: initdb failed, see $dir/initdb.log" >&2; cat "$dir/initdb.log" >&2; exit 1; }
    fi
    port=${3:-}
    if [ -z "$port" ] && [ -f "$dir/port" ]; then port=$(cat "$dir/port"); fi
    if [ -n "$port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      if as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then echo "$port"; exit 0; fi
      port=""
    fi
    # A port we chose ourselves can be taken by another process before the server binds it: then the
    # server stops at once with "could not bind"/"could not create any TCP/IP sockets", and we choose again.
    chosen=""; [ -n "${3:-}" ] || chosen=yes
    for attempt in 1 2 3 4 5; do
      [ -n "$port" ] || port=$("$(dirname "$0")/free-port.sh")
      as_owner sh -c "echo $port > '$dir/port'"
      opts="-k '$dir' -h 127.0.0.1 -p $port -c max_connections=300 -c shared_buffers=256MB"
      if [ "${PG_FSYNC:-on}" = "off" ]; then opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
      logged=0; if [ -f "$dir/server.log" ]; then logged=$(wc -l < "$dir/server.log"); fi
      if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start >/dev/null 2>&1; then
        echo "$port"; exit 0
      fi
      if [ -n "$chosen" ] && [ "$attempt" -lt 5 ] \
         && tail -n +$((logged + 1)) "$dir/server.log" | grep -q "could not bind\|could not create any TCP/IP sockets"; then
        echo "postgres.sh: port $port was taken before the server bound it; choosing another" >&2
        port=""; continue
      fi
      break
    done
    # The log's last lines name the cause; they come first, because callers often show only the start of a message.
    { tail -n +$((logged + 1)) "$dir/server.log" | tail -n 8; echo "postgres.sh: pg_ctl start failed (port $port), the log is $dir/server.log"; } >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    fi
    ;;
  *)
    echo "postgres.sh: unknown command '$cmd' (start|stop)" >&2; exit 2 ;;
esac
