#!/usr/bin/env bash
# API benchmark on loopback: POST /v1/events (validate, produce, wait for the broker's ack) against the bare
# 202 route of the same server, in the same run (alternating in ROUNDS rounds, DURATION seconds per route in
# all); then POST /v1/events with a unique Idempotency-Key per request (adds the Postgres claim). Release
# build, the benchmarks' own PostgreSQL (durable unless BENCH_PG_DURABILITY=off, scripts/bench/common.sh; the api
# connects as the least-privilege role `api`), kafka-dev with 3 brokers. Prints figures and, last, one JSON line. Traffic goes to
# 127.0.0.1 only, bounded by DURATION.
#   DURATION=15 ROUNDS=3 CONNECTIONS=64 WRK_THREADS=1 API_ARGS="--kafka-property linger.ms=5" scripts/live/bench-api.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${DURATION:-15}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
WRK_THREADS="${WRK_THREADS:-1}"
API_PORT="${BENCH_API_PORT:-18080}"
BROKER_PORTS="${BENCH_BROKER_PORTS:-19292,19293,19294}"
SWIFT="${SWIFT:-swift}"
scratch=()
[ -n "${SWIFT_SCRATCH:-}" ] && scratch=(--scratch-path "$SWIFT_SCRATCH")
out="out/bench-api"
mkdir -p "$out"

echo "== building release api and kafka-dev" >&2
"$SWIFT" build -c release "${scratch[@]}" --product api >&2
"$SWIFT" build -c release "${scratch[@]}" --product kafka-dev >&2
bin="$("$SWIFT" build -c release "${scratch[@]}" --show-bin-path)"

# shellcheck source=scripts/bench/common.sh
source scripts/bench/common.sh
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    bench_pg_stop
}
trap cleanup EXIT

bench_pg_start
durability="$(scripts/local-postgres.sh durability)"
scripts/local-postgres.sh schema replicasafe
database_url="$(scripts/local-postgres.sh url api)"

"$bin/kafka-dev" --ports "$BROKER_PORTS" --control-port 0 >"$out/kafka-dev.out" 2>"$out/kafka-dev.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$out/kafka-dev.out" ] && break; sleep 0.1; done
bootstrap="$(head -1 "$out/kafka-dev.out")"
[ -n "$bootstrap" ] || { echo "kafka-dev did not start; see $out/kafka-dev.log" >&2; exit 1; }

# shellcheck disable=SC2086 # API_ARGS is a list of extra flags
LOG_LEVEL=warning "$bin/api" --http-port "$API_PORT" --enable-bare-route ${API_ARGS:-} \
    --kafka-bootstrap-servers "$bootstrap" --database-url "$database_url" >"$out/api.log" 2>&1 &
pids+=($!)
base="http://127.0.0.1:$API_PORT"
for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "$base/readyz" >/dev/null || { echo "api not ready; see $out/api.log" >&2; exit 1; }

kafka_pid="${pids[0]}"
api_pid="${pids[1]}"

accepted_total() { curl -fsS "$base/metrics" | awk '/^replicasafe_api_events_accepted_total /{print $2}'; }

# run NAME PATH [KEYED]: prints the wrk JSON line (and keeps wrk's full output in out/bench-api/NAME.txt)
run() {
    local name="$1" path="$2" keyed="${3:-0}"
    KEYED="$keyed" RUN_ID="$name-$$" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
        -s checks/load/bench-api.lua "$base$path" >"$out/$name.txt" 2>&1
    grep '^WRK ' "$out/$name.txt" | sed 's/^WRK //'
}

echo "== warm-up (3 s)" >&2
DURATION=3 run warmup /v1/events >/dev/null
# The two routes alternate in ROUNDS short rounds, so a change in machine speed during the run (other VMs, a
# build finishing) weighs on both sides of the ratio alike instead of on whichever route ran second.
round_seconds=$(( DURATION / ROUNDS ))
[ "$round_seconds" -ge 1 ] || { echo "DURATION must be at least ROUNDS seconds" >&2; exit 2; }
bare_runs=()
event_runs=()
counters=()  # per round: the accepted counter and both processes' CPU seconds before and after the events run
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round/$ROUNDS: bare 202 route then POST /v1/events, ${round_seconds}s each, $CONNECTIONS connections" >&2
    bare_runs+=("$(DURATION=$round_seconds run "bare-$round" /bench/bare-202)")
    before="$(accepted_total)"; api_0="$(cpu_seconds "$api_pid")"; kafka_0="$(cpu_seconds "$kafka_pid")"
    event_runs+=("$(DURATION=$round_seconds run "events-$round" /v1/events)")
    after="$(accepted_total)"; api_1="$(cpu_seconds "$api_pid")"; kafka_1="$(cpu_seconds "$kafka_pid")"
    counters+=("{\"accepted\": [$before, $after], \"api_cpu\": [$api_0, $api_1], \"kafka_cpu\": [$kafka_0, $kafka_1]}")
done
echo "== POST /v1/events with Idempotency-Key, ${DURATION}s, $CONNECTIONS connections" >&2
before_keyed="$(accepted_total)"
keyed="$(run keyed /v1/events 1)"
after_keyed="$(accepted_total)"

join_json() { local IFS=,; echo "[$*]"; }
python3 - "$(join_json "${bare_runs[@]}")" "$(join_json "${event_runs[@]}")" "$keyed" "$(join_json "${counters[@]}")" \
    "$before_keyed" "$after_keyed" "$DURATION" "$CONNECTIONS" "$(load_average)" "$durability" <<'PY'
import json, statistics, sys
bare_runs, event_runs, keyed, counters = (json.loads(a) for a in sys.argv[1:5])
before_k, after_k = float(sys.argv[5]), float(sys.argv[6])
duration, connections = float(sys.argv[7]), int(sys.argv[8])
load, durability = sys.argv[9], sys.argv[10]
def delta(name): return [c[name][1] - c[name][0] for c in counters]
accepted_deltas = delta("accepted")
cpu_api, cpu_kafka = sum(delta("api_cpu")), sum(delta("kafka_cpu"))
def seconds(r): return r["duration_us"] / 1e6
def ok(r): return r["requests"] - r["non2xx"] - r["socket_errors"]
bare_rate = sum(ok(r) for r in bare_runs) / sum(seconds(r) for r in bare_runs)
accepted = sum(accepted_deltas)
accepted_rate = accepted / sum(seconds(r) for r in event_runs)
ratio = accepted_rate / bare_rate if bare_rate else 0.0
per_round = [round((d / seconds(e)) / (ok(b) / seconds(b)), 3) for b, e, d in zip(bare_runs, event_runs, accepted_deltas)]
# Latency: the worst round's percentile, not an average of rounds.
p99 = max(r["p99_ms"] for r in event_runs)
p50 = statistics.median(r["p50_ms"] for r in event_runs)
bare_p99 = max(r["p99_ms"] for r in bare_runs)
bare_p50 = statistics.median(r["p50_ms"] for r in bare_runs)
non2xx = sum(r["non2xx"] for r in event_runs)
keyed_rate = (after_k - before_k) / seconds(keyed)
print(f"PostgreSQL durability: {durability} (fsync, synchronous_commit, full_page_writes)")
print(f"bare 202 route:            {bare_rate:10.0f} req/s    p50 {bare_p50:.2f} ms  p99 {bare_p99:.2f} ms")
print(f"POST /v1/events accepted:  {accepted_rate:10.0f} events/s p50 {p50:.2f} ms  p99 {p99:.2f} ms  (non-2xx {non2xx})")
print(f"  with Idempotency-Key:    {keyed_rate:10.0f} events/s p50 {keyed['p50_ms']:.2f} ms  p99 {keyed['p99_ms']:.2f} ms  (non-2xx {keyed['non2xx']})")
print(f"events / bare:             {ratio:10.2f}   (rounds: {', '.join(f'{r:.2f}' for r in per_round)})")
accepted = max(accepted, 1)
print(f"CPU per accepted event:    api {cpu_api / accepted * 1e6:.0f} us, kafka-dev {cpu_kafka / accepted * 1e6:.0f} us"
      f"   (machine load average {load})")
met = accepted_rate >= 10000 and p99 <= 25 and ratio >= 0.5
print(json.dumps({
    "bench": "api", "duration_s": duration, "connections": connections, "rounds": len(event_runs),
    "accepted_per_s": round(accepted_rate), "p50_ms": p50, "p99_ms": p99,
    "bare_per_s": round(bare_rate), "bare_p99_ms": bare_p99, "ratio_to_bare": round(ratio, 3), "ratio_per_round": per_round,
    "keyed_accepted_per_s": round(keyed_rate), "keyed_p99_ms": keyed["p99_ms"],
    "non2xx": non2xx + keyed["non2xx"], "targets_met": met,
    "api_cpu_us_per_event": round(cpu_api / accepted * 1e6), "kafka_dev_cpu_us_per_event": round(cpu_kafka / accepted * 1e6),
    "load_average": load, "durability": durability,
}))
PY
