"""The expected sets of the drill (drill_data expected and prefix): which committed batches a restore must
hold, from the commit log, with the recovery point's age (RPO) and the span of the lost writes."""

import json
from datetime import datetime

from scripts.drill.drill_events import fail, load_events, psql_rows


def parse_ts(text):
    text = text.strip()
    if text.endswith("+00"):
        text += ":00"
    return datetime.fromisoformat(text.replace(" UTC", "+00:00"))


def read_commit_log(paths):
    """Lines `commit|batch|first|last|timestamp`; an empty timestamp is a batch that did not commit."""
    commits = []
    for path in paths:
        with open(path) as handle:
            for line in handle:
                parts = line.strip().split("|")
                if len(parts) != 5 or parts[0] != "commit":
                    continue
                if parts[4]:
                    commits.append((int(parts[2]), int(parts[3]), parse_ts(parts[4])))
    return commits


def loss(kept, lost):
    """RPO as the age of the recovery point when the accident happened: newest lost commit minus newest
    restored commit (0 when nothing committed was lost), and the span of the lost writes themselves."""
    if not lost:
        return 0.0, 0.0
    newest_lost = max(ts for _, _, ts in lost)
    newest_kept = max((ts for _, _, ts in kept), default=None)
    rpo = (newest_lost - newest_kept).total_seconds() if newest_kept else None
    span = (newest_lost - min(ts for _, _, ts in lost)).total_seconds()
    return (round(rpo, 6) if rpo is not None else None), round(span, 6)


def summary(commits, kept, lost, out):
    rpo, span = loss(kept, lost)
    with open(out, "w") as handle:
        json.dump(
            {
                "indexes": sorted({i for first, last, _ in kept for i in range(first, last + 1)}),
                "lost_rows": sum(last - first + 1 for first, last, _ in lost),
                "rpo_seconds": rpo,
                "lost_write_span_seconds": span,
                "committed_rows": sum(last - first + 1 for first, last, _ in commits),
                "restored_to": max(ts for _, _, ts in kept).isoformat() if kept else None,
            },
            handle,
        )


def expected(args):
    commits = read_commit_log(args.commit_log)
    if not commits:
        fail("the commit log holds no committed batch")
    target = parse_ts(args.target)
    kept = [c for c in commits if c[2] <= target]
    lost = [c for c in commits if c[2] > target]
    summary(commits, kept, lost, args.out)


def prefix(args):
    """Volume loss: recovery replays the archived WAL to its end, so the restored ledger must be exactly
    the batches committed up to some batch k, in commit order (transactions replay whole). Finds k from
    the restored event ids; verify then checks the prefix is exact (no partial batch, nothing later)."""
    events = load_events(args.events)
    commits = sorted(read_commit_log(args.commit_log), key=lambda c: c[2])
    if not commits:
        fail("the commit log holds no committed batch")
    psql = json.loads(args.psql)
    present = {row[0] for row in psql_rows(psql, "SELECT event_id FROM ledger")}
    kept = []
    for first, last, ts in commits:
        if not all(events[i]["event_id"] in present for i in range(first, last + 1)):
            break
        kept.append((first, last, ts))
    summary(commits, kept, commits[len(kept) :], args.out)
