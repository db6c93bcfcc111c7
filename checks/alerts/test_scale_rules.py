#!/usr/bin/env python3
"""Checks of scripts/ops/scale_rules.py, the generator of the time-scaled rule copy `make alerts-e2e` loads
next to the real rules: on the shipped PrometheusRule, every alert keeps its expression shape with every
window and `for:` divided by the factor, carries `time_scale`, reads only the copy's own recorded series (so
it can never mix with the real rules' series), and promtool accepts the copy; durations inside string
literals (regex matchers) are left alone; bad factors and unparsable durations are errors.

Usage: python -m checks.alerts.test_scale_rules   (run by scripts/ops/lint-ops.sh; prints 'N passed, M failed')
"""

import os
import re
import subprocess
import sys
import tempfile

import yaml

from scripts.ops import scale_rules

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

RESULTS = []


def check(name, condition, detail=""):
    RESULTS.append(bool(condition))
    print(f"{'ok  ' if condition else 'FAIL'} - {name}{'' if condition else ': ' + detail}")


def raises(fn, *args):
    try:
        fn(*args)
    except scale_rules.ScaleError:
        return True
    return False


def main():
    with tempfile.TemporaryDirectory() as work:
        real_path, scaled_path = os.path.join(work, "rules.yaml"), os.path.join(work, "scaled.yaml")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "scripts.ops.extract_rules",
                real_path,
                os.path.join(ROOT, "apps/base/observability/prometheusrule.yaml"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        done = subprocess.run(
            [sys.executable, "-m", "scripts.ops.scale_rules", "20", real_path, scaled_path],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        check("the generator runs on the shipped rules", done.returncode == 0, done.stderr)
        promtool = subprocess.run(["promtool", "check", "rules", scaled_path], capture_output=True, text=True, cwd=ROOT)
        check("promtool accepts the scaled copy", promtool.returncode == 0, promtool.stdout + promtool.stderr)
        real = yaml.safe_load(open(real_path))
        scaled = yaml.safe_load(open(scaled_path))

    real_rules = [r for g in real["groups"] for r in g["rules"]]
    scaled_rules = [r for g in scaled["groups"] for r in g["rules"]]
    check("same number of rules", len(real_rules) == len(scaled_rules), f"{len(real_rules)} vs {len(scaled_rules)}")
    recorded = {r["record"] for r in real_rules if "record" in r}
    scaled_recorded = {r["record"] for r in scaled_rules if "record" in r}
    check("every recorded series is renamed x20:...", scaled_recorded == {f"x20:{n}" for n in recorded})
    check(
        "group names are distinct from the real ones",
        not ({g["name"] for g in real["groups"]} & {g["name"] for g in scaled["groups"]}),
    )
    leaks = [
        r.get("alert") or r.get("record")
        for r in scaled_rules
        if any(re.search(rf"(?<![A-Za-z0-9_:]){re.escape(n)}(?![A-Za-z0-9_:])", r["expr"]) for n in recorded)
    ]
    check("no scaled rule reads a real recorded series", not leaks, str(leaks))

    windows_ok, for_ok, labels_ok = True, True, True
    for before, after in zip(real_rules, scaled_rules, strict=False):  # the counts are compared above
        want = [scale_rules.parse_ms(w) // 20 for w in re.findall(r"\[([0-9a-z]+)\]", before["expr"])]
        got = [scale_rules.parse_ms(w) for w in re.findall(r"\[([0-9a-z]+)\]", after["expr"])]
        windows_ok &= want == got
        if "alert" in before:
            if "for" in before:
                for_ok &= scale_rules.parse_ms(after["for"]) * 20 == scale_rules.parse_ms(before["for"])
            labels_ok &= after["labels"].get("time_scale") == "20" and after["annotations"]["summary"].startswith(
                "[time-scaled x20 copy]"
            )
            labels_ok &= {k: v for k, v in after["labels"].items() if k != "time_scale"} == before.get("labels", {})
    check("every range selector is divided by 20", windows_ok)
    check("every for: is divided by 20", for_ok)
    check("alerts keep their labels and gain time_scale=20 and a marked summary", labels_ok)
    high5xx = next(r for r in scaled_rules if r.get("alert") == "High5xx" and r["labels"].get("window") == "1h")
    check(
        "High5xx fast burn reads the copy's 1h->180s and 5m->15s ratios, for 6s",
        "x20:replicasafe:api_errors:ratio_rate1h" in high5xx["expr"] and high5xx["for"] == "6s",
    )

    check(
        "regex matchers in strings are not ranges",
        scale_rules.scale_expr('rate(a{status=~"[45].."}[5m])', 20, {}) == 'rate(a{status=~"[45].."}[15s])',
    )
    check(
        "a name inside a longer name is not renamed",
        scale_rules.scale_expr("a:b + a:b:c", 20, {"a:b": "x20:a:b"}) == "x20:a:b + a:b:c",
    )
    check("sub-second results are written in ms", scale_rules.scale_duration("90s", 60) == "1500ms")
    check("a factor that makes a window shorter than 1 s is refused", raises(scale_rules.scale_duration, "10s", 20))
    check("an unparsable duration is refused", raises(scale_rules.parse_ms, "5 minutes"))
    check("a factor below 1 is refused", raises(scale_rules.scale_rules, {"groups": []}, 0))

    passed = sum(RESULTS)
    print(f"{passed} passed, {len(RESULTS) - passed} failed")
    return 0 if passed == len(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
