"""The scale-and-kill scenario's audit after the drain (checks/e2e/scale_and_kill.py): the database against the
events the api acknowledged, the settlement invariant, the workers' histories through the simulator's checkers,
why each duplicate happened, and the report files under out/e2e/MODE. A mixin of Scenario: it uses the
Scenario's stack, mode, args, timeline, fault counters and scenario_file."""

from __future__ import annotations

import json
from pathlib import Path

from checks.e2e import history_check, mock_only
from checks.e2e.traffic import Traffic
from scripts.stack.localstack import log

REPO = Path(__file__).resolve().parents[2]


class LedgerAudit:
    def settlement_audit(self) -> dict[str, int]:
        """The settlement invariant (SETTLEMENT.md) in SQL. `after`: each settled period's rows total the ledger
        rows of the batches marked with that period, and no row of a period up to the last settled one is left
        unmarked. `before` marks nothing: each settlement row against its period's applied_at window, and rows
        of periods up to the last settled one that no settlement row covers."""
        length = int(self.args.settlement_period)
        period = f"floor(extract(epoch FROM l.applied_at) / {length})::bigint"
        if self.mode == "after":
            sql = f"""
                WITH counted AS (
                  SELECT b.settled_period AS period, sum(l.amount_cents) AS total
                  FROM ledger l JOIN ledger_batches b ON b.id = l.batch_id WHERE b.settled_period IS NOT NULL GROUP BY 1
                ), settled AS (SELECT period, sum(total_cents) AS total FROM settlements GROUP BY 1
                ), wrong AS (
                  SELECT count(*) AS n, coalesce(sum(abs(coalesce(s.total, 0) - coalesce(c.total, 0))), 0) AS cents
                  FROM settled s FULL JOIN counted c USING (period) WHERE coalesce(s.total, 0) <> coalesce(c.total, 0)
                ), uncounted AS (
                  SELECT count(*) AS n, coalesce(sum(abs(l.amount_cents)), 0) AS cents
                  FROM ledger l LEFT JOIN ledger_batches b ON b.id = l.batch_id
                  WHERE b.settled_period IS NULL AND {period} <= (SELECT max(period) FROM settlements)
                )
                SELECT wrong.n, uncounted.n, wrong.cents + uncounted.cents FROM wrong, uncounted"""
        else:
            sql = f"""
                WITH windows AS (SELECT {period} AS period, sum(l.amount_cents) AS total FROM ledger l GROUP BY 1
                ), wrong AS (
                  SELECT count(*) AS n, coalesce(sum(abs(s.total_cents - coalesce(w.total, 0))), 0) AS cents
                  FROM settlements s LEFT JOIN windows w USING (period) WHERE s.total_cents <> coalesce(w.total, 0)
                ), uncounted AS (
                  SELECT count(*) AS n, coalesce(sum(abs(l.amount_cents)), 0) AS cents FROM ledger l
                  WHERE {period} <= (SELECT max(period) FROM settlements)
                    AND NOT EXISTS (SELECT 1 FROM settlements s WHERE s.period = {period})
                )
                SELECT wrong.n, uncounted.n, wrong.cents + uncounted.cents FROM wrong, uncounted"""
        wrong, uncounted, cents = (int(x) for x in self.stack.psql(sql).split("\t"))
        return {
            "settlement_mismatches": wrong + uncounted,
            "settlement_wrong_totals": wrong,
            "settlement_uncounted_rows": uncounted,
            "settlement_error_cents": cents,
        }

    def check(self, traffic: Traffic, drained: bool) -> dict:
        rows = "\n".join(f"{e.event_id}\t{e.account}\t{e.amount}" for e in traffic.accepted)
        self.stack.psql(
            "CREATE TABLE IF NOT EXISTS e2e_produced (event_id uuid PRIMARY KEY, account_id text, amount bigint)"
        )
        self.stack.psql("TRUNCATE e2e_produced")
        self.stack.psql("COPY e2e_produced FROM STDIN", stdin=rows + "\n")
        numbers = self.stack.psql("""
            SELECT
              (SELECT count(*) FROM e2e_produced),
              (SELECT count(DISTINCT l.event_id) FROM ledger l JOIN e2e_produced p USING (event_id)),
              (SELECT count(*) FROM ledger),
              (SELECT count(*) FROM ledger) - (SELECT count(DISTINCT event_id) FROM ledger),
              (SELECT count(*) FROM e2e_produced p WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.event_id = p.event_id)),
              (SELECT count(*) FROM ledger l WHERE NOT EXISTS (SELECT 1 FROM e2e_produced p WHERE p.event_id = l.event_id)),
              (SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n FROM settlements GROUP BY job, period) s),
              (SELECT count(*) FROM (SELECT account_id, sum(amount) expected FROM e2e_produced GROUP BY account_id) e
                 FULL JOIN accounts a USING (account_id)
                 WHERE coalesce(a.balance_cents, 0) <> coalesce(e.expected, 0)),
              (SELECT coalesce(sum(abs(coalesce(a.balance_cents, 0) - coalesce(e.expected, 0))), 0)
                 FROM (SELECT account_id, sum(amount) expected FROM e2e_produced GROUP BY account_id) e
                 FULL JOIN accounts a USING (account_id)),
              (SELECT count(*) FROM processed_events WHERE outcome = 'dead_lettered'),
              (SELECT count(DISTINCT period) FROM settlements),
              (SELECT count(*) FROM (SELECT event_id FROM ledger GROUP BY event_id HAVING count(*) > 1) d),
              (SELECT coalesce(sum(abs(amount_cents)), 0) FROM
                 (SELECT amount_cents, row_number() OVER (PARTITION BY event_id ORDER BY id) AS n FROM ledger) x WHERE n > 1)
            """).split("\t")
        (
            produced,
            applied,
            effects,
            duplicates,
            lost,
            unexpected,
            doubles,
            mismatches,
            mismatch_cents,
            dead_lettered,
            periods,
            duplicated_events,
            duplicated_cents,
        ) = (int(x) for x in numbers)
        result = {
            "mode": self.mode,
            "produced": produced,
            "applied_distinct": applied,
            "effects": effects,
            "duplicates": duplicates,
            "duplicated_events": duplicated_events,
            "duplicated_cents": duplicated_cents,
            "lost": lost,
            "double_settlements": doubles,
            "settled_periods": periods,
            "balance_mismatches": mismatches,
            "balance_error_cents": mismatch_cents,
            "unexpected_events": unexpected,
            "dead_lettered": dead_lettered,
            "not_accepted": len(traffic.failed),
            "api_retries": traffic.retries,
            "kills": self.kills,
            "kills_with_transaction_in_flight": self.kills_in_flight,
            "sigterms": self.terms,
            "broker_faults": self.broker_faults,
            "max_replicas": self.max_replicas,
            "drained": drained,
        }
        result.update(self.settlement_audit())
        result["duplicate_causes"] = self.duplicate_causes()
        result.update(self.check_history(traffic, result))
        self.write_report(result)
        return result

    def check_history(self, traffic: Traffic, result: dict) -> dict:
        """The workers' histories through the simulator's checkers (checks/e2e/history_check.py)."""
        directory = self.stack.history_dir
        produced = directory / "produced.jsonl"
        history_check.write_produced(produced, traffic.accepted)
        histories = sorted(p for p in directory.glob("w*.jsonl"))
        report = history_check.run(self.stack.binary("sim"), produced, histories)
        (directory / "check-history.json").write_text(json.dumps(report, indent=2) + "\n")
        return {
            "history_disagreements": history_check.disagreements(result, report),
            "history_violations_by_kind": report["violations_by_kind"],
            "history_violations_by_cause": report["violations_by_cause"],
            "history_duplicates": report["duplicates"],
            "history_lost": report["lost"],
            "history_double_settlements": report["double_settlements"],
            "history_settlement_mismatches": report.get("settlement_mismatches"),
            "history_lines": report["history_lines"],
            "history_partial_batches": report["partial_batches"],
            **mock_only.report(histories),
        }

    def duplicate_causes(self) -> dict[str, int]:
        """Why each duplicated event was applied twice, from its first two applications and the timeline (the
        same classes the simulator's explanations use)."""
        rows = self.stack.psql("""
            SELECT event_id, string_agg(applied_by || ' ' || extract(epoch FROM applied_at) || ' ' || kafka_partition
                                        || ' ' || kafka_offset, ',' ORDER BY applied_at, id)
            FROM ledger GROUP BY event_id HAVING count(*) > 1
            """)
        causes: dict[str, int] = {}
        for line in filter(None, rows.splitlines()):
            applications = [a.split() for a in line.split("\t")[1].split(",")]
            (w1, t1, p1, o1), (w2, t2, p2, o2) = applications[0], applications[1]
            t1, t2 = float(t1), float(t2)
            if (p1, o1) != (p2, o2):
                cause = "producer retry (the event is twice in Kafka)"
            else:
                events = [
                    e
                    for e in self.timeline.entries
                    if e.get("worker") == w1 and t1 <= e["wall"] <= t2 and e["what"] in ("SIGKILL", "SIGTERM")
                ]
                if any(e["what"] == "SIGKILL" for e in events):
                    cause = "SIGKILL before commit"
                elif events:
                    cause = "SIGTERM exit without drain"
                elif w1 == w2:
                    cause = "re-read by the same worker after a rebalance"
                else:
                    cause = "rebalance before commit"
            causes[cause] = causes.get(cause, 0) + 1
        return dict(sorted(causes.items(), key=lambda item: -item[1]))

    def write_report(self, result: dict) -> None:
        """Everything a postmortem needs: the timeline and every duplicated event with its applications."""
        out = REPO / "out" / "e2e" / self.mode
        out.mkdir(parents=True, exist_ok=True)
        detail = self.stack.psql("""
            SELECT event_id, string_agg(applied_by || '@' || to_char(applied_at, 'HH24:MI:SS.MS') || ' p' || kafka_partition
                                        || ':' || kafka_offset, ' ' ORDER BY applied_at)
            FROM ledger WHERE event_id IN (SELECT event_id FROM ledger GROUP BY event_id HAVING count(*) > 1)
            GROUP BY event_id ORDER BY min(applied_at)
            """)
        settlements = self.stack.psql("""
            SELECT period, count(*), string_agg(settled_by, ',' ORDER BY settled_at) FROM settlements
            GROUP BY period HAVING count(*) > 1 ORDER BY period
            """)
        lost = self.stack.psql("""
            SELECT p.event_id, p.account_id FROM e2e_produced p
            WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.event_id = p.event_id) ORDER BY 1 LIMIT 200
            """)
        (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "scenario.json").write_text(json.dumps(self.scenario_file(), indent=2) + "\n")
        (out / "timeline.json").write_text(json.dumps(self.timeline.entries, indent=2) + "\n")
        (out / "duplicates.tsv").write_text(detail + "\n")
        (out / "double-settlements.tsv").write_text(settlements + "\n")
        (out / "lost.tsv").write_text(lost + "\n")
        log(f"report in {out}")
