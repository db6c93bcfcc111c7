#!/usr/bin/env python3
"""Data side of the backup drill: the produced events, the SQL an after-mode worker would run for
them, and the verification of a restored database against those events.

Why a generator instead of the real worker: the drill must run before (and independently of) the
live binaries, and its ground truth must not come from the database under test. The SQL below is
the after-mode effect as specified in docs/interfaces.md: one transaction per batch, the
processed_events guard, the ledger row and the balance only for new events, and the offsets
stored in the same transaction.

Subcommands (all output goes to files or stdout; errors exit non-zero with a message):
  produce   write the produced events (the Kafka topic's content) as CSV
  batches   write a psql script applying a range of events in batches, logging commit timestamps
  replay    write a psql script re-applying every event at or after the restored offsets
  expected  list the event indexes committed at or before a restore target, from the commit log
  prefix    after a restore to the end of the WAL archive: the committed batches the database holds
  verify    compare the live database with an expected set; print a JSON report
"""

import argparse
import sys

from scripts.drill.drill_events import fail, produce
from scripts.drill.drill_expected import expected, prefix
from scripts.drill.drill_verify import verify
from scripts.drill.drill_worker_sql import batches, replay


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("produce")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--accounts", type=int, default=200)
    p.add_argument("--partitions", type=int, default=12)
    p.add_argument("--out", required=True)

    p = sub.add_parser("batches")
    p.add_argument("--events", required=True)
    p.add_argument("--start", type=int, required=True)
    p.add_argument("--end", type=int, required=True)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--batch-no-base", type=int, default=0)
    p.add_argument("--sleep", type=float, default=0.0)
    p.add_argument("--redeliver-every", type=int, default=0)
    p.add_argument("--redeliver", type=int, default=5)
    p.add_argument("--out", required=True)

    p = sub.add_parser("replay")
    p.add_argument("--events", required=True)
    p.add_argument("--psql", required=True, help="JSON list: the psql command line")
    p.add_argument("--rewind", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--out", required=True)

    p = sub.add_parser("expected")
    p.add_argument("--commit-log", nargs="+", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--out", required=True)

    p = sub.add_parser("prefix")
    p.add_argument("--events", required=True)
    p.add_argument("--commit-log", nargs="+", required=True)
    p.add_argument("--psql", required=True)
    p.add_argument("--out", required=True)

    p = sub.add_parser("verify")
    p.add_argument("--events", required=True)
    p.add_argument("--expected")
    p.add_argument("--all", action="store_true", help="expect every produced event exactly once")
    p.add_argument("--psql", required=True)

    args = parser.parse_args()
    if args.command == "verify" and not (args.all or args.expected):
        fail("verify needs --expected FILE or --all")
    handlers = {
        "produce": produce,
        "batches": batches,
        "replay": replay,
        "expected": expected,
        "prefix": prefix,
        "verify": verify,
    }
    try:
        sys.exit(handlers[args.command](args) or 0)
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        fail(str(error))


if __name__ == "__main__":
    main()
