"""The boards of our own processes: the api and the worker."""

from scripts.ops.dashboard_board import EVENTS, GROUP, NS, RI, Board, quantiles


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
