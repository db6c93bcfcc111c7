"""check_invariants' rules for the PostgresCluster: pgBackRest to S3 through IRSA with schedules and retention,
a bounded archive timeout, and replicated instance sets spread over zones."""

from scripts.lint.documents import ident, of_kind
from scripts.lint.invariants_rules import ZONE, problem, rule


@rule("postgres")
def check_postgres(objects):
    clusters = of_kind(objects, "PostgresCluster")
    if not clusters:
        problem("postgres", "no PostgresCluster")
    for pg in clusters:
        spec, name = pg["spec"], ident(pg)
        if not spec.get("metadata", {}).get("annotations", {}).get("eks.amazonaws.com/role-arn"):
            problem("postgres", f"{name}: no IRSA role annotation for pgBackRest")
        backup = spec.get("backups", {}).get("pgbackrest", {})
        glob = backup.get("global", {})
        repos = [r for r in backup.get("repos", []) if "s3" in r]
        if not repos:
            problem("postgres", f"{name}: no S3 repository")
        for repo in repos:
            prefix = repo["name"]
            schedules = repo.get("schedules", {})
            if "full" not in schedules or ("incremental" not in schedules and "differential" not in schedules):
                problem("postgres", f"{name}: {prefix} needs a full and an incremental/differential schedule")
            if glob.get(f"{prefix}-s3-key-type") != "web-id":
                problem("postgres", f"{name}: {prefix}-s3-key-type is not web-id (IRSA)")
            if not glob.get(f"{prefix}-retention-full"):
                problem("postgres", f"{name}: no {prefix}-retention-full")
        params = spec.get("patroni", {}).get("dynamicConfiguration", {}).get("postgresql", {}).get("parameters", {})
        if not params.get("archive_timeout"):
            problem("postgres", f"{name}: archive_timeout unset (RPO unbounded on a quiet database)")
        for instance in spec.get("instances", []):
            if instance.get("replicas", 1) < 2:
                problem("postgres", f"{name}: instance set {instance['name']} has fewer than 2 replicas")
            if not any(c["topologyKey"] == ZONE for c in instance.get("topologySpreadConstraints", [])):
                problem("postgres", f"{name}: instance set {instance['name']} not spread over {ZONE}")
