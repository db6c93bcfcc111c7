#!/usr/bin/env bash
# make lint-platform: every platform check, each printing what it covered. Exits 1 when any check fails, after
# running all of them, so one run shows every problem.
#
#   scripts/lint/platform.sh [CHECK...]     checks: render schema overlays invariants network traces terraform
#                                          tfvalidate helmvalues alertmanager privileges checkov (then the
#                                          shell and YAML linters)
#                                          (default: all, in the order of all_checks below)
#
# Works on the tree it lives in (checks/platform copy a tree, break it, and run this on the copy). Tools come
# from `make deps` (virtualenvs in .local/venvs of the main checkout, or PLATFORM_VENVS).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
VENVS=${PLATFORM_VENVS:-$ROOT/.local/venvs}
PY="$VENVS/lint/bin/python"
OUT="$ROOT/.local/lint"
RENDERED="$OUT/rendered"
LINT="$ROOT/scripts/lint"
for tool in "$PY" "$VENVS/lint/bin/yamllint" "$VENVS/nca/bin/nca" "$VENVS/checkov/bin/checkov"; do
    [ -x "$tool" ] || { echo "lint-platform: $tool missing: run make deps" >&2; exit 2; }
done
command -v shellcheck >/dev/null || { echo "lint-platform: shellcheck missing: run make deps" >&2; exit 2; }

all_checks=(render schema overlays invariants network privileges traces terraform tfvalidate helmvalues alertmanager toolpins
    checkov shellcheck yamllint)
if [ $# -gt 0 ]; then checks=("$@"); else checks=("${all_checks[@]}"); fi
# Checks of rendered manifests need the render first, also when asked for alone.
case " ${checks[*]} " in
    *" render "*) ;;
    *" schema "* | *" overlays "* | *" invariants "* | *" network "* | *" privileges "* | *" traces "* | *" checkov "*)
        checks=(render "${checks[@]}") ;;
esac
mkdir -p "$OUT"
rm -rf "$RENDERED"
mkdir -p "$RENDERED"

declare -A status
summary=()
render_ok=0

# run NAME COMMAND...: runs one check, keeps its output in .local/lint/NAME.log, remembers pass/fail.
run() {
    local name=$1
    shift
    local started=$SECONDS rc=0
    echo "---- $name"
    "$@" 2>&1 | tee "$OUT/$name.log" || rc=$?
    [ "${PIPESTATUS[0]}" = 0 ] || rc=1
    if [ "$rc" = 0 ]; then status[$name]=ok; else status[$name]=FAILED; fi
    summary+=("$(printf '%-11s %-6s %4ss  %s' "$name" "${status[$name]}" $((SECONDS - started)) \
        "$(grep -v '^\s*$' "$OUT/$name.log" | tail -n1 | cut -c1-220)")")
}

needs_render() {
    if [ "$render_ok" != 1 ]; then
        echo "---- $1: not run (render failed)"
        status[$1]=FAILED
        summary+=("$(printf '%-11s %-6s %4ss  %s' "$1" FAILED 0 'not run: the render failed')")
        return 1
    fi
}

check_render() {
    local target count failed=0
    for target in before after load fuzz; do
        if apps/render.sh "$target" apps/environments/example.env >"$RENDERED/$target.yaml"; then
            count=$(grep -c '^kind:' "$RENDERED/$target.yaml" || true)
            echo "render: $target: $count objects"
            [ "$count" -gt 0 ] || { echo "render: $target rendered nothing"; failed=1; }
        else
            echo "render: $target FAILED"
            failed=1
        fi
    done
    # Cluster-level manifests that platform/install_platform.sh applies, and the Karpenter alternative.
    local manifest
    for manifest in platform/manifests/*.yaml; do
        printf -- '---\n# %s\n' "$manifest"
        cat "$manifest"
    done >"$RENDERED/platform.yaml"
    cp platform/alternatives/karpenter.yaml "$RENDERED/alternatives.yaml"
    echo "render: before, after, load and fuzz rendered with apps/environments/example.env (what deploy_apps.sh and apps/fuzz/run.sh apply)"
    return $failed
}

check_schema() {
    (cd platform/crds && sha256sum --quiet -c SHA256SUMS) || {
        echo "schema: platform/crds differ from SHA256SUMS (vendored CRDs must stay byte-exact upstream blobs)"
        return 1
    }
    # The stand-ins for cluster components the network analysis uses must be valid objects too.
    "$PY" -m scripts.lint.validate_manifests --crds platform/crds platform/network-peers.yaml || return 1
    "$PY" -m scripts.lint.validate_manifests --crds platform/crds "$RENDERED"/*.yaml
}

check_checkov() {
    local failed=0
    "$PY" -m scripts.lint.check_checkov_skips --root "$ROOT" "$RENDERED"/*.yaml || failed=1
    # --skip-download: never call out to the vendor's API. No --skip-check: skips live inline with reasons.
    "$VENVS/checkov/bin/checkov" -d infra --framework terraform --skip-download --quiet -o json \
        >"$OUT/checkov-terraform.json" 2>"$OUT/checkov-terraform.err" || true
    "$PY" -m scripts.lint.checkov_summary "$OUT/checkov-terraform.json" terraform || failed=1
    # -f, not -d: checkov skips directories whose path has a hidden component such as .local/.
    local manifests=() file
    for file in "$RENDERED"/*.yaml; do manifests+=(-f "$file"); done
    "$VENVS/checkov/bin/checkov" "${manifests[@]}" --framework kubernetes --skip-download --quiet -o json \
        >"$OUT/checkov-kubernetes.json" 2>"$OUT/checkov-kubernetes.err" || true
    "$PY" -m scripts.lint.checkov_summary "$OUT/checkov-kubernetes.json" kubernetes || failed=1
    if [ -d .github/workflows ]; then
        "$VENVS/checkov/bin/checkov" -d .github --framework github_actions --skip-download --quiet -o json \
            >"$OUT/checkov-actions.json" 2>"$OUT/checkov-actions.err" || true
        "$PY" -m scripts.lint.checkov_summary "$OUT/checkov-actions.json" github_actions || failed=1
    fi
    echo "checkov: $(grep -hoE '^checkov [a-z_]+: [0-9]+ resources, [0-9]+ passed, [0-9]+ failed' "$OUT/checkov.log" |
        sed "s/^checkov //" | paste -sd ";" - | sed "s/;/; /g")"
    return $failed
}

# Every shell script of the repository, whoever wrote it: *.sh/*.bash and files with a sh/bash shebang.
shell_scripts() {
    local files
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1 && [ "$(git -C "$ROOT" rev-parse --show-toplevel)" = "$ROOT" ]; then
        files=$(git ls-files -co --exclude-standard)
    else
        files=$(find . -type f -not -path './.local/*' -not -path './.build*' -not -path './.git/*' | sed 's|^\./||')
    fi
    while IFS= read -r file; do
        [ -f "$file" ] || continue
        case $file in
            *.sh | *.bash) echo "$file" ;;
            *) head -n1 "$file" 2>/dev/null | grep -qE '^#!\s*(/usr/bin/env\s+)?(/bin/|/usr/bin/)?(ba)?sh\b' && echo "$file" ;;
        esac
    done <<<"$files" | sort -u
}

check_shellcheck() {
    local scripts=() failed=() file
    mapfile -t scripts < <(shell_scripts)
    [ "${#scripts[@]}" -gt 0 ] || { echo "shellcheck: no shell scripts found"; return 1; }
    for file in "${scripts[@]}"; do
        shellcheck -x -f gcc "$file" || failed+=("$file")
    done
    for file in "${failed[@]}"; do echo "shellcheck: FAILED $file"; done
    echo "shellcheck: ${#scripts[@]} scripts, ${#failed[@]} failing"
    [ "${#failed[@]}" = 0 ]
}

check_yamllint() {
    local files=()
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1 && [ "$(git -C "$ROOT" rev-parse --show-toplevel)" = "$ROOT" ]; then
        mapfile -t files < <(git ls-files -co --exclude-standard -- '*.yaml' '*.yml' | grep -v -e '^platform/crds/' -e '^platform/chart-defaults/' | sort)
    else
        mapfile -t files < <(find . \( -name '*.yaml' -o -name '*.yml' \) -not -path './.local/*' \
            -not -path './.build*' -not -path './platform/crds/*' -not -path './platform/chart-defaults/*' | sed 's|^\./||' | sort)
    fi
    local existing=() file
    for file in "${files[@]}"; do [ -f "$file" ] && existing+=("$file"); done
    [ "${#existing[@]}" -gt 0 ] || { echo "yamllint: no YAML files"; return 1; }
    local rc=0
    "$VENVS/lint/bin/yamllint" -c "$LINT/yamllint.yaml" -f parsable "${existing[@]}" || rc=$?
    echo "yamllint: ${#existing[@]} files (vendored platform/crds and platform/chart-defaults excluded), exit $rc"
    return $rc
}

for check in "${checks[@]}"; do
    case $check in
        render)
            run render check_render
            [ "${status[render]}" = ok ] && render_ok=1 ;;
        schema) needs_render schema && run schema check_schema ;;
        overlays)
            needs_render overlays && run overlays "$PY" -m scripts.lint.check_overlay_diff "$RENDERED/before.yaml" "$RENDERED/after.yaml" ;;
        invariants)
            needs_render invariants && run invariants "$PY" -m scripts.lint.check_invariants --interfaces docs/interfaces.md \
                --deploy-script apps/deploy_apps.sh "$RENDERED/after.yaml" "$RENDERED/load.yaml" "$RENDERED/fuzz.yaml" ;;
        network)
            needs_render network && run network "$PY" -m scripts.lint.check_network --nca "$VENVS/nca/bin/nca" \
                --peers platform/network-peers.yaml --peers platform/manifests/tempo.yaml --matrix docs/security/traffic-matrix.md \
                "$RENDERED/after.yaml" "$RENDERED/load.yaml" "$RENDERED/fuzz.yaml" ;;
        privileges)
            needs_render privileges && run privileges "$PY" -m scripts.lint.check_privileges --root "$ROOT" \
                "$RENDERED/after.yaml" ;;
        traces)
            needs_render traces && run traces "$PY" -m scripts.lint.check_traces --root "$ROOT" "$RENDERED/after.yaml" ;;
        terraform) run terraform "$PY" -m scripts.lint.check_terraform --root "$ROOT" ;;
        tfvalidate) run tfvalidate "$ROOT/scripts/infra/validate.sh" ;;
        toolpins) run toolpins "$PY" -m scripts.lint.check_tool_pins --root "$ROOT" ;;
        helmvalues) run helmvalues "$PY" -m scripts.lint.check_helm_values --root "$ROOT" ;;
        alertmanager)
            run alertmanager "$PY" -m scripts.lint.check_alertmanager --values platform/values/kube-prometheus-stack.yaml \
                --rules apps ;;
        checkov) needs_render checkov && run checkov check_checkov ;;
        shellcheck) run shellcheck check_shellcheck ;;
        yamllint) run yamllint check_yamllint ;;
        *) echo "lint-platform: unknown check $check (known: ${all_checks[*]})" >&2; exit 2 ;;
    esac
done

echo
echo "==== lint-platform summary"
printf '%s\n' "${summary[@]}"
for check in "${!status[@]}"; do
    [ "${status[$check]}" = ok ] || { echo "lint-platform: FAILED ($check)"; exit 1; }
done
echo "lint-platform: all ${#status[@]} checks passed"
