#!/usr/bin/env bash
# `make deps`: Debian's python3 first (the installer is Python, and the virtualenvs are made with Debian's
# interpreter so that a pyenv change cannot break them), then scripts/deps/install.py, which installs what
# pyproject.toml lists and skips what is present. Arguments go to install.py (--check: report only).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! /usr/bin/python3 -c 'import ensurepip, tomllib' 2>/dev/null; then
    echo "deps: apt: installing python3 python3-venv (the installer's interpreter)"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends python3 python3-venv
fi
exec /usr/bin/python3 -m scripts.deps.install "$@"
