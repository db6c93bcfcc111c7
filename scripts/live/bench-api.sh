#!/usr/bin/env bash
# API benchmark on loopback: POST /v1/events (validate, produce, wait for the broker's ack) against the bare
# 202 route of the same server, in the same run; then POST /v1/events with a unique Idempotency-Key per
# request (adds the Postgres claim). Release build, local PostgreSQL, kafka-dev with 3 brokers.
# Prints figures and, last, one JSON line. Traffic goes to 127.0.0.1 only, bounded by DURATION.
#   DURATION=15 CONNECTIONS=64 WRK_THREADS=1 API_ARGS="--kafka-property linger.ms=5" scripts/live/bench-api.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${DURATION:-15}"
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

pids=()
pg_started=0
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$pg_started" = 1 ]; then scripts/local-postgres.sh stop; fi
}
trap cleanup EXIT

if ! scripts/local-postgres.sh status >/dev/null 2>&1; then scripts/local-postgres.sh start; pg_started=1; fi
database_url="$(scripts/local-postgres.sh url)"

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

# CPU seconds (user+system) a process has used so far, for CPU cost per event independent of machine load.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$1/stat"; }
kafka_pid="${pids[0]}"
api_pid="${pids[1]}"

accepted_total() { curl -fsS "$base/metrics" | awk '/^replicasafe_api_events_accepted_total /{print $2}'; }

# run NAME PATH [KEYED]: prints the wrk JSON line (and keeps wrk's full output in out/bench-api/NAME.txt)
run() {
    local name="$1" path="$2" keyed="${3:-0}"
    KEYED="$keyed" RUN_ID="$name-$$" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
        -s tests/load/bench-api.lua "$base$path" >"$out/$name.txt" 2>&1
    grep '^WRK ' "$out/$name.txt" | sed 's/^WRK //'
}
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

echo "== warm-up (3 s)" >&2
DURATION=3 run warmup /v1/events >/dev/null
echo "== bare 202 route, ${DURATION}s, $CONNECTIONS connections" >&2
bare="$(run bare /bench/bare-202)"
echo "== POST /v1/events, ${DURATION}s, $CONNECTIONS connections" >&2
before="$(accepted_total)"
cpu_api_0="$(cpu_seconds "$api_pid")"; cpu_kafka_0="$(cpu_seconds "$kafka_pid")"
events="$(run events /v1/events)"
cpu_api_1="$(cpu_seconds "$api_pid")"; cpu_kafka_1="$(cpu_seconds "$kafka_pid")"
after="$(accepted_total)"
echo "== POST /v1/events with Idempotency-Key, ${DURATION}s, $CONNECTIONS connections" >&2
before_keyed="$after"
keyed="$(run keyed /v1/events 1)"
after_keyed="$(accepted_total)"

python3 - "$bare" "$events" "$keyed" "$before" "$after" "$before_keyed" "$after_keyed" "$DURATION" "$CONNECTIONS" \
    "$cpu_api_0" "$cpu_api_1" "$cpu_kafka_0" "$cpu_kafka_1" "$(uptime | sed 's/.*load average: //')" <<'PY'
import json, sys
bare, events, keyed = (json.loads(a) for a in sys.argv[1:4])
before, after, before_k, after_k = (float(a) for a in sys.argv[4:8])
duration, connections = float(sys.argv[8]), int(sys.argv[9])
cpu_api = float(sys.argv[11]) - float(sys.argv[10])
cpu_kafka = float(sys.argv[13]) - float(sys.argv[12])
load = sys.argv[14]
def rate(r): return (r["requests"] - r["non2xx"] - r["socket_errors"]) / (r["duration_us"] / 1e6)
bare_rate = rate(bare)
accepted_rate = (after - before) / (events["duration_us"] / 1e6)
keyed_rate = (after_k - before_k) / (keyed["duration_us"] / 1e6)
ratio = accepted_rate / bare_rate if bare_rate else 0.0
print(f"bare 202 route:            {bare_rate:10.0f} req/s    p50 {bare['p50_ms']:.2f} ms  p99 {bare['p99_ms']:.2f} ms")
print(f"POST /v1/events accepted:  {accepted_rate:10.0f} events/s p50 {events['p50_ms']:.2f} ms  p99 {events['p99_ms']:.2f} ms  (non-2xx {events['non2xx']})")
print(f"  with Idempotency-Key:    {keyed_rate:10.0f} events/s p50 {keyed['p50_ms']:.2f} ms  p99 {keyed['p99_ms']:.2f} ms  (non-2xx {keyed['non2xx']})")
print(f"events / bare:             {ratio:10.2f}")
accepted = max(after - before, 1)
print(f"CPU per accepted event:    api {cpu_api / accepted * 1e6:.0f} us, kafka-dev {cpu_kafka / accepted * 1e6:.0f} us"
      f"   (machine load average {load})")
met = accepted_rate >= 10000 and events["p99_ms"] <= 25 and ratio >= 0.5
print(json.dumps({
    "bench": "api", "duration_s": duration, "connections": connections,
    "accepted_per_s": round(accepted_rate), "p50_ms": events["p50_ms"], "p99_ms": events["p99_ms"],
    "bare_per_s": round(bare_rate), "bare_p99_ms": bare["p99_ms"], "ratio_to_bare": round(ratio, 3),
    "keyed_accepted_per_s": round(keyed_rate), "keyed_p99_ms": keyed["p99_ms"],
    "non2xx": events["non2xx"] + keyed["non2xx"], "targets_met": met,
    "api_cpu_us_per_event": round(cpu_api / accepted * 1e6), "kafka_dev_cpu_us_per_event": round(cpu_kafka / accepted * 1e6),
    "load_average": load,
}))
PY
