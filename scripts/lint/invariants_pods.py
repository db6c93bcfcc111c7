"""check_invariants' rules for every pod: the hardening of the restricted profile, probes, spread over zones,
disruption budgets and autoscalers, and the namespaces' Pod Security level."""

from scripts.lint.documents import ident, of_kind, pod_labels, pod_spec, selects
from scripts.lint.invariants_rules import ZONE, problem, rule


@rule("hardening")
def check_hardening(objects):
    for obj in objects:
        if obj["kind"] not in ("Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet"):
            continue
        spec = pod_spec(obj)
        pod_sc = spec.get("securityContext", {})
        if spec.get("automountServiceAccountToken") is not False:
            problem("hardening", f"{ident(obj)}: automountServiceAccountToken is not false")
        # The rest of the Pod Security "restricted" profile: no host namespaces, only the allowed volume types.
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(host):
                problem("hardening", f"{ident(obj)}: {host} is set")
        allowed = {
            "configMap",
            "emptyDir",
            "projected",
            "secret",
            "downwardAPI",
            "persistentVolumeClaim",
            "ephemeral",
            "csi",
        }
        for volume in spec.get("volumes", []):
            kinds = set(volume) - {"name"}
            if not kinds <= allowed:
                problem("hardening", f"{ident(obj)}: volume {volume['name']} of type {sorted(kinds - allowed)}")
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            where = f"{ident(obj)} container {container['name']}"
            sc = container.get("securityContext", {})
            if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True:
                problem("hardening", f"{where}: runAsNonRoot is not true")
            seccomp = sc.get("seccompProfile", pod_sc.get("seccompProfile", {})).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                problem("hardening", f"{where}: no RuntimeDefault seccomp profile")
            if sc.get("allowPrivilegeEscalation") is not False:
                problem("hardening", f"{where}: allowPrivilegeEscalation is not false")
            if sc.get("readOnlyRootFilesystem") is not True:
                problem("hardening", f"{where}: readOnlyRootFilesystem is not true")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                problem("hardening", f"{where}: capabilities do not drop ALL")
            if set(sc.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
                problem("hardening", f"{where}: adds capabilities {sc['capabilities']['add']}")
            if sc.get("privileged") or sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
                problem("hardening", f"{where}: privileged or running as UID 0")
            if any(p.get("hostPort") for p in container.get("ports", [])):
                problem("hardening", f"{where}: uses a hostPort")
            resources = container.get("resources", {})
            for key in ("cpu", "memory"):
                if key not in resources.get("requests", {}):
                    problem("hardening", f"{where}: no {key} request")
            if "memory" not in resources.get("limits", {}):
                problem("hardening", f"{where}: no memory limit")


@rule("availability")
def check_availability(objects):
    pdbs = of_kind(objects, "PodDisruptionBudget")
    scaled = {
        (h["metadata"]["namespace"], h["spec"]["scaleTargetRef"]["name"])
        for h in of_kind(objects, "HorizontalPodAutoscaler") + of_kind(objects, "ScaledObject")
    }
    for dep in of_kind(objects, "Deployment"):
        labels, spec = pod_labels(dep), pod_spec(dep)
        for container in spec["containers"]:
            for probe in ("readinessProbe", "livenessProbe"):
                if probe not in container:
                    problem("availability", f"{ident(dep)} container {container['name']}: no {probe}")
        spreads = [
            c
            for c in spec.get("topologySpreadConstraints", [])
            if c["topologyKey"] == ZONE and selects(c.get("labelSelector"), labels)
        ]
        if not spreads:
            problem("availability", f"{ident(dep)}: no topology spread over {ZONE} selecting its own pods")
        if not any(
            p["metadata"].get("namespace") == dep["metadata"]["namespace"]
            and selects(p["spec"].get("selector"), labels)
            for p in pdbs
        ):
            problem("availability", f"{ident(dep)}: no PodDisruptionBudget selects it")
        key = (dep["metadata"]["namespace"], dep["metadata"]["name"])
        if key not in scaled:
            problem("availability", f"{ident(dep)}: neither an HPA nor a ScaledObject scales it")
        elif "replicas" in dep["spec"]:
            problem("availability", f"{ident(dep)}: spec.replicas is set although an autoscaler owns it")
    for hpa in of_kind(objects, "HorizontalPodAutoscaler"):
        behavior = hpa["spec"].get("behavior", {})
        if not behavior.get("scaleUp") or not behavior.get("scaleDown"):
            problem("availability", f"{ident(hpa)}: no behavior for both scaleUp and scaleDown")
        if hpa["spec"].get("minReplicas", 1) < 2:
            problem("availability", f"{ident(hpa)}: minReplicas < 2 (a single replica cannot be drained safely)")


@rule("namespaces")
def check_namespaces(objects):
    for ns in of_kind(objects, "Namespace"):
        labels = ns["metadata"].get("labels", {})
        level = labels.get("pod-security.kubernetes.io/enforce")
        if level not in ("restricted", "baseline"):
            problem("namespaces", f"{ident(ns)}: Pod Security enforce level {level!r}")
        if ns["metadata"]["name"] == "apps" and level != "restricted":
            problem("namespaces", "namespace apps must enforce the restricted Pod Security Standard")
