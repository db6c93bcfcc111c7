#!/usr/bin/env bash
# The postmortem timeline in a real browser (Debian chromium, headless):
#   1. `sim --mode before --html --svg --json` on a failing seed (exit 1 expected);
#   2. chromium opens the HTML under a proxy to nowhere and a resolver that resolves nothing, records a NetLog,
#      runs the page's script and dumps the DOM; the DOM must hold one marker per violation of the --json
#      report (same kinds, causes and times), every partition lane, and the script's own counts;
#   3. a copy of the page with a probe script clicks the first list entry and a kind filter: the marker and the
#      entry are highlighted, the explanation panel opens, the kind's markers are hidden;
#   4. the NetLog must show no request made for the page. Two control pages prove the detector and the CSP:
#      an <img> of an http(s) URL without a CSP must be seen as page requests, and with our CSP must not;
#   5. the SVG parses as XML (expat) with one marker per violation; `--mode both` writes FILE and
#      FILE.after.svg and one HTML with both runs.
# Installs nothing (`make deps` does). Usage: checks/timeline/check-timeline.sh
# Env: SIM (default .build/release/sim, else .build/debug/sim), SEED (default 42, must fail in before mode).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s.%N)
SEED=${SEED:-42}
CHECK="python3 -m checks.timeline.timeline_check"
fail() { echo "timeline-check: FAIL: $*" >&2; exit 1; }

SIM=${SIM:-}
if [ -z "$SIM" ]; then
    for candidate in .build/release/sim .build/debug/sim; do
        if [ -x "$candidate" ]; then SIM=$candidate; break; fi
    done
fi
{ [ -n "$SIM" ] && [ -x "$SIM" ]; } || fail "no sim binary (build it: swift build -c release --product sim, or set SIM)"
command -v chromium >/dev/null || fail "chromium is not installed (run make deps)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# No request can leave: every host resolves to nothing and every URL (loopback included) goes to a proxy on
# the discard port where nothing listens. The NetLog records what the browser attempted anyway.
browse() { # name file -> $work/name.dom, $work/name.netlog
    timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
        --disable-extensions --user-data-dir="$work/profile-$1" \
        --proxy-server=http://127.0.0.1:9 --proxy-bypass-list='<-loopback>' --host-resolver-rules='MAP * ~NOTFOUND' \
        --log-net-log="$work/$1.netlog" --virtual-time-budget=2000 \
        --dump-dom "file://$2" >"$work/$1.dom" 2>"$work/$1.chromium.log" \
        || { tail -20 "$work/$1.chromium.log" >&2; fail "chromium failed on $2"; }
}

echo "== sim --seed $SEED --mode before --json --html --svg ($SIM)"
set +e
"$SIM" --seed "$SEED" --mode before --json --html "$work/before.html" --svg "$work/before.svg" >"$work/before.json"
status=$?
set -e
[ "$status" -eq 1 ] || fail "sim exited $status; seed $SEED must violate invariants in before mode (exit 1)"
violations=$(python3 -c 'import json,sys; print(len(json.loads(open(sys.argv[1]).read().splitlines()[-1])["violations"]))' "$work/before.json")
[ "${violations:-0}" -gt 0 ] || fail "the report lists no violations"
echo "report: $violations violations; html $(stat -c %s "$work/before.html") bytes, svg $(stat -c %s "$work/before.svg") bytes"
grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;unsafe-inline&#39;; img-src data:\">" "$work/before.html" \
    || fail "the HTML lacks the Content-Security-Policy meta tag"
$CHECK static "$work/before.json" "$work/before.html" >/dev/null

echo "== chromium: DOM after the page's script ran"
browse page "$work/before.html"
# Results go through variables: a failing $(...) inside echo's arguments would not stop the script.
dom=$($CHECK dom "$work/before.json" "$work/page.dom")
echo "browser DOM: $dom"

echo "== chromium: the page's links, markers and filters work"
# A copy of the page with a probe script after the page's own: it clicks the first list entry and the first
# kind filter, and writes what the page did into <body> for the DOM dump.
probe="<script>(function () {
  var link = document.querySelector('a[data-marker]'); var id = link.getAttribute('data-marker'); link.click();
  var marker = document.getElementById(id); var item = document.querySelector('li.focused');
  var box = document.querySelector('input[data-filter-kind]'); var kind = box.getAttribute('data-filter-kind'); box.click();
  var all = document.querySelectorAll('[data-violation-kind]'); var hidden = 0, ofKind = 0;
  all.forEach(function (m) { if (m.getAttribute('data-violation-kind') === kind) { ofKind++; if (getComputedStyle(m).display === 'none') { hidden++; } } });
  document.body.setAttribute('data-probe', [id, marker.classList.contains('focused'), item ? item.getAttribute('data-marker') : '',
    document.getElementById('timeline-selected').hidden, hidden === ofKind && ofKind > 0].join('|'));
})();</script>"
python3 -c 'import sys; t = open(sys.argv[1]).read(); i = t.rindex("</body>"); open(sys.argv[2], "w").write(t[:i] + sys.argv[3] + t[i:])' \
    "$work/before.html" "$work/probe.html" "$probe"
browse probe "$work/probe.html"
outcome=$(sed -n 's/.*data-probe="\([^"]*\)".*/\1/p' "$work/probe.dom" | head -1)
[ "$outcome" = "before-v-0|true|before-v-0|false|true" ] \
    || fail "clicking the first list entry and kind filter gave '$outcome', expected before-v-0 focused, its entry focused, the panel shown, the kind hidden"
echo "first list entry -> marker before-v-0 highlighted, entry highlighted, explanation panel shown; kind filter hides its markers"

echo "== chromium: network requests made for the page (NetLog)"
requests=$($CHECK netlog "$work/page.netlog")
read -r page_requests background <<<"$requests"
[ "$page_requests" -eq 0 ] || fail "the timeline page made $page_requests network request(s)"
echo "timeline page: 0 requests (chromium's own background fetches, not the page's, all refused: $background)"
csp=$(sed -n 's/.*\(<meta http-equiv="Content-Security-Policy"[^>]*>\).*/\1/p' "$work/before.html" | head -1)
control='<img src="http://192.0.2.1/x.png"><img src="https://example.invalid/y.png"><script src="http://192.0.2.1/x.js"></script>'
printf '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>%s</body></html>\n' "$control" >"$work/control.html"
printf '<!DOCTYPE html><html><head>%s<meta charset="utf-8"></head><body>%s</body></html>\n' "$csp" "$control" >"$work/control-csp.html"
browse control "$work/control.html"
requests=$($CHECK netlog "$work/control.netlog" 2>/dev/null)
read -r control_requests _ <<<"$requests"
[ "$control_requests" -ge 3 ] || fail "control page without CSP: $control_requests page requests seen, expected 3 (the detector is blind)"
browse control-csp "$work/control-csp.html"
requests=$($CHECK netlog "$work/control-csp.netlog" 2>/dev/null)
read -r csp_requests _ <<<"$requests"
[ "$csp_requests" -eq 0 ] || fail "control page with our CSP: $csp_requests requests went out (the CSP does not hold)"
echo "controls: without CSP $control_requests requests detected; with the timeline's CSP $csp_requests"

echo "== SVG (expat) and --mode both"
svg=$($CHECK svg "$work/before.json" "$work/before.svg")
echo "before.svg: $svg"
set +e
"$SIM" --seed "$SEED" --mode both --json --html "$work/both.html" --svg "$work/both.svg" >"$work/both.json"
status=$?
set -e
[ "$status" -eq 1 ] || fail "sim --mode both exited $status, expected 1"
[ -f "$work/both.after.svg" ] || fail "--mode both did not write both.after.svg"
svg=$($CHECK svg "$work/both.json" "$work/both.svg" before)
svg_after=$($CHECK svg "$work/both.json" "$work/both.after.svg" after)
html=$($CHECK static "$work/both.json" "$work/both.html")
echo "both.svg: $svg; both.after.svg: $svg_after; both.html: $html"

elapsed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$started" "$(date +%s.%N)")
echo "timeline-check: ok (seed $SEED, $violations violations marked, ${elapsed}s)"
