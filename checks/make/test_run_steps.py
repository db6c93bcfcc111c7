"""scripts/run-steps.sh, which runs `make test`'s steps: every step runs in order while they pass, the first failing
step stops the run with its exit status and is named, and the report gives each step's wall time. A runner that
went on past a failure, or exited 0 after one, would let CI pass a broken step; these tests fail on either."""

import pathlib
import subprocess
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MAKEFILE = """\
deps:
\t@echo deps >> $(LOG)
ok-%: deps
\t@echo ok-$* >> $(LOG)
fail:
\t@echo fail >> $(LOG); exit 3
"""


def run_steps(*steps: str) -> tuple[int, str, list[str]]:
    with tempfile.TemporaryDirectory() as folder:
        makefile, log = pathlib.Path(folder, "Makefile"), pathlib.Path(folder, "log")
        makefile.write_text(MAKEFILE)
        done = subprocess.run(
            [str(ROOT / "scripts/run-steps.sh"), "demo", *steps],
            env={"PATH": "/usr/bin:/bin", "MAKE": f"make -f {makefile} LOG={log}"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        ran = log.read_text().split() if log.exists() else []
        return done.returncode, done.stdout, ran


class RunStepsTest(unittest.TestCase):
    def test_every_step_runs_in_order_and_is_timed(self):
        rc, out, ran = run_steps("deps", "ok-a", "ok-b")
        self.assertEqual((rc, ran), (0, ["deps", "ok-a", "ok-b"]))
        for step in ("deps", "ok-a", "ok-b"):
            self.assertRegex(out, rf"\n   {step} +\d+\n")
        self.assertIn("== demo: passed after", out)

    def test_the_first_failing_step_stops_the_run_with_its_status(self):
        rc, out, ran = run_steps("deps", "ok-a", "fail", "ok-b")
        self.assertEqual(ran, ["deps", "ok-a", "fail"], "a step after the failing one ran")
        self.assertNotEqual(rc, 0, "the run exited 0 after a failing step")
        self.assertIn("== demo: FAILED at fail (exit 2)", out)

    def test_deps_runs_once_even_when_later_steps_depend_on_it(self):
        rc, _, ran = run_steps("deps", "ok-a")
        self.assertEqual(ran.count("deps"), 1)


if __name__ == "__main__":
    unittest.main()
