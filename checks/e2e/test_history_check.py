"""The e2e's agreement rule between its SQL checks and the simulator's checkers over the workers' histories:
agreeing verdicts pass, and each planted disagreement is named."""

import unittest

from checks.e2e.history_check import disagreements


def sql(**overrides) -> dict:
    return {"mode": "after", "duplicates": 0, "lost": 0, "double_settlements": 0, **overrides}


def history(**overrides) -> dict:
    return {
        "duplicates": 0,
        "lost": 0,
        "double_settlements": 0,
        "violations": [],
        "violations_by_kind": {},
        **overrides,
    }


class Agreement(unittest.TestCase):
    def test_agreeing_verdicts_pass(self):
        self.assertEqual(disagreements(sql(), history()), [])
        found = [{"kind": "duplicate-effect", "explanation": "Event e was applied 2 times", "cause": "x"}]
        self.assertEqual(disagreements(sql(mode="before", duplicates=1), history(duplicates=1, violations=found)), [])

    def test_a_count_the_history_misses_is_named(self):
        self.assertEqual(disagreements(sql(duplicates=2), history()), ["history duplicates = 0 but SQL duplicates = 2"])
        self.assertEqual(disagreements(sql(), history(lost=1)), ["history lost = 1 but SQL lost = 0"])
        self.assertEqual(
            disagreements(sql(double_settlements=1), history()),
            ["history double_settlements = 0 but SQL double_settlements = 1"],
        )

    def test_an_after_mode_violation_the_sql_does_not_see_fails(self):
        found = [{"kind": "write-after-revocation", "explanation": "w1 wrote", "cause": "released mid-transaction"}]
        problems = disagreements(sql(), history(violations=found, violations_by_kind={"write-after-revocation": 1}))
        self.assertEqual(problems, ["history violations in after mode: {'write-after-revocation': 1}"])

    def test_an_unexplained_duplicate_fails(self):
        found = [{"kind": "duplicate-effect", "explanation": "", "cause": ""}]
        problems = disagreements(sql(mode="before", duplicates=1), history(duplicates=1, violations=found))
        self.assertEqual(problems, ["a duplicate in the history without an explanation"])


if __name__ == "__main__":
    unittest.main()
