#!/usr/bin/env bash
# Live runtime dependencies: librdkafka (with its mock cluster), libpq, a PostgreSQL 15 server for the
# integration tests and the local stack, kcat (a real Kafka client for checks) and wrk (the API benchmark).
# Idempotent: installs only what is missing; runs `apt-get update` only when something is.
set -euo pipefail
wanted=(librdkafka-dev libpq-dev postgresql kcat wrk pkg-config)
missing=()
for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "live deps: all present"
    exit 0
fi
echo "live deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
