"""The privileges check fails, naming the defect, when a database role or a Kafka user holds more or less than
its code needs."""

from .lint_failure import failed


def test_privileges_refuse_a_grant_the_code_does_not_use(tree):
    tree.replace(
        "db/grants.sql",
        "GRANT SELECT, INSERT ON idempotency_keys TO api;",
        "GRANT SELECT, INSERT ON idempotency_keys TO api;\nGRANT SELECT ON ledger TO api;",
    )
    failed(tree, "privileges", "role api holds SELECT on ledger, which its statements (Sources/Live/API) do not use")


def test_privileges_refuse_a_wider_privilege_on_an_own_table(tree):
    tree.replace(
        "db/grants.sql",
        "GRANT SELECT, INSERT ON ledger TO worker;",
        "GRANT SELECT, INSERT, DELETE ON ledger TO worker;",
    )
    failed(tree, "privileges", "role worker holds DELETE on ledger")


def test_privileges_notice_a_missing_grant(tree):
    tree.replace("db/grants.sql", "GRANT USAGE ON SEQUENCE settlements_id_seq TO worker;\n", "")
    failed(tree, "privileges", "role worker lacks USAGE on settlements_id_seq")


def test_privileges_refuse_grant_all(tree):
    tree.replace(
        "db/grants.sql",
        "GRANT SELECT, INSERT ON idempotency_keys TO api;",
        "GRANT ALL ON ALL TABLES IN SCHEMA public TO api;",
    )
    failed(tree, "privileges", "is wider than named privileges on named objects")


def test_privileges_refuse_database_grants_through_pgo(tree):
    tree.replace(
        "apps/base/postgres/postgrescluster.yaml",
        "    - name: api\n",
        "    - name: api\n      databases:\n        - replicasafe\n",
    )
    failed(tree, "privileges", "PGO user api lists databases")


def test_privileges_refuse_a_kafka_acl_beyond_the_workload(tree):
    tree.replace(
        "apps/base/kafka/users.yaml",
        "          name: events\n          patternType: literal\n        operations: [Write]",
        "          name: events\n          patternType: literal\n        operations: [Write, Read]",
    )
    failed(tree, "privileges", "KafkaUser api may Read topic events, which it does not need")


def test_privileges_refuse_prefix_acls(tree):
    tree.replace(
        "apps/base/kafka/users.yaml",
        "          name: events.dlq\n          patternType: literal",
        "          name: events\n          patternType: prefix",
    )
    failed(tree, "privileges", "is a pattern, not one named resource")


def test_privileges_require_an_authenticated_tls_listener(tree):
    tree.replace("apps/base/kafka/kafka.yaml", "        authentication:\n          type: scram-sha-512\n", "")
    failed(tree, "privileges", "listener tls without TLS and authentication")


def test_privileges_require_the_user_operator(tree):
    tree.replace("apps/base/kafka/kafka.yaml", "    userOperator:\n", "    userOperatr:\n")
    failed(tree, "privileges", "no entityOperator.userOperator")


def test_privileges_keep_the_postgres_major_of_the_tests(tree):
    tree.replace("apps/base/postgres/postgrescluster.yaml", "  postgresVersion: 15", "  postgresVersion: 17")
    failed(tree, "privileges", "deploys PostgreSQL 17, the local tests run 15")
