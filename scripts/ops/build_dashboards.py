#!/usr/bin/env python3
"""Dashboards as code: writes the Grafana dashboard JSON files in apps/base/observability/dashboards/
(shipped as ConfigMaps for the kube-prometheus-stack Grafana sidecar). `make lint-alerts` checks that
the committed JSON equals this script's output, that it parses, that every query is valid PromQL and
names only metrics listed in docs/interfaces.md.

Usage: python -m scripts.ops.build_dashboards OUT_DIR
"""

import json
import os
import sys

NS = 'namespace=~"$namespace"'
EVENTS = f'{NS}, route="/v1/events"'
GROUP = 'consumergroup="ledger-worker", topic="events"'
RI = "$__rate_interval"


class Board:
    def __init__(self, uid, title, description):
        self.uid, self.title, self.description = uid, title, description
        self.panels, self.y, self.x, self.row_h, self.next_id = [], 0, 0, 0, 1

    def row(self, title):
        self._newline()
        self.panels.append(
            {
                "type": "row",
                "title": title,
                "id": self._id(),
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
                "panels": [],
            }
        )
        self.y += 1

    def panel(
        self,
        title,
        targets,
        unit="short",
        kind="timeseries",
        width=12,
        height=8,
        description="",
        thresholds=None,
        stack=False,
    ):
        if self.x + width > 24:
            self._newline()
        field = {"unit": unit}
        if thresholds is not None:
            field["thresholds"] = {
                "mode": "absolute",
                "steps": [{"color": "green", "value": None}]
                + [{"color": color, "value": value} for value, color in thresholds],
            }
            if kind == "timeseries":
                field["custom"] = {"thresholdsStyle": {"mode": "line"}}
        if stack and kind == "timeseries":
            field.setdefault("custom", {})["stacking"] = {"mode": "normal"}
        self.panels.append(
            {
                "type": kind,
                "title": title,
                "id": self._id(),
                "description": description,
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "gridPos": {"h": height, "w": width, "x": self.x, "y": self.y},
                "fieldConfig": {"defaults": field, "overrides": []},
                "options": {"legend": {"displayMode": "list", "placement": "bottom"}} if kind == "timeseries" else {},
                "targets": [
                    {
                        "refId": chr(65 + i),
                        "expr": expr,
                        "legendFormat": legend,
                        "datasource": {"type": "prometheus", "uid": "${datasource}"},
                    }
                    for i, (expr, legend) in enumerate(targets)
                ],
            }
        )
        self.x += width
        self.row_h = max(self.row_h, height)

    def logs(self, title, expr, description="", width=24, height=10):
        """A logs panel on the Loki data source (uid `loki`, platform/values/kube-prometheus-stack.yaml): the data
        source's derived fields turn a line's trace_id into a link to its trace, in the panel as in Explore."""
        if self.x + width > 24:
            self._newline()
        loki = {"type": "loki", "uid": "loki"}
        self.panels.append(
            {
                "type": "logs",
                "title": title,
                "id": self._id(),
                "description": description,
                "datasource": loki,
                "gridPos": {"h": height, "w": width, "x": self.x, "y": self.y},
                "options": {
                    "showTime": True,
                    "wrapLogMessage": True,
                    "enableLogDetails": True,
                    "sortOrder": "Descending",
                },
                "targets": [{"refId": "A", "expr": expr, "datasource": loki}],
            }
        )
        self.x += width
        self.row_h = max(self.row_h, height)

    def _newline(self):
        if self.x:
            self.y += self.row_h
        self.x, self.row_h = 0, 0

    def _id(self):
        self.next_id += 1
        return self.next_id - 1

    def json(self, variable_metric):
        return {
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": ["replicasafe"],
            "timezone": "utc",
            "schemaVersion": 39,
            "version": 1,
            "editable": True,
            "refresh": "30s",
            "time": {"from": "now-3h", "to": "now"},
            "annotations": {"list": []},
            "links": [],
            "templating": {
                "list": [
                    {
                        "name": "datasource",
                        "type": "datasource",
                        "query": "prometheus",
                        "label": "Data source",
                        "current": {},
                        "hide": 0,
                    },
                    {
                        "name": "namespace",
                        "type": "query",
                        "label": "Namespace",
                        "includeAll": True,
                        "multi": False,
                        "refresh": 2,
                        "current": {},
                        "hide": 0,
                        "allValue": ".*",
                        "datasource": {"type": "prometheus", "uid": "${datasource}"},
                        "definition": f"label_values({variable_metric}, namespace)",
                        "query": {"query": f"label_values({variable_metric}, namespace)", "refId": "namespace"},
                    },
                ]
            },
            "panels": self.panels,
        }


def quantiles(metric, selector, by=""):
    return [
        (
            f"histogram_quantile({q}, sum by (le{by}) (rate({metric}_bucket{{{selector}}}[{RI}])))",
            f"p{int(q * 100)}" + (" {{" + by.strip(", ") + "}}" if by else ""),
        )
        for q in (0.5, 0.95, 0.99)
    ]


def api():
    b = Board(
        "replicasafe-api",
        "ReplicaSafe / API",
        "POST /v1/events: traffic, errors against the 99.9% SLO, latency against the 250 ms p95 SLO, scaling.",
    )
    b.row("Service level")
    b.panel(
        "5xx ratio (burn-rate windows)",
        [
            ("replicasafe:api_errors:ratio_rate5m{" + NS + "}", "5m"),
            ("replicasafe:api_errors:ratio_rate1h{" + NS + "}", "1h"),
            ("replicasafe:api_errors:ratio_rate6h{" + NS + "}", "6h"),
        ],
        unit="percentunit",
        thresholds=[(0.001, "yellow"), (0.0144, "red")],
        description="Share of 5xx answers. Budget 0.1%; the fast page fires at 14.4x (1.44%) over 1h and 5m.",
    )
    b.panel(
        "Error budget consumed (30 days)",
        [
            (
                f'(sum(increase(replicasafe_http_requests_total{{{EVENTS}, status=~"5.."}}[30d])) or vector(0))'
                f" / sum(increase(replicasafe_http_requests_total{{{EVENTS}}}[30d])) / 0.001",
                "consumed",
            )
        ],
        unit="percentunit",
        kind="stat",
        width=6,
        thresholds=[(0.5, "yellow"), (1, "red")],
        description="1 = the whole 30-day budget of 0.1% errors is spent.",
    )
    b.panel(
        "p95 latency vs SLO",
        [
            ("replicasafe:api_request_duration_seconds:p95_rate5m{" + NS + "}", "p95 5m"),
            ("replicasafe:api_request_duration_seconds:p95_rate30m{" + NS + "}", "p95 30m"),
        ],
        unit="s",
        kind="stat",
        width=6,
        thresholds=[(0.25, "yellow"), (1, "red")],
    )
    b.row("Traffic and latency")
    b.panel(
        "Requests by status",
        [(f"sum by (status) (rate(replicasafe_http_requests_total{{{EVENTS}}}[{RI}]))", "{{status}}")],
        unit="reqps",
        stack=True,
    )
    b.panel(
        "Latency p50 / p95 / p99",
        quantiles("replicasafe_http_request_duration_seconds", EVENTS),
        unit="s",
        thresholds=[(0.25, "red")],
    )
    b.panel(
        "Events accepted and idempotent replays",
        [
            (f"sum(rate(replicasafe_api_events_accepted_total{{{NS}}}[{RI}]))", "accepted (202 after broker ack)"),
            (f"sum(rate(replicasafe_api_idempotent_replays_total{{{NS}}}[{RI}]))", "answered from Idempotency-Key"),
        ],
        unit="ops",
    )
    b.panel(
        "Produce errors by reason",
        [(f"sum by (reason) (rate(replicasafe_api_produce_errors_total{{{NS}}}[{RI}]))", "{{reason}}")],
        unit="ops",
    )
    b.row("Scaling (HPA)")
    b.panel(
        "API replicas",
        [
            (f'kube_horizontalpodautoscaler_status_current_replicas{{{NS}, horizontalpodautoscaler="api"}}', "current"),
            (f'kube_horizontalpodautoscaler_status_desired_replicas{{{NS}, horizontalpodautoscaler="api"}}', "desired"),
            (f'kube_horizontalpodautoscaler_spec_max_replicas{{{NS}, horizontalpodautoscaler="api"}}', "max"),
        ],
    )
    b.panel(
        "Requests per pod",
        [(f"sum by (pod) (rate(replicasafe_http_requests_total{{{EVENTS}}}[{RI}]))", "{{pod}}")],
        unit="reqps",
    )
    return b.json("replicasafe_http_requests_total")


def worker():
    b = Board(
        "replicasafe-worker",
        "ReplicaSafe / Worker",
        "Consumption, freshness (lag in events and seconds), correctness signals (duplicates skipped, dead letters), rebalances, settlement, scaling.",
    )
    worker_freshness(b)
    worker_throughput(b)
    worker_membership(b)
    worker_settlement(b)
    worker_traces(b)
    return b.json("replicasafe_worker_events_applied_total")


def worker_freshness(b):
    """The Freshness row: lag in events and in seconds, processing delay."""
    b.row("Freshness")
    b.panel(
        "Consumer lag per partition (Kafka Exporter)",
        [(f"sum by (partition) (kafka_consumergroup_lag{{{GROUP}}})", "p{{partition}}")],
        stack=True,
        description="High watermark minus the group's committed offset, per partition of events.",
    )
    b.panel(
        "Total lag and time to drain",
        [
            ("replicasafe:consumer_lag:sum", "lag (events)"),
            (
                f"sum(kafka_consumergroup_lag{{{GROUP}}}) / sum(rate(kafka_consumergroup_current_offset_sum{{{GROUP}}}[5m]))",
                "seconds to drain at the current rate",
            ),
        ],
        description="Lag in seconds as the time the backlog takes at the current consumption rate.",
    )
    b.panel(
        "Processing delay (event time to applied)",
        quantiles("replicasafe_worker_processing_delay_seconds", NS),
        unit="s",
        thresholds=[(30, "red")],
        description="Freshness SLO: 95% of events applied within 30 s of their Kafka timestamp.",
    )
    b.panel(
        "Lag reported by workers (assigned partitions)",
        [(f"max by (partition) (replicasafe_worker_consumer_lag{{{NS}}})", "p{{partition}}")],
        stack=True,
    )


def worker_throughput(b):
    """The Throughput and correctness row: applied, skipped, dead-lettered, failed, batches."""
    b.row("Throughput and correctness")
    b.panel(
        "Events applied per second",
        [
            (f"sum by (mode) (rate(replicasafe_worker_events_applied_total{{{NS}}}[{RI}]))", "applied {{mode}}"),
            (f"sum(rate(kafka_consumergroup_current_offset_sum{{{GROUP}}}[5m]))", "group offsets advanced"),
        ],
        unit="ops",
    )
    b.panel(
        "Duplicates skipped and dead-lettered",
        [
            (
                f"sum by (mode) (rate(replicasafe_worker_duplicates_skipped_total{{{NS}}}[{RI}]))",
                "duplicates skipped {{mode}}",
            ),
            (
                f"sum by (reason) (rate(replicasafe_worker_events_dead_lettered_total{{{NS}}}[{RI}]))",
                "dead-lettered {{reason}}",
            ),
        ],
        unit="ops",
    )
    b.panel(
        "Failed attempts by class",
        [(f"sum by (class) (rate(replicasafe_worker_events_failed_total{{{NS}}}[{RI}]))", "{{class}}")],
        unit="ops",
    )
    b.panel(
        "Batches and offset commits",
        [
            (f"sum by (outcome) (rate(replicasafe_worker_batches_total{{{NS}}}[{RI}]))", "batch {{outcome}}"),
            (f"sum by (result) (rate(replicasafe_worker_offset_commits_total{{{NS}}}[{RI}]))", "commit {{result}}"),
        ],
        unit="ops",
    )
    b.panel("Batch duration p50 / p95 / p99", quantiles("replicasafe_worker_batch_duration_seconds", NS), unit="s")
    b.panel("In-flight events per pod", [(f"sum by (pod) (replicasafe_worker_in_flight_events{{{NS}}})", "{{pod}}")])


def worker_membership(b):
    """The Group membership row: rebalances, assignment, readiness, KEDA replicas."""
    b.row("Group membership")
    b.panel(
        "Rebalances", [(f"sum by (kind) (increase(replicasafe_worker_rebalances_total{{{NS}}}[{RI}]))", "{{kind}}")]
    )
    b.panel(
        "Assigned partitions per pod",
        [(f"sum by (pod) (replicasafe_worker_assigned_partitions{{{NS}}})", "{{pod}}")],
        stack=True,
    )
    b.panel(
        "Ready, paused, database up",
        [
            (f"sum(replicasafe_worker_ready{{{NS}}})", "ready pods"),
            (f"sum(replicasafe_worker_consumption_paused{{{NS}}})", "paused pods"),
            (f"min(replicasafe_worker_database_up{{{NS}}})", "database up (min over pods)"),
        ],
    )
    b.panel(
        "Worker replicas (KEDA)",
        [
            (
                f'kube_horizontalpodautoscaler_status_current_replicas{{{NS}, horizontalpodautoscaler=~"keda-hpa-.*"}}',
                "current",
            ),
            (
                f'kube_horizontalpodautoscaler_status_desired_replicas{{{NS}, horizontalpodautoscaler=~"keda-hpa-.*"}}',
                "desired",
            ),
            ("sum by (scaledObject) (keda_scaler_metrics_value)", "KEDA metric {{scaledObject}}"),
        ],
    )


def worker_settlement(b):
    """The Settlement row: newest settled period and runs by outcome."""
    b.row("Settlement (singleton job)")
    b.panel(
        "Newest settled period vs the period due",
        [
            (f"max(replicasafe_worker_last_settled_period{{{NS}}})", "newest settled"),
            (f"time() / max(replicasafe_worker_settlement_period_seconds{{{NS}}}) - 1", "due now"),
        ],
    )
    b.panel(
        "Settlement runs by outcome",
        [(f"sum by (outcome) (increase(replicasafe_worker_settlement_runs_total{{{NS}}}[{RI}]))", "{{outcome}}")],
        description="`fenced` is normal: another replica won the period's fence. Two `settled` per period would be a bug.",
    )


def worker_traces(b):
    """The Traces row: the traced-event log lines, each linking to its trace."""
    b.row("Traces")
    b.logs(
        "Traced events (expand a line: trace_id opens its trace in Tempo)",
        '{namespace=~"$namespace", app="worker"} |= "traced event"',
        description="One line per sampled event the worker committed or failed (docs/live.md, Traces on EKS). "
        "Logs from Loki; the link comes from the Loki data source's derived field on trace_id.",
    )


def kafka():
    b = Board(
        "replicasafe-kafka",
        "ReplicaSafe / Kafka",
        "Strimzi cluster through Kafka Exporter: brokers, replication health, produce and consume rates, consumer group lag.",
    )
    b.row("Cluster")
    b.panel("Brokers", [("max(kafka_brokers)", "brokers")], kind="stat", width=6, thresholds=[(3, "green")])
    b.panel(
        "Under-replicated partitions",
        [("sum(kafka_topic_partition_under_replicated_partition)", "under-replicated")],
        kind="stat",
        width=6,
        thresholds=[(1, "red")],
    )
    b.panel(
        "Min in-sync replicas (events)",
        [('min(kafka_topic_partition_in_sync_replica{topic="events"})', "min ISR")],
        kind="stat",
        width=6,
    )
    b.panel(
        "Consumer group members",
        [('max(kafka_consumergroup_members{consumergroup="ledger-worker"})', "members")],
        kind="stat",
        width=6,
    )
    b.row("Topics")
    b.panel(
        "Produce rate by topic",
        [("sum by (topic) (rate(kafka_topic_partition_current_offset[5m]))", "{{topic}}")],
        unit="ops",
    )
    b.panel(
        "Consume rate by group",
        [
            (
                "sum by (consumergroup, topic) (rate(kafka_consumergroup_current_offset_sum[5m]))",
                "{{consumergroup}} {{topic}}",
            )
        ],
        unit="ops",
    )
    b.panel(
        "Lag per partition",
        [(f"sum by (partition) (kafka_consumergroup_lag{{{GROUP}}})", "p{{partition}}")],
        stack=True,
    )
    b.panel(
        "Dead-letter topic size",
        [
            (
                'sum(kafka_topic_partition_current_offset{topic="events.dlq"}) - sum(kafka_topic_partition_oldest_offset{topic="events.dlq"})',
                "messages retained in events.dlq",
            )
        ],
    )
    b.panel(
        "Partitions led by their preferred replica",
        [
            (
                'sum(kafka_topic_partition_leader_is_preferred{topic="events"}) / max(kafka_topic_partitions{topic="events"})',
                "share",
            )
        ],
        unit="percentunit",
    )
    return b.json("kafka_consumergroup_lag")


def postgres():
    b = Board(
        "replicasafe-postgres",
        "ReplicaSafe / Postgres",
        "PGO cluster through pgMonitor: connections, transactions, size, replication, WAL archive and pgBackRest backups.",
    )
    b.row("Backups (RPO)")
    b.panel(
        "Age of the newest backup by kind",
        [("replicasafe:backup_age_seconds", "{{kind}} ({{source}})")],
        unit="s",
        description="BackupStale fires above replicasafe:backup_max_age_seconds (full 8d, incr 26h, wal 5m).",
    )
    b.panel(
        "Backup size and runtime",
        [
            ("max by (backup_type) (ccp_backrest_last_info_repo_backup_size_bytes)", "size {{backup_type}}"),
            ("max by (backup_type) (ccp_backrest_last_info_repo_total_size_bytes)", "repository total {{backup_type}}"),
        ],
        unit="bytes",
    )
    b.panel(
        "WAL archive",
        [
            ("max(ccp_archive_command_status_seconds_since_last_archive)", "seconds since last archive"),
            ("max(ccp_archive_command_status_seconds_since_last_fail)", "failing for (s)"),
            ("sum(rate(ccp_archive_command_status_archived_count[15m])) * 60", "segments archived per minute"),
        ],
    )
    b.panel(
        "Last backup runtime",
        [("max by (backup_type) (ccp_backrest_last_info_backup_runtime_seconds)", "{{backup_type}}")],
        unit="s",
    )
    b.row("Load")
    b.panel(
        "Connections",
        [
            ("sum(ccp_connection_stats_active)", "active"),
            ("sum(ccp_connection_stats_idle)", "idle"),
            ("sum(ccp_connection_stats_idle_in_txn)", "idle in transaction"),
            ("max(ccp_connection_stats_max_connections)", "max_connections"),
        ],
    )
    b.panel(
        "Transactions per second",
        [
            ('sum(rate(ccp_stat_database_xact_commit{dbname="replicasafe"}[5m]))', "commits"),
            ('sum(rate(ccp_stat_database_xact_rollback{dbname="replicasafe"}[5m]))', "rollbacks"),
        ],
        unit="ops",
    )
    b.panel("Database size", [('max(ccp_database_size_bytes{dbname="replicasafe"})', "replicasafe")], unit="bytes")
    b.panel(
        "Cache hit ratio",
        [
            (
                'sum(rate(ccp_stat_database_blks_hit{dbname="replicasafe"}[5m])) / (sum(rate(ccp_stat_database_blks_hit{dbname="replicasafe"}[5m])) + sum(rate(ccp_stat_database_blks_read{dbname="replicasafe"}[5m])))',
                "hit ratio",
            )
        ],
        unit="percentunit",
    )
    b.row("Availability")
    b.panel("Replication lag", [("max by (replica) (ccp_replication_lag_size_bytes)", "{{replica}}")], unit="bytes")
    b.panel(
        "Primary / replica and deadlocks",
        [
            ("count(ccp_is_in_recovery_status == 2)", "primaries"),
            ("count(ccp_is_in_recovery_status == 1)", "replicas"),
            ('sum(increase(ccp_stat_database_deadlocks{dbname="replicasafe"}[1h]))', "deadlocks per hour"),
        ],
    )
    b.panel(
        "Database as seen by the workers",
        [
            (f"min(replicasafe_worker_database_up{{{NS}}})", "database up (min over workers)"),
            (
                f"histogram_quantile(0.95, sum by (le) (rate(replicasafe_worker_batch_duration_seconds_bucket{{{NS}}}[{RI}])))",
                "batch transaction p95 (s)",
            ),
        ],
    )
    return b.json("replicasafe_worker_database_up")


def main(argv=None):
    argv = sys.argv if argv is None else argv
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(argv[1], exist_ok=True)
    for name, build in (("api", api), ("worker", worker), ("kafka", kafka), ("postgres", postgres)):
        with open(os.path.join(argv[1], f"{name}.json"), "w") as handle:
            json.dump(build(), handle, indent=1, sort_keys=True)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
