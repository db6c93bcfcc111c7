#!/usr/bin/env bash
# The api against its contract on real processes (checks/api): PostgreSQL, kafka-dev, api and an after-mode worker
# on ports of their own, debug binaries. The files run in this order: the ledger check must come last.
set -euo pipefail
cd "$(dirname "$0")/../.."
export BUILD_CONFIG="${BUILD_CONFIG:-debug}"
swift build --product api
swift build --product worker
swift build --product kafka-dev
exec .local/venvs/api/bin/python -m pytest -q -p no:cacheprovider --rootdir . \
    checks/api/test_examples.py checks/api/test_keys.py checks/api/test_fuzz.py checks/api/test_trace.py checks/api/test_trace_sink_hung.py \
    checks/api/test_kill.py checks/api/test_ledger.py "$@"
