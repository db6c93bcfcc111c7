#!/usr/bin/env bash
# Sharded sweeps (`sim sweep --shard I/N --results FILE`, `sim merge`), on the release binary, as separate
# processes the way a fleet runs them:
#   1. N shards merged equal one sweep over the whole range, seed for seed (every failing seed with its kinds,
#      modes and reproducer, and every key of the report but the timing ones);
#   2. a shard runs the same seeds and writes the same lines whatever the worker count (the machine);
#   3. merge refuses a missing shard, a duplicated shard, a file cut short and shards of another count;
#   4. a clean range merges to exit 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIM=${SIM:-.build/release/sim}
SEEDS=${SEEDS:-1-400}
SHARDS=${SHARDS:-4}
# before mode at one replica with SIGKILLs: most seeds fail, some do not, so both kinds of seed are compared.
SCENARIO=(--mode before --replicas 1 --faults kill --events 400)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-shards: FAIL: $*" >&2; exit 1; }
started=$SECONDS

expect_status() { # expected-status command...
    local expected=$1 status=0
    shift
    "$@" >"$work/out" 2>"$work/err" || status=$?
    [ "$status" -eq "$expected" ] || fail "$* exited $status, expected $expected: $(tail -3 "$work/err")"
}

echo "== one sweep over $SEEDS"
expect_status 1 "$SIM" sweep --seeds "$SEEDS" "${SCENARIO[@]}" --json --results "$work/whole.jsonl"
tail -1 "$work/out" >"$work/whole.json"

echo "== $SHARDS shards as separate processes, one worker each"
pids=()
for ((index = 0; index < SHARDS; index++)); do
    "$SIM" sweep --seeds "$SEEDS" "${SCENARIO[@]}" --shard "$index/$SHARDS" --workers 1 --json \
        --results "$work/shard-$index.jsonl" >"$work/shard-$index.out" 2>&1 &
    pids+=($!)
done
for index in "${!pids[@]}"; do
    status=0
    wait "${pids[$index]}" || status=$?
    [ "$status" -le 1 ] || fail "shard $index/$SHARDS exited $status: $(tail -3 "$work/shard-$index.out")"
done
expect_status 1 "$SIM" merge "$work"/shard-*.jsonl --json
tail -1 "$work/out" >"$work/merged.json"

cat >"$work/compare.py" <<'PY'
import json, sys
work, shards, merged_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
timing = {"seconds", "seeds_per_second", "events_per_second", "simulated_to_wall_ratio"}
whole = json.load(open(f"{work}/whole.json"))
merged = json.load(open(merged_path))
for key, value in whole.items():
    if key in timing:
        continue
    assert merged.get(key) == value, f"merged {key} = {merged.get(key)!r}, one sweep: {value!r}"
assert merged["shards"] == shards and merged["seconds"] > 0
failures = lambda path: [{k: v for k, v in json.loads(line).items() if k != "shard"}
                         for line in open(path) if json.loads(line)["type"] == "failure"]
single = failures(f"{work}/whole.jsonl")
sharded = sorted((f for i in range(shards) for f in failures(f"{work}/shard-{i}.jsonl")), key=lambda f: f["seed"])
assert single == sharded, "failure lines differ between the shards and the single sweep"
assert 0 < len(single) < whole["seeds"], f"want failing and passing seeds, got {len(single)} of {whole['seeds']}"
print(f"merged == one sweep: {whole['seeds']} seeds, {len(single)} failing seeds line for line, "
      f"{len(whole) - len(timing)} keys equal; shards took {merged['seconds']} s in all, the longest {merged['longest_shard_seconds']} s")
PY
python3 "$work/compare.py" "$work" "$SHARDS" "$work/merged.json" || fail "merged report differs from the single sweep"
# The comparison has teeth: one violation more in the merged report must fail it.
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['violations_by_kind']['duplicate-effect']+=1; json.dump(d,open(sys.argv[2],'w'))" \
    "$work/merged.json" "$work/tampered.json"
if python3 "$work/compare.py" "$work" "$SHARDS" "$work/tampered.json" >/dev/null 2>&1; then
    fail "the comparison accepted a merged report with one violation more"
fi

echo "== a shard is the same on any machine (worker count)"
"$SIM" sweep --seeds "$SEEDS" "${SCENARIO[@]}" --shard "1/$SHARDS" --workers 2 --results "$work/again.jsonl" >/dev/null || true
diff <(grep '"type":"failure"' "$work/shard-1.jsonl") <(grep '"type":"failure"' "$work/again.jsonl") \
    || fail "shard 1/$SHARDS wrote different failure lines with 2 workers"
[ "$(grep -c . "$work/again.jsonl")" -eq "$(grep -c . "$work/shard-1.jsonl")" ] || fail "line counts differ"

echo "== merge refuses what is not one complete sweep"
refused() { # reason-pattern files...
    local pattern=$1
    shift
    expect_status 2 "$SIM" merge "$@"
    grep -q "$pattern" "$work/err" || fail "merge $*: expected '$pattern' in: $(cat "$work/err")"
    echo "refused: $(grep -m1 "$pattern" "$work/err")"
}
refused "missing 1 of $SHARDS shards" "$work"/shard-0.jsonl "$work"/shard-1.jsonl "$work"/shard-3.jsonl
cp "$work/shard-2.jsonl" "$work/copy.jsonl"
refused "duplicated shard 2/$SHARDS" "$work"/shard-*.jsonl "$work/copy.jsonl"
head -c -40 "$work/shard-3.jsonl" >"$work/cut.jsonl"
refused "no summary line" "$work"/shard-0.jsonl "$work"/shard-1.jsonl "$work"/shard-2.jsonl "$work/cut.jsonl"
"$SIM" sweep --seeds "$SEEDS" "${SCENARIO[@]}" --shard "1/3" --results "$work/other.jsonl" >/dev/null || true
refused "not shares of one sweep" "$work"/shard-0.jsonl "$work/other.jsonl"

echo "== a clean range merges to exit 0"
for index in 0 1; do
    expect_status 0 "$SIM" sweep --seeds 1-40 --mode after --faults none --events 400 --shard "$index/2" --results "$work/clean-$index.jsonl"
done
expect_status 0 "$SIM" merge "$work"/clean-0.jsonl "$work"/clean-1.jsonl
grep -q "failing seeds: 0" "$work/out" || fail "clean merge: $(cat "$work/out")"
echo "check-shards: OK ($((SECONDS - started)) s)"
