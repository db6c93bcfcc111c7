#!/usr/bin/env bash
# Runs LiveIntegrationTests with a local PostgreSQL that this script starts and always stops again.
# Kafka needs nothing: the tests start librdkafka mock clusters in-process.
set -euo pipefail
cd "$(dirname "$0")/../.."
SWIFT="${SWIFT:-swift}"
scratch=()
[ -n "${SWIFT_SCRATCH:-}" ] && scratch=(--scratch-path "$SWIFT_SCRATCH")

started_here=0
if ! scripts/local-postgres.sh status >/dev/null 2>&1; then
    scripts/local-postgres.sh start
    started_here=1
fi
# The least-privilege roles (db/grants.sql) the tests run the api and the worker as.
scripts/local-postgres.sh roles
cleanup() {
    scripts/local-postgres.sh reset-standby || true
    if [ "$started_here" = 1 ]; then scripts/local-postgres.sh stop; fi
}
trap cleanup EXIT

"$SWIFT" test "${scratch[@]}" --filter 'LiveIntegrationTests|ModelConformanceTests'
