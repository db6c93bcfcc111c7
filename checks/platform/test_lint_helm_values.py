"""The helmvalues check holds platform/values to the pinned charts' defaults and JSON schemas: a misspelled key
fails, a free-form map does not."""

from .lint_failure import failed


def test_helmvalues_catches_a_misspelled_key(tree):
    tree.replace(
        "platform/values/kube-prometheus-stack.yaml",
        "    serviceMonitorSelectorNilUsesHelmValues: false",
        "    serviceMonitorSelectorNilUsesHelmValue: false",
    )
    failed(
        tree,
        "helmvalues",
        "unknown key prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValue "
        "(did you mean prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues?)",
    )


def test_helmvalues_catches_a_misspelled_set_string_key(tree):
    tree.replace(
        "platform/install_platform.sh",
        "--set-string autoDiscovery.clusterName=",
        "--set-string autoDiscovery.clustername=",
    )
    failed(tree, "helmvalues", "cluster-autoscaler: unknown key autoDiscovery.clustername")


def test_helmvalues_applies_the_charts_json_schema(tree):
    tree.replace("platform/values/velero.yaml", "snapshotsEnabled: true", 'snapshotsEnabled: "yes"')
    failed(tree, "helmvalues", "velero: values.schema.json: snapshotsEnabled: 'yes' is not of type 'boolean'")


def test_helmvalues_leaves_free_form_maps_alone(tree):
    tree.replace(
        "platform/values/strimzi.yaml",
        "  requests:\n    cpu: 100m",
        "  requests:\n    cpu: 100m\n    example.com/gpu: 1",
    )
    rc, out = tree.lint("helmvalues")
    assert rc == 0, out


def test_helmvalues_detects_an_edited_vendored_chart_default(tree):
    tree.replace("platform/chart-defaults/keda-2.20.2/values.yaml", "watchNamespace:", "watchNamespaces:")
    failed(tree, "helmvalues", "differs from")
