#!/usr/bin/env python3
"""NetworkPolicy connectivity of the rendered manifests must equal the flow list in
docs/security/traffic-matrix.md, and the default-deny policies alone must block every flow.

network-config-analyzer (nca) computes the connectivity from the NetworkPolicies over these workloads:
the rendered Deployments/Jobs, the pods the operators create from our custom resources (operands.py), and
the cluster components named in platform/network-peers.yaml. Only flows with an end in one of our namespaces
(those the render creates) count; the rest of the cluster has no policies of ours.

usage: check_network.py --nca NCA --matrix MD --peers YAML RENDERED.yaml [...]
       check_network.py --nca NCA --peers YAML [--matrix MD] --print all|deny|none RENDERED.yaml [...]
           prints the flows touching our namespaces with all policies, with the default-deny policies only,
           or with no policy at all (the evidence in docs/demos/05-network-isolation.md)
"""

import argparse
import ipaddress
import os
import re
import subprocess
import sys
import tempfile

import yaml

from scripts.lint import documents, operands
from scripts.lint.ip_intervals import contains, merge, parse_ips, subtract

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod"}
LINE_RE = re.compile(r"^(?P<src>\S+) => (?P<dst>\S+) : (?P<conn>.+)$")
ENDPOINT_RE = re.compile(r"^[a-z0-9-]+/[a-z0-9.-]+\[[A-Za-z]+\]$")


class MatrixError(Exception):
    pass


def protected_namespaces(objects):
    return sorted(o["metadata"]["name"] for o in objects if o["kind"] == "Namespace")


def resources_for(objects, peers):
    resources = []
    for obj in objects + peers:
        if obj["kind"] == "Namespace":
            # The API server sets this label on every namespace; NetworkPolicies select namespaces by it.
            obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
            resources.append(obj)
        elif obj["kind"] in WORKLOAD_KINDS:
            resources.append(obj)
    return resources + operands.materialize(objects)


def run_nca(nca, policies, resources):
    with tempfile.TemporaryDirectory() as tmp:
        pol_path = os.path.join(tmp, "policies.yaml")
        res_path = os.path.join(tmp, "resources.yaml")
        with open(pol_path, "w") as handle:
            yaml.safe_dump_all(policies or [], handle)
        with open(res_path, "w") as handle:
            yaml.safe_dump_all(resources, handle)
        if not policies:
            # nca needs a policy file with at least one object; a policy selecting nothing changes nothing.
            with open(pol_path, "w") as handle:
                yaml.safe_dump(
                    {
                        "apiVersion": "networking.k8s.io/v1",
                        "kind": "NetworkPolicy",
                        "metadata": {"name": "selects-nothing", "namespace": "default"},
                        "spec": {"podSelector": {"matchLabels": {"no-such-label": "x"}}, "policyTypes": ["Ingress"]},
                    },
                    handle,
                )
        proc = subprocess.run(
            [
                nca,
                "--connectivity",
                pol_path,
                "-r",
                res_path,
                "-o",
                "txt_no_fw_rules",
                "--output_endpoints",
                "deployments",
            ],
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0 or "Error" in proc.stderr:
        raise RuntimeError(f"nca failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return [line.strip() for line in proc.stdout.splitlines() if LINE_RE.match(line.strip())]


def pod_owners(resources):
    owners = {}
    for obj in resources:
        label = (obj["metadata"].get("labels") or {}).get(operands.WORKLOAD_LABEL)
        if obj["kind"] == "Pod" and label:
            kind, name = label.split(".", 1)
            owners[f"{obj['metadata']['namespace']}/{obj['metadata']['name']}[Pod]"] = (
                f"{obj['metadata']['namespace']}/{name}[{kind}]"
            )
    return owners


IPSETS = {}  # name -> merged intervals, from the matrix's ```ipsets block


def ips_text(intervals):
    """Shortest spelling: a union of named sets when one matches exactly, else CIDRs."""
    inside = [name for name, ivs in sorted(IPSETS.items()) if contains(intervals, ivs)]
    if inside and merge([iv for name in inside for iv in IPSETS[name]]) == intervals:
        return "+".join("@" + name for name in inside)
    cidrs = []
    for lo, hi in intervals:
        cidrs += [
            str(c) for c in ipaddress.summarize_address_range(ipaddress.IPv4Address(lo), ipaddress.IPv4Address(hi))
        ]
    return "ip:" + ",".join(cidrs)


def parse_ipsets(text, path):
    """```ipsets lines: NAME CIDR[,CIDR...] [except CIDR[,CIDR...]]"""
    blocks = re.findall(r"^```ipsets\n(.*?)^```", text, re.S | re.M)
    if len(blocks) > 1:
        raise MatrixError(f"{path}: more than one ```ipsets block")
    sets = {}
    for raw in blocks[0].splitlines() if blocks else []:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) not in (2, 4) or (len(fields) == 4 and fields[2] != "except"):
            raise MatrixError(f"{path}: ipsets line {raw!r}: want 'NAME CIDRS [except CIDRS]'")
        intervals = parse_ips(fields[1])
        if len(fields) == 4:
            intervals = subtract(intervals, parse_ips(fields[3]))
        sets[fields[0]] = intervals
    return sets


def parse_ports(text):
    ports = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = (int(p) for p in part.split("-"))
        else:
            lo = hi = int(part)
        if not (0 < lo <= hi <= 65535):
            raise ValueError(f"bad port {part!r}")
        ports.append((lo, hi))
    return ports


def parse_connection(text):
    """nca's '{protocols:TCP, UDP,dst_ports:53}' or 'All connections' -> [(proto, lo, hi)]."""
    text = text.strip()
    if text == "All connections":
        return [(proto, 1, 65535) for proto in ("TCP", "UDP", "SCTP")]
    out = []
    for group in re.findall(r"\{([^}]*)\}", text):
        match = re.match(r"protocols:(?P<protos>[A-Z, ]+?)(?:,dst_ports:(?P<ports>[0-9,\- ]+))?$", group)
        if not match:
            raise RuntimeError(f"cannot read nca connection {group!r}")
        ports = parse_ports(match["ports"]) if match["ports"] else [(1, 65535)]
        for proto in (p.strip() for p in match["protos"].split(",")):
            out += [(proto, lo, hi) for lo, hi in ports]
    if not out:
        raise RuntimeError(f"cannot read nca connection {text!r}")
    return out


def explode(flows):
    """[(src, dst, proto, lo, hi)] with src/dst an endpoint string or an IP interval list ->
    canonical set: one entry per port, IP ends merged per (other end, direction, proto, port)."""
    atoms = set()
    by_ip = {}
    for src, dst, proto, lo, hi in flows:
        ports = range(lo, hi + 1) if hi - lo < 1024 else [f"{lo}-{hi}"]
        for port in ports:
            if isinstance(src, list) or isinstance(dst, list):
                side, other = ("src", dst) if isinstance(src, list) else ("dst", src)
                by_ip.setdefault((side, other, proto, port), []).extend(src if side == "src" else dst)
            else:
                atoms.add((src, dst, proto, str(port)))
    for (side, other, proto, port), intervals in by_ip.items():
        ip = ips_text(merge(intervals))
        atoms.add((ip, other, proto, str(port)) if side == "src" else (other, ip, proto, str(port)))
    return atoms


def computed_flows(lines, owners, namespaces):
    flows = []
    for line in lines:
        match = LINE_RE.match(line)
        ends = []
        for end in (match["src"], match["dst"]):
            end = owners.get(end, end)
            if ENDPOINT_RE.match(end):
                ends.append(end)
            else:
                ends.append(parse_ips(end))
        ours = [e for e in ends if isinstance(e, str) and e.split("/")[0] in namespaces]
        if not ours:
            continue
        for proto, lo, hi in parse_connection(match["conn"]):
            flows.append((ends[0], ends[1], proto, lo, hi))
    return explode(flows)


def matrix_flows(path):
    text = open(path).read()
    IPSETS.clear()
    IPSETS.update(parse_ipsets(text, path))
    blocks = re.findall(r"^```flows\n(.*?)^```", text, re.S | re.M)
    if len(blocks) != 1:
        raise MatrixError(f"{path}: expected exactly one ```flows block, found {len(blocks)}")
    flows = []
    for number, raw in enumerate(blocks[0].splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 4:
            raise MatrixError(f"{path}: flows line {number}: want 'SRC DST PROTO PORTS', got {raw!r}")
        src, dst, protos, ports = fields
        ends = []
        for end in (src, dst):
            if end.startswith("@"):
                try:
                    ends.append(merge([iv for name in end[1:].split("+@") for iv in IPSETS[name]]))
                except KeyError:
                    raise MatrixError(f"{path}: flows line {number}: unknown ip set in {end!r}") from None
            elif end.startswith("ip:"):
                ends.append(parse_ips(end[3:]))
            elif ENDPOINT_RE.match(end):
                ends.append(end)
            else:
                raise MatrixError(
                    f"{path}: flows line {number}: bad endpoint {end!r} (want ns/name[Kind] or ip:CIDR,...)"
                )
        for proto in protos.split(","):
            if proto not in ("TCP", "UDP", "SCTP"):
                raise MatrixError(f"{path}: flows line {number}: bad protocol {proto!r}")
            for lo, hi in parse_ports(ports):
                flows.append((ends[0], ends[1], proto, lo, hi))
    return explode(flows)


def render_table(atoms):
    grouped = {}
    for src, dst, proto, port in atoms:
        grouped.setdefault((src, dst), {}).setdefault(port, set()).add(proto)
    lines = []
    for (src, dst), ports in sorted(grouped.items()):
        by_protos = {}
        for port, protos in ports.items():
            by_protos.setdefault(",".join(sorted(protos)), []).append(port)
        for protos, plist in sorted(by_protos.items()):
            plist = sorted(plist, key=lambda p: int(str(p).split("-")[0]))
            lines.append(f"{src:<44} {dst:<44} {protos:<8} {','.join(map(str, plist))}")
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nca", required=True)
    # Repeatable: the stand-ins of platform/network-peers.yaml and the real add-on manifests of platform/manifests.
    parser.add_argument("--peers", required=True, action="append")
    parser.add_argument("--matrix")
    parser.add_argument("--print", choices=["all", "deny", "none"], dest="print_only")
    parser.add_argument("rendered", nargs="+")
    args = parser.parse_args()

    objects = documents.load(args.rendered)
    peers = documents.load(args.peers)
    namespaces = protected_namespaces(objects)
    if not namespaces:
        print("network: the render creates no Namespace; nothing to check", file=sys.stderr)
        return 2
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    resources = resources_for(objects, peers)
    owners = pod_owners(resources)
    workloads = sorted(
        {
            owners.get(
                f"{r['metadata']['namespace']}/{r['metadata']['name']}[Pod]",
                f"{r['metadata']['namespace']}/{r['metadata']['name']}[{r['kind']}]",
            )
            for r in resources
            if r["kind"] != "Namespace"
        }
    )

    if args.matrix:
        try:
            IPSETS.update(parse_ipsets(open(args.matrix).read(), args.matrix))
        except (MatrixError, ValueError) as error:
            print(f"network: {error}")
            return 1
    if args.print_only:
        chosen = {
            "all": policies,
            "none": [],
            "deny": [p for p in policies if p["metadata"]["name"] == "default-deny"],
        }[args.print_only]
        flows = computed_flows(run_nca(args.nca, chosen, resources), owners, namespaces)
        print("\n".join(render_table(flows)))
        print(
            f"# {len(flows)} flows (per port and protocol) touch {', '.join(namespaces)} with "
            f"{len(chosen)} NetworkPolicies ({args.print_only})"
        )
        return 0
    allowed = computed_flows(run_nca(args.nca, policies, resources), owners, namespaces)

    failures = 0
    # 1. every namespace we create has a default-deny for both directions.
    deny = [p for p in policies if p["metadata"]["name"] == "default-deny"]
    for ns in namespaces:
        found = [
            p
            for p in deny
            if p["metadata"]["namespace"] == ns
            and p["spec"].get("podSelector") in ({}, None)
            and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress")
            and not p["spec"].get("egress")
        ]
        if not found:
            print(f"network: namespace {ns} has no default-deny (podSelector {{}}, Ingress+Egress, no rules)")
            failures += 1

    # 2. default-deny alone: no flow at all touches our namespaces.
    deny_only = computed_flows(run_nca(args.nca, deny, resources), owners, namespaces)
    for line in render_table(deny_only):
        print(f"network: allowed with default-deny alone: {line}")
        failures += 1

    # 3. the allow-list gives exactly the documented flows.
    try:
        documented = matrix_flows(args.matrix)
    except (MatrixError, ValueError) as error:
        print(f"network: {error}")
        return 1
    for line in render_table(allowed - documented):
        print(f"network: allowed but not in {args.matrix}: {line}")
        failures += 1
    for line in render_table(documented - allowed):
        print(f"network: in {args.matrix} but not allowed: {line}")
        failures += 1

    print(
        f"network: {len(policies)} NetworkPolicies over {len(workloads)} workloads in "
        f"{len({w.split('/')[0] for w in workloads})} namespaces ({', '.join(namespaces)} ours); "
        f"{len(allowed)} allowed flows (per port and protocol) vs {len(documented)} documented; "
        f"default-deny alone allows {len(deny_only)}; {failures} problems"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
