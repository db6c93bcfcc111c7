#!/usr/bin/env python3
"""Analysis half of check-timeline.sh (stdlib only).

  dom REPORT_JSON DOM_HTML        the DOM chromium dumped after the page's script ran, against the run's --json report
  netlog NETLOG_JSON              page-initiated network requests in chromium's NetLog (prints the count)
  svg REPORT_JSON SVG [MODE]      the SVG parses as XML (expat) and holds one marker per violation
  static REPORT_JSON HTML         the HTML as written (no browser): markers of every run in a --mode both file
Exit 1 with a reason on a mismatch.
"""

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser


def fail(message):
    print(f"timeline-check: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def report(path, mode=None):
    """The run's --json object (last line of stdout); with --mode both, one mode's object."""
    lines = [line for line in open(path, encoding="utf-8").read().splitlines() if line.strip()]
    data = json.loads(lines[-1])
    if data.get("mode") == "both":
        return [data["before"], data["after"]] if mode is None else [data[mode]]
    return [data]


class Elements(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def parse_html(path):
    parser = Elements()
    parser.feed(open(path, encoding="utf-8").read())
    return parser.elements


def check_markers(elements, runs, where):
    markers = [attrs for _, attrs in elements if "data-violation-kind" in attrs]
    expected = sum(len(run["violations"]) for run in runs)
    if len(markers) != expected:
        fail(f"{where}: {len(markers)} violation markers, the --json report has {expected} violations")
    want = Counter()
    for run in runs:
        want.update((v["kind"], v["cause"]) for v in run["violations"])
    got = Counter((m["data-violation-kind"], m.get("data-cause", "")) for m in markers)
    if got != want:
        fail(f"{where}: markers by (kind, cause) {dict(got)} != report {dict(want)}")
    times = sorted(int(m["data-time-ms"]) for m in markers)
    want_times = sorted(v["at_ms"] for run in runs for v in run["violations"])
    if times != want_times:
        fail(f"{where}: marker times differ from the report's at_ms")
    ids = [m.get("id") for m in markers]
    if len(set(ids)) != len(ids) or None in ids:
        fail(f"{where}: marker ids missing or repeated")
    links = [attrs for tag, attrs in elements if tag == "a" and "data-marker" in attrs]
    if sorted(a["href"] for a in links) != sorted("#" + i for i in ids):
        fail(f"{where}: the violation list does not link to every marker exactly once")
    return markers


def check_lanes(elements, runs, where):
    lanes = [attrs for _, attrs in elements if attrs.get("data-lane") == "partition"]
    expected = [str(p) for run in runs for p in range(run["partitions"])]
    if [lane.get("data-partition") for lane in lanes] != expected:
        fail(f"{where}: partition lanes {[lane.get('data-partition') for lane in lanes]} != {expected}")
    return lanes


def dom(report_path, dom_path):
    runs = report(report_path)
    elements = parse_html(dom_path)
    markers = check_markers(elements, runs, "browser DOM")
    lanes = check_lanes(elements, runs, "browser DOM")
    body = next((attrs for tag, attrs in elements if tag == "body"), {})
    # Set by the page's own script inside chromium: proves the script ran under the CSP and saw the same DOM.
    if body.get("data-rendered-markers") != str(len(markers)):
        fail(
            f"the page script counted {body.get('data-rendered-markers')!r} markers (did it run?), expected {len(markers)}"
        )
    if body.get("data-rendered-partition-lanes") != str(len(lanes)):
        fail(
            f"the page script counted {body.get('data-rendered-partition-lanes')!r} partition lanes, expected {len(lanes)}"
        )
    print(f"{len(markers)} markers, {len(lanes)} partition lanes")


def netlog(path):
    text = open(path, encoding="utf-8").read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        # A NetLog cut short (browser killed) lacks its closing brackets; the events before are still valid.
        data = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {number: name for name, number in data["constants"]["logEventTypes"].items()}
    page, background = [], []
    for event in data.get("events", []):
        params = event.get("params") or {}
        if names.get(event["type"]) != "URL_REQUEST_START_JOB" or "url" not in params:
            continue
        # A request made for the file:// page carries the page's origin in its isolation key; chromium's own
        # background fetches (component updater, time sync) carry none ("not an origin", "null null").
        for_page = "file://" in params.get("network_isolation_key", "") or params.get("initiator") not in (
            "not an origin",
            None,
        )
        (page if for_page else background).append(params["url"])
    for url in page:
        print(f"page request: {url}", file=sys.stderr)
    print(f"{len(page)} {len(background)}")


def svg(report_path, svg_path, mode=None):
    runs = report(report_path, mode)
    text = open(svg_path, encoding="utf-8").read()
    root = ET.fromstring(text.encode("utf-8"))  # expat: raises on anything not well-formed
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        fail(f"{svg_path}: root element is {root.tag}")
    elements = [(el.tag.split("}")[-1], dict(el.attrib)) for el in root.iter()]
    markers = [attrs for _, attrs in elements if "data-violation-kind" in attrs]
    expected = sum(len(run["violations"]) for run in runs)
    if len(markers) != expected:
        fail(f"{svg_path}: {len(markers)} markers, report has {expected} violations")
    if any(tag == "script" for tag, _ in elements) or "<script" in text:
        fail(f"{svg_path}: contains a script")
    rest = text.replace('xmlns="http://www.w3.org/2000/svg"', "", 1)
    for needle in ("http:", "https:", "//", "href=", "@import"):
        if needle in rest:
            fail(f"{svg_path}: contains {needle!r} (an external reference?)")
    check_lanes(elements, runs, svg_path)
    print(f"{len(markers)} markers")


def static(report_path, html_path):
    runs = report(report_path)
    text = open(html_path, encoding="utf-8").read()
    for needle in ("http:", "https:", "//", "src=", "@import", "<link", "<iframe", "<object", "<embed"):
        if needle in text:
            fail(f"{html_path}: contains {needle!r} (an external reference?)")
    elements = parse_html(html_path)
    if any(not a["href"].startswith("#") for tag, a in elements if "href" in a):
        fail(f"{html_path}: a link leaves the page")
    markers = check_markers(elements, runs, html_path)
    sections = [attrs for tag, attrs in elements if tag == "section"]
    if [s.get("data-mode") for s in sections] != [run["mode"] for run in runs]:
        fail(f"{html_path}: sections {[s.get('data-mode') for s in sections]} != runs {[run['mode'] for run in runs]}")
    print(f"{len(markers)} markers in {len(sections)} runs")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"dom": dom, "netlog": netlog, "svg": svg, "static": static}[command](*args)
