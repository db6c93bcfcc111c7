"""The boards of what the processes depend on: Kafka (Strimzi, Kafka Exporter) and PostgreSQL (PGO, pgMonitor)."""

from scripts.ops.dashboard_board import GROUP, NS, RI, Board


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
