#!/usr/bin/env python3
"""Least privilege of the two workloads, checked against what their code does:

PostgreSQL: the privileges each role needs are derived from the SQL in its sources (api: Sources/Live/API,
worker: Sources/Live/Worker) and the tables of db/schema.sql: INSERT INTO t -> INSERT (and USAGE on t's bigserial
sequence); ON CONFLICT ... DO UPDATE -> UPDATE, SELECT; RETURNING -> SELECT; UPDATE t -> UPDATE, SELECT;
FROM/JOIN t -> SELECT; DELETE FROM t -> DELETE. db/grants.sql must grant exactly that: a privilege more is an
error, one less too (the integration tests, which run as these roles, would fail on it as well). The PGO users
api and worker must carry no database grants and no role attributes beyond NOSUPERUSER NOCREATEDB NOCREATEROLE.

Kafka: what each client needs comes from the rendered manifests: the api Deployment writes KAFKA_TOPIC; the worker
reads KAFKA_TOPIC as group KAFKA_GROUP_ID and writes KAFKA_DLQ_TOPIC; KEDA's ScaledObject describes its topic and
consumer group. The KafkaUser of each (its name is the sasl.username in KAFKA_CLIENT_PROPERTIES; KEDA's is keda)
must allow exactly those operations on literal resource names: no prefix patterns, no wildcards, nothing more.
Every client listener of the Kafka cluster must use TLS and authentication, and authorization must be on.

usage: check_privileges.py --root REPO RENDERED.yaml
"""

import argparse
import glob
import os
import re
import sys

from scripts.lint import documents

PROBLEMS = []
SOURCES = {"api": "Sources/Live/API", "worker": "Sources/Live/Worker"}


def problem(area, message):
    PROBLEMS.append(f"{area}: {message}")


def schema_tables(root):
    text = open(os.path.join(root, "db/schema.sql")).read()
    tables, sequences = set(), {}
    for match in re.finditer(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", text, re.S):
        tables.add(match.group(1))
        for column in re.findall(r"^\s*(\w+)\s+bigserial", match.group(2), re.M):
            sequences[match.group(1)] = f"{match.group(1)}_{column}_seq"
    return tables, sequences


def sql_literals(directory):
    """The SQL statements in the Swift sources: multi-line string literals and one-line ones with SQL verbs."""
    found = []
    for path in sorted(glob.glob(os.path.join(directory, "*.swift"))):
        text = open(path).read()
        text = re.sub(r"^\s*///.*$|//.*$", "", text, flags=re.M)
        found += re.findall(r'"""(.*?)"""', text, re.S)
        found += [
            s for s in re.findall(r'"((?:[^"\\\n]|\\.)*)"', text) if re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b", s)
        ]
    return found


def needed_privileges(statements, tables, sequences):
    need = {}

    def add(table, *privileges):
        if table in tables:
            need.setdefault(table, set()).update(privileges)

    for sql in statements:
        for chunk in re.split(r"(?=\bINSERT INTO\b|\bUPDATE \w+(?: \w+)? SET\b|\bDELETE FROM\b)", sql):
            insert = re.match(r"INSERT INTO (\w+)", chunk)
            update = re.match(r"UPDATE (\w+)", chunk)
            delete = re.match(r"DELETE FROM (\w+)", chunk)
            if insert:
                table = insert.group(1)
                add(table, "INSERT")
                if table in sequences:
                    need.setdefault(sequences[table], set()).add("USAGE")
                if "DO UPDATE" in chunk:
                    add(table, "UPDATE", "SELECT")
                if "RETURNING" in chunk:
                    add(table, "SELECT")
            if update:
                add(update.group(1), "UPDATE", "SELECT")
            if delete:
                add(delete.group(1), "DELETE")
            for table in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", chunk):
                if not (delete and table == delete.group(1)):
                    add(table, "SELECT")
    return need


def granted_privileges(root):
    text = open(os.path.join(root, "db/grants.sql")).read()
    text = re.sub(r"--.*$", "", text, flags=re.M)
    grants = {}
    for statement in (s.strip() for s in text.split(";") if s.strip()):
        if statement.startswith("REVOKE"):
            continue
        match = re.fullmatch(r"GRANT\s+(.+?)\s+ON\s+(SCHEMA|SEQUENCE|TABLE)?\s*(.+?)\s+TO\s+(.+?)", statement, re.S)
        if not match:
            problem("db", f"db/grants.sql: cannot read {statement!r}")
            continue
        privileges, kind, objects, roles = match.groups()
        if "WITH GRANT OPTION" in roles or "ALL" in privileges.split() or objects.startswith("ALL "):
            problem("db", f"db/grants.sql: {statement!r} is wider than named privileges on named objects")
            continue
        if kind == "SCHEMA":
            continue
        for role in (r.strip() for r in roles.split(",")):
            for obj in (o.strip() for o in objects.split(",")):
                grants.setdefault(role, {}).setdefault(obj, set()).update(p.strip() for p in privileges.split(","))
    return grants


def check_database(root, objects):
    tables, sequences = schema_tables(root)
    grants = granted_privileges(root)
    for role, directory in SOURCES.items():
        need = needed_privileges(sql_literals(os.path.join(root, directory)), tables, sequences)
        have = grants.get(role, {})
        for obj in sorted(set(need) | set(have)):
            extra = sorted(have.get(obj, set()) - need.get(obj, set()))
            missing = sorted(need.get(obj, set()) - have.get(obj, set()))
            if extra:
                problem(
                    "db",
                    f"role {role} holds {', '.join(extra)} on {obj}, which its statements ({directory}) do not use",
                )
            if missing:
                problem(
                    "db", f"role {role} lacks {', '.join(missing)} on {obj}, which its statements ({directory}) use"
                )
    for cluster in (o for o in objects if o.get("kind") == "PostgresCluster"):
        users = {u["name"]: u for u in cluster["spec"].get("users", [])}
        for role in SOURCES:
            user = users.get(role)
            if user is None:
                problem("db", f"PostgresCluster {cluster['metadata']['name']}: no user {role}")
                continue
            if user.get("databases"):
                problem(
                    "db",
                    f"PGO user {role} lists databases {user['databases']}: PGO grants ALL on them "
                    "(CREATE of schemas included); db/grants.sql is all it may have",
                )
            options = set(str(user.get("options", "")).split())
            if options - {"NOSUPERUSER", "NOCREATEDB", "NOCREATEROLE", "NOREPLICATION", "NOBYPASSRLS", "LOGIN"}:
                problem("db", f"PGO user {role} has role attributes {sorted(options)}")
    local = re.search(r"^PG_MAJOR=(\d+)", open(os.path.join(root, "scripts/local-postgres.sh")).read(), re.M)
    for cluster in (o for o in objects if o.get("kind") == "PostgresCluster"):
        if not local or cluster["spec"].get("postgresVersion") != int(local.group(1)):
            problem(
                "db",
                f"PostgresCluster {cluster['metadata']['name']} deploys PostgreSQL "
                f"{cluster['spec'].get('postgresVersion')}, the local tests run "
                f"{local.group(1) if local else '?'} (scripts/local-postgres.sh PG_MAJOR)",
            )
    return len(SOURCES)


def env(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def check_kafka(objects):
    def find(kind, namespace, name):
        return next(
            (
                o
                for o in objects
                if o.get("kind") == kind
                and o["metadata"].get("namespace") == namespace
                and o["metadata"]["name"] == name
            ),
            None,
        )

    needs = {}
    for name in ("api", "worker"):
        deployment = find("Deployment", "apps", name)
        if deployment is None:
            problem("kafka", f"Deployment apps/{name} missing")
            continue
        variables = env(deployment["spec"]["template"]["spec"]["containers"][0])
        props = dict(p.split("=", 1) for p in (variables.get("KAFKA_CLIENT_PROPERTIES") or "").split(",") if "=" in p)
        user = props.get("sasl.username")
        if props.get("security.protocol") != "SASL_SSL" or not user:
            problem(
                "kafka",
                f"Deployment apps/{name}: KAFKA_CLIENT_PROPERTIES does not authenticate over TLS "
                "(security.protocol=SASL_SSL, sasl.username)",
            )
            continue
        topic = variables.get("KAFKA_TOPIC")
        if name == "api":
            needs[user] = {("topic", topic, "Write")}
        else:
            needs[user] = {
                ("topic", topic, "Read"),
                ("group", variables.get("KAFKA_GROUP_ID"), "Read"),
                ("topic", variables.get("KAFKA_DLQ_TOPIC"), "Write"),
            }
    scaled = find("ScaledObject", "apps", "worker")
    if scaled:
        for trigger in scaled["spec"].get("triggers", []):
            if trigger.get("type") == "kafka":
                if not trigger.get("authenticationRef"):
                    problem("kafka", "ScaledObject apps/worker: the kafka trigger has no authenticationRef")
                meta = trigger["metadata"]
                needs["keda"] = {
                    ("topic", meta.get("topic"), "Describe"),
                    ("group", meta.get("consumerGroup"), "Describe"),
                }
    users = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "KafkaUser"}
    for user, need in sorted(needs.items()):
        body = users.get(user)
        if body is None:
            problem("kafka", f"no KafkaUser {user} (needed: {sorted(need)})")
            continue
        if (body["spec"].get("authentication") or {}).get("type") not in ("scram-sha-512", "tls"):
            problem("kafka", f"KafkaUser {user} has no authentication")
        have = set()
        for acl in (body["spec"].get("authorization") or {}).get("acls", []):
            if acl.get("type", "allow") == "deny":
                continue
            resource = acl["resource"]
            if resource.get("patternType", "literal") != "literal" or resource.get("name", "*") == "*":
                problem("kafka", f"KafkaUser {user}: ACL on {resource} is a pattern, not one named resource")
            for operation in acl.get("operations", []):
                have.add((resource["type"], resource.get("name", "*"), operation))
        for extra in sorted(have - need):
            problem("kafka", f"KafkaUser {user} may {extra[2]} {extra[0]} {extra[1]}, which it does not need")
        for missing in sorted(need - have):
            problem("kafka", f"KafkaUser {user} may not {missing[2]} {missing[0]} {missing[1]}, which it needs")
    for user in sorted(set(users) - set(needs)):
        problem("kafka", f"KafkaUser {user} is used by no workload")
    for kafka in (o for o in objects if o.get("kind") == "Kafka"):
        spec = kafka["spec"]["kafka"]
        for listener in spec.get("listeners", []):
            if not listener.get("tls") or not listener.get("authentication"):
                problem(
                    "kafka",
                    f"Kafka {kafka['metadata']['name']}: listener {listener['name']} without TLS and authentication",
                )
        if (spec.get("authorization") or {}).get("type") != "simple":
            problem("kafka", f"Kafka {kafka['metadata']['name']}: authorization is not enabled (ACLs ignored)")
        if users and "userOperator" not in (kafka["spec"].get("entityOperator") or {}):
            problem(
                "kafka",
                f"Kafka {kafka['metadata']['name']}: no entityOperator.userOperator, so no KafkaUser "
                "gets credentials or ACLs",
            )
    return len(needs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("rendered", nargs="+")
    args = parser.parse_args()
    objects = documents.load(args.rendered)
    roles = check_database(args.root, objects)
    clients = check_kafka(objects)
    for line in PROBLEMS:
        print(f"privileges: {line}")
    print(
        f"privileges: {roles} database roles against the SQL in their sources, {clients} Kafka users against "
        f"their workloads; {len(PROBLEMS)} problems"
    )
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
