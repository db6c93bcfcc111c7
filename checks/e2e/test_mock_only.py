"""The split of a live run's duplicates into mock-only and Apache-Kafka-too: a repeated application counts as
mock-only only when the earlier applier's refused revoke commit covered the record, between the two applications."""

import json
import tempfile
import unittest
from pathlib import Path

from checks.e2e.mock_only import report


def batch(pod: str, t: int, *entries: tuple[str, int, int]) -> dict:
    return {"k": "batch", "pod": pod, "t": t, "committed": True, "entries": [[e, p, o, 1, "a"] for e, p, o in entries]}


def commit(pod: str, t: int, ok: bool, offsets: list[list[int]], error: str | None = "rebalanceInProgress") -> dict:
    return {"k": "commit", "pod": pod, "t": t, "ok": ok, "error": None if ok else error, "offsets": offsets}


def start(pod: str, t: int) -> dict:
    return {"k": "start", "pod": pod, "t": t}


class Split(unittest.TestCase):
    def split(self, **files: list[dict]) -> dict:
        with tempfile.TemporaryDirectory() as directory:
            paths = []
            for name, facts in files.items():
                path = Path(directory) / f"{name}.jsonl"
                path.write_text("".join(json.dumps(f) + "\n" for f in facts))
                paths.append(path)
            return report(paths)

    def test_a_refused_revoke_commit_covering_the_record_makes_it_mock_only(self):
        counts = self.split(
            w1=[start("w1", 0), batch("w1", 10, ("e", 0, 5)), commit("w1", 20, False, [[0, 6]])],
            w2=[start("w2", 0), batch("w2", 30, ("e", 0, 5))],
        )
        self.assertEqual(counts, {"duplicates_mock_only": 1, "duplicates_apache_kafka_too": 0})

    def test_other_duplicates_are_ones_apache_kafka_shows_too(self):
        cases = {
            "the refused commit does not cover the record": commit("w1", 20, False, [[0, 5]]),
            "it covers another partition": commit("w1", 20, False, [[1, 9]]),
            "the commit was accepted": commit("w1", 20, True, [[0, 6]]),
            "another error refused it": commit("w1", 20, False, [[0, 6]], error="unknownMemberID"),
            "it came after the second application": commit("w1", 40, False, [[0, 6]]),
        }
        for name, refused in cases.items():
            with self.subTest(name):
                counts = self.split(
                    w1=[start("w1", 0), batch("w1", 10, ("e", 0, 5)), refused],
                    w2=[start("w2", 0), batch("w2", 30, ("e", 0, 5))],
                )
                self.assertEqual(counts, {"duplicates_mock_only": 0, "duplicates_apache_kafka_too": 1})

    def test_a_replacement_process_does_not_inherit_its_predecessors_commits(self):
        counts = self.split(
            w1=[
                start("w1", 0),
                batch("w1", 10, ("e", 0, 5)),
                start("w1", 15),
                commit("w1", 20, False, [[0, 6]]),
            ],
            w2=[start("w2", 0), batch("w2", 30, ("e", 0, 5))],
        )
        self.assertEqual(counts, {"duplicates_mock_only": 0, "duplicates_apache_kafka_too": 1})


if __name__ == "__main__":
    unittest.main()
