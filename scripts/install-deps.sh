#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 machine. Each area keeps its own
# idempotent installer in scripts/deps/; this runs them all. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
for installer in scripts/deps/*.sh; do
    [ -e "$installer" ] || continue
    echo "== deps: $installer"
    bash "$installer"
done
