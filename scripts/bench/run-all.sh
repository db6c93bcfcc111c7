#!/usr/bin/env bash
# `make bench`: the simulator, worker and api benchmarks in one run, one after the other, each printing as it
# does alone (its last stdout line is its JSON report). Writes bench-results/STAMP.json (the three reports, the
# machine, the commit, the goals and whether each is met), bench-results/STAMP.md (a short summary with the
# ratios) and each benchmark's full output beside them; prints the summary, then one JSON line.
# Every benchmark binds fixed ports: run it alone (flock /work/wt/.live.lock make bench on the shared machine).
set -euo pipefail
cd "$(dirname "$0")/../.."
results="${BENCH_RESULTS:-bench-results}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$results"
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"

run() {
    local name="$1"; shift
    echo "== make bench: $name ($*)" >&2
    "$@" | tee "$results/$stamp-$name.txt"
}
run sim make --no-print-directory bench-sim
run worker make --no-print-directory bench-worker
run api make --no-print-directory bench-api

python3 -m scripts.bench.summary --results "$results" --stamp "$stamp" --load-at-start "$load_at_start"
