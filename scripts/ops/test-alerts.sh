#!/usr/bin/env bash
# Alert rules check: extract spec.groups from the PrometheusRule, `promtool check rules`, run every
# promtool unit test in checks/alerts/, then the coverage meta-check (runbooks, severities, summaries
# with values, a firing and a quiet test per alert). Exit non-zero on any failure.
#
# Usage: scripts/ops/test-alerts.sh [PROMETHEUSRULE.yaml]   (default: the one in apps/base/observability)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RULE_FILE=$(realpath "${1:-$ROOT/apps/base/observability/prometheusrule.yaml}")
cd "$ROOT"
PYTHON="$ROOT/.local/venvs/ops/bin/python"
[ -x "$PYTHON" ] || { echo "test-alerts: missing $PYTHON (run make deps)" >&2; exit 2; }
command -v promtool >/dev/null || { echo "test-alerts: missing promtool (run make deps)" >&2; exit 2; }

STAGE=$(mktemp -d /tmp/replicasafe-alerts.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
"$PYTHON" -m scripts.ops.extract_rules "$STAGE/rules.yaml" "$RULE_FILE"
promtool check rules "$STAGE/rules.yaml"
cp "$ROOT"/checks/alerts/*.test.yaml "$STAGE/"
(cd "$STAGE" && promtool test rules ./*.test.yaml)
"$PYTHON" -m scripts.ops.check_alert_coverage "$STAGE/rules.yaml" "$ROOT/docs/runbooks" "$ROOT"/checks/alerts/*.test.yaml
