"""A stand-in for aws, terraform, helm and kubectl (checks/platform/stubs/cloud_tool.py) on a PATH of its own, with
the Terraform outputs the scripts read: what the platform and apps scripts' tests run them against."""

import json
import os
import re
import shutil
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STUB = os.path.join(REPO, "checks", "platform", "stubs", "cloud_tool.py")
OUTPUTS = {
    "cluster_name": "replicasafe",
    "cluster_endpoint": "https://ABC.gr7.us-east-1.eks.amazonaws.com",
    "region": "us-east-1",
    "vpc_id": "vpc-0123456789abcdef0",
    "kubeconfig_command": "aws eks update-kubeconfig --region us-east-1 --name replicasafe",
    "aws_load_balancer_controller_role_arn": "arn:aws:iam::123456789012:role/replicasafe-aws-load-balancer-controller",
    "cluster_autoscaler_role_arn": "arn:aws:iam::123456789012:role/replicasafe-cluster-autoscaler",
    "velero_role_arn": "arn:aws:iam::123456789012:role/replicasafe-velero",
    "ebs_csi_role_arn": "arn:aws:iam::123456789012:role/replicasafe-ebs-csi",
    "db_backup_role_arn": "arn:aws:iam::123456789012:role/replicasafe-db-backup",
    "sim_fuzz_role_arn": "arn:aws:iam::123456789012:role/replicasafe-sim-fuzz",
    "fuzz_egress_cidrs": ["3.5.0.0/19", "52.216.0.0/15", "10.0.3.7/32", "10.0.40.9/32", "10.0.70.11/32"],
    "sts_endpoint_url": "https://vpce-0a1b2c3d4e5f67890-abcdefgh.sts.us-east-1.vpce.amazonaws.com",
    "velero_bucket": "replicasafe-velero-123456789012-us-east-1",
    "db_backup_bucket": "replicasafe-db-backups-123456789012-us-east-1",
    "backup_kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    "image_registry": "123456789012.dkr.ecr.us-east-1.amazonaws.com/replicasafe",
    "ingress_allowed_cidrs": ["198.51.100.0/24", "203.0.113.7/32"],
    "waf_web_acl_arn": "",
}
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def make_cloud(tmp_path):
    """A PATH with the stand-in tools (and the real jq, bash, coreutils) and a directory with its state."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("aws", "terraform", "helm", "kubectl"):
        os.symlink(STUB, bin_dir / tool)
    state = tmp_path / "state"
    state.mkdir()
    (state / "outputs.json").write_text(json.dumps({k: {"value": v} for k, v in OUTPUTS.items()}))
    return Cloud(str(bin_dir), str(state))


class Cloud:
    def __init__(self, bin_dir, state):
        self.bin_dir, self.state = bin_dir, state

    def run(self, script, *args, remove=(), **env):
        path = self.bin_dir
        for tool in remove:
            os.remove(os.path.join(self.bin_dir, tool))
        # Only the stand-ins and the system directories: a real kubectl must not be reached.
        system = ":".join(d for d in ("/usr/local/bin", "/usr/bin", "/bin") if os.path.isdir(d))
        sandbox = os.path.join(self.state, "sys")
        if not os.path.isdir(sandbox):
            os.mkdir(sandbox)
            for directory in system.split(":"):
                for name in os.listdir(directory):
                    if name.startswith(("kubectl", "helm", "terraform", "aws")) or os.path.exists(
                        os.path.join(sandbox, name)
                    ):
                        continue
                    os.symlink(os.path.join(directory, name), os.path.join(sandbox, name))
        full_env = dict(
            os.environ,
            PATH=f"{path}:{sandbox}",
            STUB_DIR=self.state,
            HOME=self.state,
            TIMEOUT="1s",
            STUB_REAL_KUBECTL=real_kubectl(),
            **env,
        )
        proc = subprocess.run(
            [os.path.join(REPO, script), *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=120
        )
        self.stdout = proc.stdout
        return proc.returncode, proc.stdout + proc.stderr

    def calls(self, tool=None):
        path = os.path.join(self.state, "calls.log")
        lines = open(path).read().splitlines() if os.path.exists(path) else []
        return [line for line in lines if tool is None or line.startswith(tool + " ")]

    def applied(self):
        names = sorted(n for n in os.listdir(self.state) if n.startswith("applied-"))
        return [open(os.path.join(self.state, n)).read() for n in names]


def real_kubectl():
    """The kubectl that renders (kustomize) for the stand-in: the system one or the PyPI wheel's."""
    found = shutil.which("kubectl")
    if found:
        real = os.path.realpath(found)
        versioned = os.path.join(os.path.dirname(real), "kubectl.1.32")
        return versioned if os.access(versioned, os.X_OK) else real
    return os.path.join(REPO, ".local", "venvs", "kubectl", "bin", "kubectl")


def versions_env():
    values = {}
    for line in open(os.path.join(REPO, "platform", "versions.env")):
        match = re.match(r"^([A-Z_]+)=(.*)$", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values
