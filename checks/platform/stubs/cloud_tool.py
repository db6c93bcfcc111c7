#!/usr/bin/env python3
"""Stand-in for aws, terraform, helm and kubectl in tests of platform/*.sh and apps/deploy_apps.sh.

These tools cannot run on the build machine (no AWS, no cluster, Terraform and Helm are not obtainable), so
the scripts' own logic (tool and version checks, reading Terraform outputs, the helm releases and their pinned
versions, the order of steps, the Secret hand-over, refusing placeholders) is tested against this stand-in.
It logs every invocation to $STUB_DIR/calls.log and answers from $STUB_DIR (outputs.json, versions via env)."""

import base64
import json
import os
import re
import sys

STUB_DIR = os.environ["STUB_DIR"]
tool = os.path.basename(sys.argv[0])
args = sys.argv[1:]
with open(os.path.join(STUB_DIR, "calls.log"), "a") as log:
    log.write(" ".join([tool] + args) + "\n")


def out(text):
    sys.stdout.write(text)
    sys.exit(0)


def state(name, value=None):
    path = os.path.join(STUB_DIR, name)
    if value is None:
        return open(path).read() if os.path.exists(path) else None
    with open(path, "w") as handle:
        handle.write(value)


if tool == "terraform":
    if args[:2] == ["version", "-json"]:
        out(json.dumps({"terraform_version": os.environ.get("STUB_TERRAFORM_VERSION", "1.11.4")}))
    if "output" in args:
        out(open(os.path.join(STUB_DIR, "outputs.json")).read())
elif tool == "helm":
    if args[0] == "version":
        out("v" + os.environ.get("STUB_HELM_VERSION", "3.19.0"))
    if args[0] == "status":
        sys.exit(1)
    sys.exit(0)
elif tool == "aws":
    if args == ["--version"]:
        out("aws-cli/2.31.0 Python/3.13.7 Linux/6.1 exe/x86_64\n")
    if args[:2] == ["ecr", "describe-images"]:
        missing = os.environ.get("STUB_MISSING_IMAGE", "")
        if missing and any(a.endswith("/" + missing) for a in args):
            sys.exit(254)
        out(json.dumps({"imageDetails": [{"imageTags": [args[-1].split("=", 1)[1]]}]}))
    if args[:2] == ["s3", "ls"]:
        sys.exit(1)  # an empty prefix: no results of an earlier run
    sys.exit(0)
elif tool == "kubectl":
    if args[:1] == ["-n"]:
        args = args[2:]  # the namespace does not change the stand-in's answers
    joined = " ".join(args)
    if args[0] == "kustomize":
        # Rendering is local and real: hand it to the real kubectl.
        os.execv(os.environ["STUB_REAL_KUBECTL"], [os.environ["STUB_REAL_KUBECTL"]] + args)
    if joined.startswith("version --client"):
        out(json.dumps({"clientVersion": {"gitVersion": "v" + os.environ.get("STUB_KUBECTL_VERSION", "1.34.1")}}))
    if joined.startswith("version"):
        out("{}")
    if joined == "config current-context":
        out("arn:aws:eks:us-east-1:123456789012:cluster/replicasafe\n")
    if "get daemonset aws-node" in joined:
        containers = [{"name": "aws-node", "args": []}]
        if not os.environ.get("STUB_NO_POLICY_AGENT"):
            containers.append({"name": "aws-network-policy-agent", "args": ["--enable-network-policy=true"]})
        out(json.dumps({"spec": {"template": {"spec": {"containers": containers}}}}))
    if args[0] == "apply" and "-f" in args:
        source = args[args.index("-f") + 1]
        text = sys.stdin.read() if source == "-" else open(source).read()
        count = len([n for n in os.listdir(STUB_DIR) if n.startswith("applied-")])
        state(f"applied-{count}.yaml", text)
        match = re.search(r"name: (ledger-db-\w+)\n.*DATABASE_URL: (\S+)", text, re.S)
        if match:
            state(f"secret-{match.group(1)}", match.group(2))
        sys.exit(0)
    if "get secret alertmanager-receivers" in joined and os.environ.get("STUB_NO_ALERT_SECRET"):
        sys.exit(1)
    if args[0] == "create" and "secret" in args:
        files = [a.split("=", 2)[1:] for a in args if a.startswith("--from-file=")]
        data = "".join(f"  {key}: {base64.b64encode(open(path).read().encode()).decode()}\n" for key, path in files)
        name = args[args.index("generic") + 1]
        out(f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: apps\ndata:\n{data}")
    match = re.match(r"get secret (\S+) -o json$", joined)
    if match:
        name = match.group(1)
        fields = {"events-cluster-ca-cert": {"ca.crt": "-----BEGIN CERTIFICATE-----\nstub\n"}}.get(name)
        if name in ("api", "worker", "keda"):
            fields = {"password": f"kafka-{name}-pw"}
        if name.startswith("ledger-pguser-"):
            role = name[len("ledger-pguser-") :]
            fields = {"user": role, "password": f"s3cret/{role}", "host": "ledger-primary.postgres.svc", "port": "5432"}
        if fields is None:
            sys.exit(1)
        out(json.dumps({"data": {k: base64.b64encode(v.encode()).decode() for k, v in fields.items()}}))
    match = re.match(r"get secret (ledger-db-\w+) -o jsonpath", joined)
    if match:
        value = state(f"secret-{match.group(1)}")
        if value is None:
            sys.exit(1)
        out(value)
    if "get pod -o name" in joined:
        out("pod/ledger-pg-abcd-0\n")
    if "get deployment worker" in joined:
        applied = [n for n in sorted(os.listdir(STUB_DIR)) if n.startswith("applied-")]
        rendered = next(open(os.path.join(STUB_DIR, n)).read() for n in applied)
        out(re.search(r"name: WORKER_MODE\n\s+value: (\w+)", rendered).group(1))
    if joined.startswith("get job "):
        # The fuzz fleet's Jobs: absent until applied, then finished at once.
        if "jsonpath={range .status.conditions" in joined:
            out("Complete ")
        if "failedIndexes" in joined:
            out("")
        applied = [state(n) for n in os.listdir(STUB_DIR) if n.startswith("applied-")]
        sys.exit(0 if any(f"name: {args[2]}\n" in text for text in applied) else 1)
    if args[0] == "logs":
        out('{"failing":0}\n')
    if "get ingress api" in joined:
        out("k8s-apps-api-0123456789.us-east-1.elb.amazonaws.com")
    # get crd, get ingressclass, get storageclass, annotate, wait, rollout, delete: succeed quietly.
    sys.exit(0)
sys.exit(0)
