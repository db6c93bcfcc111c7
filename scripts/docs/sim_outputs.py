#!/usr/bin/env python3
"""Keep the simulator output quoted in the docs true.

A fenced block preceded by the marker line

    <!-- sim-output: --seed 42 --replicas 5 --mode before -->

holds the real stdout of `sim <those arguments>` followed by a line `exit <status>`. The simulator is
deterministic (same seed, same binary, same bytes), so the quote can be checked exactly.

A block under `<!-- sim-output-excerpt: ARGS -->` is an abridged quote: each of its lines must be a line of the
real stdout, in order (lines may be left out), where `...` stands for any text (a line that ends without `...`
ends where the real line ends). `--update` cannot rewrite an excerpt; a stale one is edited by hand.

    scripts/docs/sim_outputs.py --sim .build/release/sim --check   # fails on any stale quote (make test)
    scripts/docs/sim_outputs.py --sim .build/release/sim --update  # rewrites the quotes in place

Only single-seed runs belong under a marker: sweeps and twin runs print wall-clock figures.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shlex
import subprocess
import sys
from pathlib import Path

MARKER = re.compile(r"^<!-- sim-output(?P<excerpt>-excerpt)?: (?P<args>.+?) -->$")
FENCE = re.compile(r"^```")
DEFAULT_FILES = ["README.md", "docs"]
WALL_CLOCK_WORDS = ("sweep", "scale", "--seeds", "--check-determinism")


def markdown_files(roots: list[str]) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        path = Path(root)
        files.extend(sorted(path.rglob("*.md")) if path.is_dir() else [path])
    return files


def run_sim(sim: str, args: str) -> str:
    words = shlex.split(args)
    if any(word in WALL_CLOCK_WORDS for word in words):
        raise SystemExit(f"sim-output: `{args}` prints wall-clock figures and cannot be checked exactly")
    done = subprocess.run([sim, *words], capture_output=True, text=True, timeout=300)
    if done.returncode not in (0, 1):
        raise SystemExit(f"sim-output: `sim {args}` exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout.rstrip("\n") + f"\nexit {done.returncode}"


def line_matches(quoted: str, actual: str) -> bool:
    """`quoted` is `actual` with `...` standing for any text."""
    pattern = "".join(".*" if part == "..." else re.escape(part) for part in re.split(r"(\.\.\.)", quoted))
    return re.fullmatch(pattern, actual, flags=re.DOTALL) is not None


def excerpt_matches(quoted: str, actual: str) -> bool:
    """Every quoted line matches a line of `actual`, in order."""
    remaining = iter(actual.split("\n"))
    return all(any(line_matches(line, candidate) for candidate in remaining) for line in quoted.split("\n"))


def refresh(path: Path, sim: str) -> tuple[str, int, list[str]]:
    """The file's text with every marked block regenerated, the number of marked blocks, and the arguments of
    the blocks that changed."""
    lines = path.read_text().split("\n")
    out: list[str] = []
    changed: list[str] = []
    blocks = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        match = MARKER.match(line)
        i += 1
        if not match:
            continue
        blocks += 1
        if i >= len(lines) or not FENCE.match(lines[i]):
            raise SystemExit(f"{path}:{i}: a sim-output marker must be followed directly by a fenced block")
        opening = lines[i]
        end = i + 1
        while end < len(lines) and not FENCE.match(lines[end]):
            end += 1
        if end == len(lines):
            raise SystemExit(f"{path}:{i + 1}: unterminated fenced block")
        quoted = "\n".join(lines[i + 1 : end])
        actual = run_sim(sim, match.group("args"))
        if match.group("excerpt"):
            if not excerpt_matches(quoted, actual):
                changed.append(match.group("args"))
                sys.stderr.write(
                    f"--- {path}: the excerpt of sim {match.group('args')} no longer matches its output "
                    f"(edit it by hand); the output is:\n{actual}\n\n"
                )
            out.extend(lines[i : end + 1])
            i = end + 1
            continue
        if quoted != actual:
            changed.append(match.group("args"))
            sys.stderr.write(f"--- {path}: sim {match.group('args')}\n")
            sys.stderr.writelines(
                difflib.unified_diff(quoted.splitlines(True), actual.splitlines(True), "quoted", "actual", n=1)
            )
            sys.stderr.write("\n")
        out.extend([opening, *actual.split("\n"), lines[end]])
        i = end + 1
    return "\n".join(out), blocks, changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sim", required=True, help="path of a built sim binary")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--update", action="store_true")
    parser.add_argument("paths", nargs="*", default=DEFAULT_FILES)
    options = parser.parse_args()

    blocks = stale = 0
    for path in markdown_files(options.paths):
        updated, count, changed = refresh(path, options.sim)
        blocks += count
        stale += len(changed)
        if options.update and changed:
            path.write_text(updated)
    verb = "rewrote" if options.update else "stale"
    print(f"sim-output: {blocks} quoted runs checked, {stale} {verb}")
    if options.check and stale:
        print(
            "sim-output: FAILED: regenerate with scripts/docs/sim_outputs.py --sim .build/release/sim --update "
            "and read the diff (the prose around a quote may need the new numbers too)"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
