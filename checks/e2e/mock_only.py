"""Which of a live `before` run's duplicates Apache Kafka would not have caused.

librdkafka's mock cluster answers the offset commit that an eager member sends while it is being revoked with
REBALANCE_IN_PROGRESS, where Apache Kafka's group coordinator accepts a commit from a member of the current
generation during the rebalance (docs/simulator.md, "Where librdkafka's mock differs"). The next owner then
starts from an older offset and applies records a second time. From the workers' histories (docs/live-history.md)
a repeated application counts as mock-only when the pod that applied the event before it had, between the two
applications, a commit refused with `rebalanceInProgress` that covered the record (its next offset for that
partition lies beyond the record's offset): against Apache Kafka that commit would have stood, and the next owner
would have started after the record. Every other repeated application is one Apache Kafka would show too.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

REFUSED_DURING_REBALANCE = "rebalanceInProgress"


@dataclass(frozen=True)
class Application:
    event: str
    partition: int
    offset: int
    process: str
    t: int


@dataclass(frozen=True)
class RefusedCommit:
    process: str
    t: int
    next_offsets: dict[int, int]


def read(histories: list[Path]) -> tuple[list[Application], list[RefusedCommit]]:
    """Committed batches' entries and refused commits, per process (a file's n-th `start` line begins process
    `pod#n`, as `sim check-history` names a replacement)."""
    applications, refused = [], []
    for path in histories:
        starts = 0
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            fact = json.loads(line)
            kind = fact["k"]
            if kind == "start":
                starts += 1
            process = f"{fact['pod']}#{max(starts, 1)}"
            if kind == "batch" and fact.get("committed"):
                for event, partition, offset, *_ in fact.get("entries", []):
                    applications.append(Application(event, partition, offset, process, fact["t"]))
            elif kind == "commit" and not fact.get("ok") and fact.get("error") == REFUSED_DURING_REBALANCE:
                refused.append(RefusedCommit(process, fact["t"], {p: o for p, o in fact.get("offsets", [])}))
    return applications, refused


def split(applications: list[Application], refused: list[RefusedCommit]) -> dict[str, int]:
    """`duplicates`: applications beyond an event's first; `mock_only`: those a refused revoke commit explains."""
    by_event: dict[str, list[Application]] = defaultdict(list)
    for application in applications:
        by_event[application.event].append(application)
    refused_by_process: dict[str, list[RefusedCommit]] = defaultdict(list)
    for commit in refused:
        refused_by_process[commit.process].append(commit)
    duplicates = mock_only = 0
    for runs in by_event.values():
        runs.sort(key=lambda a: (a.t, a.process))
        for earlier, later in pairwise(runs):
            duplicates += 1
            if any(
                earlier.t <= commit.t <= later.t and commit.next_offsets.get(earlier.partition, -1) > earlier.offset
                for commit in refused_by_process[earlier.process]
            ):
                mock_only += 1
    return {"duplicates": duplicates, "mock_only": mock_only}


def report(histories: list[Path]) -> dict[str, int]:
    """The e2e JSON's keys: `duplicates_mock_only` and `duplicates_apache_kafka_too` (they add up to the
    histories' duplicates)."""
    counts = split(*read(histories))
    return {
        "duplicates_mock_only": counts["mock_only"],
        "duplicates_apache_kafka_too": counts["duplicates"] - counts["mock_only"],
    }


def main() -> int:
    """`python3 -m checks.e2e.mock_only HISTORY...`: the split as one JSON object."""
    import sys

    if len(sys.argv) < 2:
        print("usage: python3 -m checks.e2e.mock_only HISTORY.jsonl...", file=sys.stderr)
        return 2
    print(json.dumps(report([Path(p) for p in sys.argv[1:]])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
