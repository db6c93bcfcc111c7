"""scripts/run-steps.sh, which runs `make test`'s steps: every step runs in order while they pass, the first failing
step stops the run with its exit status and is named, and the report gives each step's wall time. A runner that
went on past a failure, or exited 0 after one, would let CI pass a broken step; these tests fail on either. Steps
written `STEP&` run in the background until `wait`: they must really run beside the foreground, a failure among them
must fail the run as a foreground one does, and a foreground failure must stop them."""

import pathlib
import subprocess
import tempfile
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MAKEFILE = """\
deps:
\t@echo deps >> $(LOG)
ok-%: deps
\t@echo ok-$* >> $(LOG)
fail:
\t@echo fail >> $(LOG); exit 3
flag:
\t@touch $(LOG).flag; echo flag >> $(LOG)
# Only passes beside a foreground `flag`: run before it or after it, it would wait out its bound and fail.
bg-needs-flag:
\t@for i in $$(seq 100); do [ -f $(LOG).flag ] && break; sleep 0.1; done; [ -f $(LOG).flag ]
\t@echo bg-needs-flag output; echo bg-needs-flag >> $(LOG)
hang:
\t@echo hang >> $(LOG); echo $$$$ > $(LOG).hang-pid.new; mv $(LOG).hang-pid.new $(LOG).hang-pid; exec sleep 30
await-hang:
\t@for i in $$(seq 100); do [ -f $(LOG).hang-pid ] && break; sleep 0.1; done; [ -f $(LOG).hang-pid ]
"""


def alive(pid: int) -> bool:
    """Running, or stopped but not yet reaped; a zombie has ended."""
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def run_steps(*steps: str, after=None) -> tuple[int, str, list[str]]:
    """`after(folder)`, when given, looks at the run's files before they are removed."""
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
        if after is not None:
            after(pathlib.Path(folder))
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

    def test_background_steps_run_beside_the_foreground_and_are_reported_at_the_join(self):
        rc, out, ran = run_steps("deps", "bg-needs-flag&", "flag", "wait", "ok-b")
        self.assertEqual(rc, 0, out)
        self.assertEqual(sorted(ran), sorted(["deps", "flag", "bg-needs-flag", "ok-b"]))
        self.assertEqual(ran[-1], "ok-b", "a step after `wait` ran before the background step ended")
        self.assertIn("bg-needs-flag output", out, "the background step's output was not printed")
        self.assertRegex(out, r"\n   bg-needs-flag +\d+  \(background\)\n")

    def test_a_failing_background_step_fails_the_run_at_the_join(self):
        rc, out, ran = run_steps("deps", "fail&", "ok-a", "wait", "ok-b")
        self.assertNotEqual(rc, 0, "the run exited 0 after a failing background step")
        self.assertNotIn("ok-b", ran, "a step after the join ran although a background step failed")
        self.assertIn("ok-a", ran)
        self.assertIn("== demo: FAILED at fail (exit 2)", out)

    def test_a_background_step_at_the_end_of_the_list_is_joined(self):
        rc, out, ran = run_steps("deps", "ok-a", "fail&")
        self.assertNotEqual(rc, 0, "the run exited 0 without joining its last background step")
        self.assertIn("== demo: FAILED at fail (exit 2)", out)

    def test_a_foreground_failure_stops_the_background_steps(self):
        pids = []
        began = time.monotonic()
        rc, out, ran = run_steps(
            "deps",
            "hang&",
            "await-hang",
            "fail",
            after=lambda folder: pids.append(int(folder.joinpath("log.hang-pid").read_text())),
        )
        self.assertNotEqual(rc, 0)
        self.assertIn("hang", ran)
        self.assertLess(time.monotonic() - began, 20, "the run waited for its background step after a failure")
        self.assertIn("== demo: FAILED at fail (exit 2)", out)
        deadline = time.monotonic() + 5
        while alive(pids[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(pids[0]), "the background step's process runs on after the run failed")

    def test_deps_runs_once_even_when_later_steps_depend_on_it(self):
        rc, _, ran = run_steps("deps", "ok-a")
        self.assertEqual(ran.count("deps"), 1)


if __name__ == "__main__":
    unittest.main()
