#!/usr/bin/env bash
# Timeline check dependencies: Debian's chromium, the real browser that checks/timeline/check-timeline.sh
# opens the postmortem HTML in (headless). Idempotent: installs only when missing; `apt-get update` only then.
set -euo pipefail
if dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
    echo "timeline deps: chromium present"
    exit 0
fi
echo "timeline deps: installing chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
