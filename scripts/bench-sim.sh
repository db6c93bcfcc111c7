#!/usr/bin/env bash
# `make bench-sim`: the simulator's figures (a benchmark that prints, not a timed test).
#   - a 10,000-seed `after` sweep of the default scenario (5 replicas, 12 partitions, 2,000 events, swarm
#     faults): seconds, seeds/s, simulated events/s and how much faster than real time simulated time runs;
#   - `before` at 5 replicas with swarm faults: the share of seeds with duplicates;
#   - `before` at 1 replica without faults: seeds with duplicates (must be none).
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${SIM:-.build/release/sim}
SEEDS=${SEEDS:-10000}
BUG_SEEDS=${BUG_SEEDS:-1000}
json() { tail -1; }
py() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$1"; }

echo "cores: $(nproc); load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== after, seeds 1-$SEEDS, default scenario"
after=$("$SIM" sweep --seeds "1-$SEEDS" --mode after --json | json || true)
py "$after" "f\"  {d['seeds']} seeds in {d['seconds']} s: {d['seeds_per_second']} seeds/s, {int(d['events_per_second'])} simulated events/s, simulated time {int(d['simulated_to_wall_ratio'])}x real time; failing seeds: {len(d['failed_seeds'])}\""
echo "== before, 5 replicas, swarm faults, seeds 1-$BUG_SEEDS"
before=$("$SIM" sweep --seeds "1-$BUG_SEEDS" --mode before --json | json || true)
py "$before" "f\"  seeds with duplicates: {d['runs_with_duplicates']} of {d['seeds']} ({100*d['runs_with_duplicates']/d['seeds']:.1f}%); violations by kind: {d['violations_by_kind']}\""
echo "== before, 1 replica, no faults, seeds 1-$BUG_SEEDS"
single=$("$SIM" sweep --seeds "1-$BUG_SEEDS" --mode before --replicas 1 --faults none --json | json || true)
py "$single" "f\"  seeds with duplicates: {d['runs_with_duplicates']} of {d['seeds']}; failing seeds: {len(d['failed_seeds'])}\""
python3 - "$after" "$before" "$single" <<'PY'
import json, sys
after, before, single = (json.loads(a) for a in sys.argv[1:4])
print(json.dumps({
    "after_seeds": after["seeds"], "after_seconds": after["seconds"],
    "after_seeds_per_second": after["seeds_per_second"], "after_events_per_second": after["events_per_second"],
    "simulated_to_wall_ratio": after["simulated_to_wall_ratio"], "after_failed_seeds": len(after["failed_seeds"]),
    "before_share_with_duplicates": round(before["runs_with_duplicates"] / before["seeds"], 4),
    "before_single_replica_no_faults_duplicates": single["runs_with_duplicates"],
    "targets_met": after["seconds"] < 60 and after["seeds_per_second"] >= 170 and after["simulated_to_wall_ratio"] >= 1000
        and not after["failed_seeds"] and before["runs_with_duplicates"] * 2 >= before["seeds"]
        and single["runs_with_duplicates"] == 0,
}))
PY
