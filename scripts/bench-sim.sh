#!/usr/bin/env bash
# `make bench-sim`: the simulator's figures (a benchmark that prints, not a timed test).
#   - a 10,000-seed `after` sweep of the default scenario (5 replicas, 12 partitions, 2,000 events, swarm
#     faults): seconds, seeds/s, simulated events/s and how much faster than real time simulated time runs;
#   - `before` at 5 replicas with swarm faults: the share of seeds with duplicates;
#   - `before` at 1 replica without faults: seeds with duplicates (must be none);
#   - counts that the machine's load does not move much: the sweep's CPU seconds per seed, and the instructions
#     one run (seed 42, after) executes under valgrind's callgrind (on a stripped copy: valgrind 3.19 cannot read
#     Swift's debug information; it also crashes on the parallel sweep, so one seed).
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${SIM:-.build/release/sim}
SEEDS=${SEEDS:-10000}
BUG_SEEDS=${BUG_SEEDS:-1000}
json() { tail -1; }
py() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$1"; }

echo "cores: $(nproc); load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== after, seeds 1-$SEEDS, default scenario"
cpu_file=$(mktemp)
trap 'rm -f "$cpu_file"' EXIT
after=$(/usr/bin/time -f "%U %S" -o "$cpu_file" "$SIM" sweep --seeds "1-$SEEDS" --mode after --json | json || true)
cpu=$(awk '{print $1 + $2}' "$cpu_file")
py "$after" "f\"  {d['seeds']} seeds in {d['seconds']} s: {d['seeds_per_second']} seeds/s, {int(d['events_per_second'])} simulated events/s, simulated time {int(d['simulated_to_wall_ratio'])}x real time; failing seeds: {len(d['failed_seeds'])}; CPU {$cpu * 1000 / d['seeds']:.2f} ms per seed\""
echo "== before, 5 replicas, swarm faults, seeds 1-$BUG_SEEDS"
before=$("$SIM" sweep --seeds "1-$BUG_SEEDS" --mode before --json | json || true)
py "$before" "f\"  seeds with duplicates: {d['runs_with_duplicates']} of {d['seeds']} ({100*d['runs_with_duplicates']/d['seeds']:.1f}%); violations by kind: {d['violations_by_kind']}\""
echo "== before, 1 replica, no faults, seeds 1-$BUG_SEEDS"
single=$("$SIM" sweep --seeds "1-$BUG_SEEDS" --mode before --replicas 1 --faults none --json | json || true)
py "$single" "f\"  seeds with duplicates: {d['runs_with_duplicates']} of {d['seeds']}; failing seeds: {len(d['failed_seeds'])}\""
instructions=0
if command -v valgrind >/dev/null; then
    echo "== instructions of one run (seed 42, after) under callgrind"
    stripped=$(mktemp)
    strip -o "$stripped" "$SIM"
    instructions=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$stripped" run --seed 42 --mode after 2>&1 >/dev/null \
        | awk '/Collected :/{print $NF}')
    rm -f "$stripped"
    echo "  ${instructions:-0} instructions"
fi
python3 - "$after" "$before" "$single" "$cpu" "${instructions:-0}" <<'PY'
import json, sys
after, before, single = (json.loads(a) for a in sys.argv[1:4])
cpu, instructions = float(sys.argv[4]), int(sys.argv[5])
print(json.dumps({
    "bench": "sim",
    "after_seeds": after["seeds"], "after_seconds": after["seconds"],
    "after_seeds_per_second": after["seeds_per_second"], "after_events_per_second": after["events_per_second"],
    "simulated_to_wall_ratio": after["simulated_to_wall_ratio"], "after_failed_seeds": len(after["failed_seeds"]),
    "after_cpu_seconds": round(cpu, 2), "after_cpu_ms_per_seed": round(1000 * cpu / after["seeds"], 3),
    "instructions_seed_42_after": instructions,
    "before_share_with_duplicates": round(before["runs_with_duplicates"] / before["seeds"], 4),
    "before_single_replica_no_faults_duplicates": single["runs_with_duplicates"],
    "targets_met": after["seconds"] < 60 and after["seeds_per_second"] >= 170 and after["simulated_to_wall_ratio"] >= 1000
        and not after["failed_seeds"] and before["runs_with_duplicates"] * 2 >= before["seeds"]
        and single["runs_with_duplicates"] == 0,
}))
PY
