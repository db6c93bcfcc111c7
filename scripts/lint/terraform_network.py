"""check_terraform's network rules: three AZs with three subnets of each tier inside the VPC, and the CIDRs that
the NetworkPolicies and the traffic matrix repeat."""

import glob
import ipaddress
import os
import re

import yaml

from scripts.lint.terraform_hcl import default, problem


def check_network_layout(tf):
    if tf["locals"].get("az_count") != 3:
        problem("azs", f"local.az_count is {tf['locals'].get('az_count')!r}, not 3")
    if "data.aws_availability_zones.available.names" not in str(
        tf["locals"].get("azs")
    ) or "0, local.az_count)" not in str(tf["locals"].get("azs")):
        problem("azs", "local.azs is not the first local.az_count available zones")
    vpc = tf["module"].get("network", {})
    if vpc.get("source") != "./modules/network":
        problem("vpc", f"module network must be ./modules/network (got {vpc.get('source')})")
    if vpc.get("azs") != "${local.azs}":
        problem("vpc", "module network does not use local.azs")
    tiers = {
        "private_subnet_cidrs": "private_subnet_cidrs",
        "public_subnet_cidrs": "public_subnet_cidrs",
        "intra_subnet_cidrs": "intra_subnet_cidrs",
    }
    cidrs = {}
    vpc_net = ipaddress.ip_network(default(tf, "vpc_cidr") or "0.0.0.0/32")
    for arg, var in tiers.items():
        if vpc.get(arg) != f"${{var.{var}}}":
            problem("vpc", f"module network {arg} is not var.{var}")
        values = default(tf, var) or []
        if len(values) != 3:
            problem("azs", f"var.{var} has {len(values)} subnets, not 3")
        validations = tf["variable"].get(var, {}).get("validation", [])
        if not any(f"length(var.{var}) == 3" in str(v.get("condition")) for v in validations):
            problem("azs", f"var.{var} does not validate that there are exactly 3")
        for cidr in values:
            net = ipaddress.ip_network(cidr)
            if not net.subnet_of(vpc_net):
                problem("vpc", f"{cidr} ({var}) is outside the VPC {vpc_net}")
        cidrs[var] = [ipaddress.ip_network(c) for c in values]
    every = [n for nets in cidrs.values() for n in nets]
    for i, a in enumerate(every):
        for b in every[i + 1 :]:
            if a.overlaps(b):
                problem("vpc", f"subnets {a} and {b} overlap")
    if vpc.get("single_nat_gateway") != "${var.single_nat_gateway}" or default(tf, "single_nat_gateway") is not False:
        problem("vpc", "NAT: want single_nat_gateway = var.single_nat_gateway, defaulting to false (one NAT per AZ)")
    return cidrs


def policy_cidrs(root):
    """ipBlock CIDRs of the NetworkPolicies, split into the ALB ingress and the Kubernetes API egress."""
    alb, api = set(), set()
    for path in glob.glob(os.path.join(root, "apps/base/network-policies/*.yaml")):
        with open(path) as handle:
            for policy in (d for d in yaml.safe_load_all(handle) if d and d.get("kind") == "NetworkPolicy"):
                for rule in policy["spec"].get("ingress", []):
                    alb |= {p["ipBlock"]["cidr"] for p in rule.get("from", []) if "ipBlock" in p}
                for rule in policy["spec"].get("egress", []):
                    ports = {p.get("port") for p in rule.get("ports", [])}
                    blocks = [p["ipBlock"] for p in rule.get("to", []) if "ipBlock" in p]
                    if ports == {443} and blocks and not any(b.get("except") for b in blocks):
                        api |= {b["cidr"] for b in blocks}
    return alb, api


def check_cidrs(tf, cidrs, root):
    alb, api = policy_cidrs(root)
    public = {str(n) for n in cidrs.get("public_subnet_cidrs", [])}
    service = ipaddress.ip_network(default(tf, "service_ipv4_cidr") or "0.0.0.0/32")
    kubernetes_ip = f"{next(service.hosts())}/32"
    apiserver = {str(n) for n in cidrs.get("intra_subnet_cidrs", [])} | {kubernetes_ip}
    if alb != public:
        problem("cidrs", f"NetworkPolicy ALB ingress CIDRs {sorted(alb)} != var.public_subnet_cidrs {sorted(public)}")
    if api != apiserver:
        problem(
            "cidrs",
            f"NetworkPolicy API-server CIDRs {sorted(api)} != intra subnets + {kubernetes_ip} {sorted(apiserver)}",
        )
    matrix = open(os.path.join(root, "docs/security/traffic-matrix.md")).read()
    sets = dict(re.findall(r"^(alb-subnets|apiserver)\s+(\S+)", matrix, re.M))
    for name, want in (("alb-subnets", public), ("apiserver", apiserver)):
        got = set(sets.get(name, "").split(",")) - {""}
        if got != want:
            problem("cidrs", f"traffic matrix ip set {name} {sorted(got)} != Terraform {sorted(want)}")
