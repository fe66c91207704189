#!/usr/bin/env bash
# Issue #16, "Simulator data": a seeded, accelerated year of factory time (seed A) trains one failure model per machine
# class; another year (seed B, the following year) judges its alerts. Everything goes the way production data would:
# simulators' history command → maintenance import-history → maintenance train → maintenance evaluate, on a private
# PostgreSQL (scripts/postgres.sh). Prints the figures and leaves the reports in OUT (default /tmp/domio-proof).
#   benchmarks/maintenance-proof.sh [DAYS] [SEED_A] [SEED_B] [OUT]
# Build first: dotnet build simulators/DomioOps.Simulators -c Release && dotnet build cloud/DomioOps.Cloud -c Release
set -euo pipefail

days=${1:-365}
seed_a=${2:-1}
seed_b=${3:-2}
out=$(realpath -m "${4:-/tmp/domio-proof}")
root=$(cd "$(dirname "$0")/.." && pwd)
start_a=2025-01-06T00:00:00Z
start_b=$(date -u -d "2025-01-06 + $days days" +%Y-%m-%dT00:00:00Z)
end_b=$(date -u -d "2025-01-06 + $((2 * days)) days" +%Y-%m-%dT00:00:00Z)
sim="$root/simulators/DomioOps.Simulators/bin/Release/net10.0/DomioOps.Simulators.dll"
cloud="$root/cloud/DomioOps.Cloud/bin/Release/net10.0/DomioOps.Cloud.dll"
for dll in "$sim" "$cloud"; do
  [ -f "$dll" ] || { echo "maintenance-proof: $dll is missing; build it first (dotnet build -c Release)" >&2; exit 1; }
done

mkdir -p "$out"
chmod o+x "$out"
pg="$out/postgres"
port=$(PG_FSYNC=off "$root/scripts/postgres.sh" start "$pg" | tail -n 1)
trap '"$root/scripts/postgres.sh" stop "$pg" >/dev/null 2>&1 || true' EXIT
db="--Silo:ConnectionString=Host=127.0.0.1;Port=$port;Username=postgres;Database=domio_proof"

time_it() { local t0=$SECONDS; "$@"; echo "maintenance-proof: ${*:2:3} took $((SECONDS - t0)) s"; }

scenario="$root/simulators/DomioOps.Simulators/scenarios/factory.json"
# Each year is simulated and imported once: a second run of the script goes on from the training.
for run in "$seed_a $start_a" "$seed_b $start_b"; do
  set -- $run
  dir="$out/seed-$1-$2"
  [ -f "$dir/history.json" ] || time_it dotnet "$sim" history --scenario "$scenario" --seed "$1" --start "$2" --duration "$days.00:00:00" --output "$dir"
  [ -f "$dir/imported" ] || { time_it dotnet "$cloud" maintenance import-history "$dir" "$db" && touch "$dir/imported"; }
done

# The horizon of each class is about its degradation's mean progression (the simulators' defaults: spindle bearing 12 h,
# blade dulling 8 h, glue heater 3 h); HORIZON=… sets one for all.
declare -A horizon=([cnc-router]=12h [panel-saw]=8h [edgebander]=4h)
for class in cnc-router panel-saw edgebander; do
  time_it dotnet "$cloud" maintenance train --class "$class" --from "$start_a" --to "$start_b" --horizon "${HORIZON:-${horizon[$class]}}" --output "$out/models" "$db" | tee "$out/train-$class.log"
  # The model just trained (a second run registers a new version, not active): evaluated on seed B's year.
  model=$(sed -n 's/.*registered model \([0-9]*\) .*/\1/p' "$out/train-$class.log")
  time_it dotnet "$cloud" maintenance evaluate --class "$class" --from "$start_b" --to "$end_b" --model "$model" --output "$out/models" "$db"
done
dotnet "$cloud" maintenance models "$db"
