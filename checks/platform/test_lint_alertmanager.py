"""The alertmanager check: routes send every critical alert to the pager, every alert has a known severity,
criticals inhibit their warnings, and the config loads in amtool."""

from .lint_failure import failed


def test_alertmanager_routes_every_critical_to_the_pager(tree):
    tree.replace(
        "platform/values/kube-prometheus-stack.yaml",
        """        - receiver: page
          matchers: ['severity="critical"']""",
        """        - receiver: page
          matchers: ['severity="critical"', 'slo=~".+"']""",
    )
    failed(tree, "alertmanager", "alert SettlementMissed (critical")
    failed(tree, "alertmanager", "want 'page'")


def test_alertmanager_refuses_an_alert_without_a_known_severity(tree):
    tree.replace(
        "apps/base/observability/prometheusrule.yaml", "labels: {severity: warning}", "labels: {severity: info}"
    )
    failed(tree, "alertmanager", "alert DuplicateSkipsSpike has severity 'info'")


def test_alertmanager_requires_inhibition_of_warnings_by_criticals(tree):
    tree.replace(
        "platform/values/kube-prometheus-stack.yaml",
        "        equal: [alertname, namespace]",
        "        equal: [alertname, namespace, slo_window]",
    )
    failed(tree, "alertmanager", "no inhibit rule silences its warning while its critical fires")


def test_alertmanager_config_must_load(tree):
    tree.replace("platform/values/kube-prometheus-stack.yaml", "          - api_url_file:", "          - api_url_fil:")
    failed(tree, "alertmanager", "FAILED amtool check-config")
