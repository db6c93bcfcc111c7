#!/usr/bin/env python3
"""Write a time-scaled copy of a plain Prometheus rules file (the output of extract_rules.py) for the local
alerts end-to-end run (`make alerts-e2e`), so that alerts whose windows are hours long can be seen pending,
firing and resolving within minutes.

Usage: python -m scripts.ops.scale_rules FACTOR IN_RULES.yaml OUT_RULES.yaml

What changes in the copy, and nothing else:
- every range selector `[d]` and every `for: d` is divided by FACTOR (5m / 20 = 15s; durations that do not
  come out in whole seconds are written in ms);
- every recorded series `name` becomes `x<FACTOR>:name`, and every reference to it in any expression of the
  copy follows, so the copy never reads or overwrites the real rules' series (both files are loaded into
  the same Prometheus);
- group names get the suffix `.x<FACTOR>`; every alert gets the label `time_scale: "<FACTOR>"` and its
  summary the prefix `[time-scaled x<FACTOR> copy]`, so nobody mistakes it for the real rule.

Thresholds stay as they are: they are ratios, per-second rates, event counts, or (SettlementMissed) numbers
of settlement periods, and none of those depend on the length of a window. The exceptions are the
BackupStale ages in seconds (backup_max_age_seconds, since_last_fail > 300): they are left unscaled and
BackupStale is not a target of the e2e run (docs/demos/07-observability.md says why).
Fails (exit 1, with the reason) on FACTOR < 1, a duration it cannot parse, or a scaled duration under 1 s.
"""

import re
import sys

import yaml

UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000, "y": 31_536_000_000}
DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
# A string literal (kept as it is: regex matchers such as status=~"[45].." are not ranges) or a range.
TOKEN = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)|\[([0-9a-z]+)\]""")


class ScaleError(ValueError):
    pass


def parse_ms(text):
    """A Prometheus duration (one or more number-unit pairs, e.g. 1h30m) in milliseconds."""
    text = str(text).strip()
    pos, total = 0, 0
    for match in DURATION.finditer(text):
        if match.start() != pos:
            break
        total += int(match.group(1)) * UNITS_MS[match.group(2)]
        pos = match.end()
    if pos != len(text) or pos == 0:
        raise ScaleError(f"cannot parse duration {text!r}")
    return total


def render_ms(ms):
    if ms % 1000 == 0:
        return f"{ms // 1000}s"
    return f"{ms}ms"


def scale_duration(text, factor):
    ms = parse_ms(text)
    scaled = ms // factor
    if ms % factor:
        scaled = round(ms / factor)
    if scaled < 1000:
        raise ScaleError(f"duration {text} / {factor} = {scaled} ms is under one second: use a smaller factor")
    return render_ms(scaled)


def scale_expr(expr, factor, renames):
    names = (
        re.compile(
            "|".join(
                rf"(?<![A-Za-z0-9_:]){re.escape(old)}(?![A-Za-z0-9_:])"
                for old in sorted(renames, key=len, reverse=True)
            )
        )
        if renames
        else None
    )

    def outside_strings(text):
        # Recorded names contain colons; a name must not match inside a longer one.
        return names.sub(lambda m: renames[m.group(0)], text) if names else text

    out, pos = [], 0
    for match in TOKEN.finditer(expr):
        out.append(outside_strings(expr[pos : match.start()]))
        if match.group(1) is not None:
            out.append(match.group(1))
        else:
            out.append(f"[{scale_duration(match.group(2), factor)}]")
        pos = match.end()
    out.append(outside_strings(expr[pos:]))
    return "".join(out)


def scale_rules(doc, factor):
    if factor < 1:
        raise ScaleError("FACTOR must be at least 1")
    prefix = f"x{factor}:"
    renames = {
        rule["record"]: prefix + rule["record"]
        for group in doc["groups"]
        for rule in group.get("rules") or []
        if "record" in rule
    }
    out = {"groups": []}
    for group in doc["groups"]:
        new_group = {"name": f"{group['name']}.x{factor}"}
        if "interval" in group:
            new_group["interval"] = group["interval"]
        new_rules = []
        for rule in group.get("rules") or []:
            new = dict(rule)
            new["expr"] = scale_expr(str(rule["expr"]), factor, renames)
            if "record" in rule:
                new["record"] = renames[rule["record"]]
            else:
                if "for" in rule:
                    new["for"] = scale_duration(rule["for"], factor)
                new["labels"] = {**(rule.get("labels") or {}), "time_scale": str(factor)}
                annotations = dict(rule.get("annotations") or {})
                annotations["summary"] = f"[time-scaled x{factor} copy] " + annotations.get("summary", "")
                new["annotations"] = annotations
            new_rules.append(new)
        new_group["rules"] = new_rules
        out["groups"].append(new_group)
    return out


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        factor = int(argv[1])
        with open(argv[2]) as handle:
            doc = yaml.safe_load(handle)
        scaled = scale_rules(doc, factor)
    except (ValueError, KeyError, TypeError) as error:
        print(f"scale_rules: {error}", file=sys.stderr)
        return 1
    with open(argv[3], "w") as handle:
        handle.write(
            f"# GENERATED by scripts/ops/scale_rules.py: a TIME-SCALED COPY (x{factor}) of the real rules,\n"
            "# for the local alerts e2e run only. Never deploy this file.\n"
        )
        yaml.safe_dump(scaled, handle, sort_keys=False, width=200)
    rules = sum(len(g["rules"]) for g in scaled["groups"])
    print(f"scaled {len(scaled['groups'])} groups, {rules} rules by 1/{factor} -> {argv[3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
