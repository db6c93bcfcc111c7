"""The Terraform that check_terraform reads, parsed with python-hcl2 (one merged document per directory), and the
problems its checks report."""

import glob
import os

import hcl2
from hcl2 import SerializationOptions

OPTS = SerializationOptions(strip_string_quotes=True)
PROBLEMS = []
MODULES = {}  # infra/modules/NAME -> parsed


def problem(area, message):
    PROBLEMS.append(f"{area}: {message}")


def parse_dir(directory):
    """{block type: {name or (type, name): body}} merged over the .tf files of one directory."""
    merged = {"variable": {}, "output": {}, "module": {}, "resource": {}, "data": {}, "locals": {}, "terraform": []}
    files = sorted(glob.glob(os.path.join(directory, "*.tf")))
    for path in files:
        with open(path) as handle:
            try:
                doc = hcl2.load(handle, serialization_options=OPTS)
            except Exception as error:  # the parser raises several types; all mean "not valid HCL"
                problem("parse", f"{path}: {error}")
                continue
        for kind in ("variable", "output", "module"):
            for block in doc.get(kind, []):
                merged[kind].update(block)
        for kind in ("resource", "data"):
            for block in doc.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        merged[kind][(rtype, name)] = body
        for block in doc.get("locals", []):
            merged["locals"].update(block)
        merged["terraform"] += doc.get("terraform", [])
    return merged, files


def default(tf, name):
    return tf["variable"].get(name, {}).get("default")
