#!/usr/bin/env python3
"""Validates every object of rendered manifests against Kubernetes schemas and custom resources against
the upstream CRDs. Unknown fields are errors everywhere.

Built-in kinds: kubernetes-validate's strict JSON schemas for KUBERNETES_VERSION (all errors per object, not
only the first). Custom resources: the CRD's openAPIV3Schema for the object's apiVersion, made strict the way
the API server prunes: every object schema that lists `properties` and neither `additionalProperties` nor
`x-kubernetes-preserve-unknown-fields: true` rejects other keys. A kind that is neither built in nor backed by
a CRD file is an error (the API server would reject it). CEL rules (x-kubernetes-validations) are counted,
evaluated with cel-python where they use only standard CEL; rules that need Kubernetes' CEL library
extensions or compare with the old object (transition rules) cannot be evaluated offline and are counted.

usage: validate_manifests.py --crds DIR [--crds DIR ...] FILE.yaml [...]
prints one line per error and a summary; exit 1 on any error.
"""

import argparse
import copy
import glob
import os
import re
import sys

import celpy
import jsonschema
import yaml
from kubernetes_validate import utils as kv

KUBERNETES_VERSION = "1.34.0"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def load_crds(dirs):
    """(group, version, kind) -> (schema, number of CEL rules)"""
    crds = {}
    for directory in dirs:
        for path in sorted(glob.glob(os.path.join(directory, "**", "*.yaml"), recursive=True)):
            with open(path) as handle:
                for doc in yaml.load_all(handle, Loader=LOADER):
                    if not doc or doc.get("kind") != "CustomResourceDefinition":
                        continue
                    spec = doc["spec"]
                    for version in spec["versions"]:
                        if not version.get("served", False):
                            continue
                        schema = version["schema"]["openAPIV3Schema"]
                        key = (spec["group"], version["name"], spec["names"]["kind"])
                        crds[key] = (strict_schema(schema), cel_rules(schema), path)
    return crds


def cel_rules(node, path=()):
    """[(schema path, rule)] where a path step is a property name, or "[]" for list items / map values."""
    found = [(path, rule) for rule in node.get("x-kubernetes-validations", [])]
    for name, sub in (node.get("properties") or {}).items():
        found += cel_rules(sub, path + (name,))
    if isinstance(node.get("items"), dict):
        found += cel_rules(node["items"], path + ("[]",))
    if isinstance(node.get("additionalProperties"), dict):
        found += cel_rules(node["additionalProperties"], path + ("[]",))
    return found


def nodes_at(value, path):
    """The values of an object at a schema path (several when the path crosses lists or maps)."""
    if not path:
        return [value]
    step, rest = path[0], path[1:]
    if step == "[]":
        children = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else []
        return [n for child in children for n in nodes_at(child, rest)]
    if isinstance(value, dict) and step in value:
        return nodes_at(value[step], rest)
    return []


CEL_ENV = celpy.Environment()
CEL_PROGRAMS = {}


def evaluate_cel(obj, rules, stats):
    """Errors of the CEL rules that apply to obj; counts evaluated and not evaluable rules in stats."""
    errors = []
    for path, rule in rules:
        text = rule["rule"]
        for node in nodes_at(obj, path):
            if "oldSelf" in text:
                stats["transition"] += 1
                continue
            if text not in CEL_PROGRAMS:
                try:
                    CEL_PROGRAMS[text] = CEL_ENV.program(CEL_ENV.compile(text))
                except Exception:  # cel-python raises its own parse/compile error types
                    CEL_PROGRAMS[text] = None
            program = CEL_PROGRAMS[text]
            if program is None:
                stats["unsupported"] += 1
                continue
            try:
                result = program.evaluate({"self": celpy.json_to_cel(node)})
            except Exception:  # an unknown Kubernetes library function surfaces only at evaluation
                stats["unsupported"] += 1
                continue
            if isinstance(result, celpy.CELEvalError):
                stats["unsupported"] += 1
                continue
            stats["evaluated"] += 1
            if result is not True and result != celpy.celtypes.BoolType(True):
                where = ".".join(p for p in path if p != "[]") or "<root>"
                errors.append(f"{where}: CEL rule failed: {rule.get('message') or text}")
    return errors


def strict_schema(schema):
    """OpenAPI v3 (structural CRD schema) -> JSON Schema that rejects unknown fields."""

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in ("properties", "patternProperties"):
                out[key] = {name: walk(sub) for name, sub in value.items()}
            elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
                out[key] = walk(value)
            elif key in ("allOf", "anyOf", "oneOf"):
                out[key] = [walk(sub) for sub in value]
            elif key.startswith("x-kubernetes-") or key in ("description", "example", "format"):
                continue  # annotations, not constraints (format: int32 etc. is advisory in the API server)
            elif key == "nullable":
                continue
            else:
                out[key] = value
        if node.get("nullable") and "type" in out:
            out["type"] = [out["type"], "null"]
        if node.get("x-kubernetes-int-or-string"):
            out.pop("type", None)
            out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
        if (
            "properties" in node
            and "additionalProperties" not in node
            and not preserve
            and not node.get("x-kubernetes-embedded-resource")
        ):
            out["additionalProperties"] = False
        return out

    strict = walk(copy.deepcopy(schema))
    # metadata is validated separately (ObjectMeta is not part of a CRD schema).
    strict.setdefault("properties", {})["metadata"] = {"type": "object"}
    strict["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return strict


def check_metadata(obj):
    meta = obj.get("metadata") or {}
    errors = []
    name = meta.get("name", "")
    if not name:
        errors.append("metadata.name is missing")
    elif len(name) > 253 or not NAME_RE.match(name):
        errors.append(f"metadata.name {name!r} is not a DNS subdomain")
    allowed = {"name", "namespace", "labels", "annotations", "generateName", "finalizers", "ownerReferences"}
    for key in meta:
        if key not in allowed:
            errors.append(f"metadata.{key} is not expected in a manifest")
    for field in ("labels", "annotations"):
        for key, value in (meta.get(field) or {}).items():
            if not isinstance(value, str):
                errors.append(f"metadata.{field}.{key} must be a string, got {type(value).__name__}")
    return errors


_VALIDATORS = {}


def builtin_errors(obj):
    """All schema errors of a built-in object, or None when kubernetes-validate has no schema for it."""
    key = (obj["apiVersion"], obj["kind"])
    if key not in _VALIDATORS:
        _VALIDATORS[key] = builtin_validator(*key)
    validator = _VALIDATORS[key]
    if validator is None:
        return None
    return [format_error(error) for error in validator.iter_errors(obj)]


def builtin_validator(api_version_full, kind):
    version = kv.major_minor(KUBERNETES_VERSION)
    obj = {"apiVersion": api_version_full, "kind": kind}
    api_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", obj["apiVersion"])
    schema_dir = f"v{KUBERNETES_VERSION}-local-strict"
    try:
        schema = kv.schema_contents(
            f"kubernetes-json-schema/{schema_dir}/{obj['kind'].lower()}-{api_version}.json", version
        )
    except FileNotFoundError:
        return None
    definitions = kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", version)
    registry = kv.Resource.from_contents(schema) @ kv.Registry()
    registry = kv.Resource.from_contents(definitions) @ registry
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def format_error(error):
    path = ".".join(str(p) for p in error.absolute_path) or "<root>"
    message = error.message
    if len(message) > 300:
        message = message[:300] + "..."
    return f"{path}: {message}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--crds", action="append", default=[], required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    if KUBERNETES_VERSION not in kv.all_versions():
        print(f"validate: kubernetes-validate has no schemas for {KUBERNETES_VERSION}", file=sys.stderr)
        return 2
    crds = load_crds(args.crds)
    if not crds:
        print("validate: no CRDs found in " + ", ".join(args.crds), file=sys.stderr)
        return 2

    failures = 0
    counts = {"builtin": 0, "custom": 0}
    cel_stats = {"evaluated": 0, "unsupported": 0, "transition": 0}
    kinds = {}
    for path in args.files:
        with open(path) as handle:
            docs = [d for d in yaml.load_all(handle, Loader=LOADER) if d is not None]
        if not docs:
            print(f"{path}: no objects", file=sys.stderr)
            failures += 1
        for obj in docs:
            ident = (
                f"{path}: {obj.get('kind', '?')} {(obj.get('metadata') or {}).get('namespace', '-')}/"
                f"{(obj.get('metadata') or {}).get('name', '?')}"
            )
            if not isinstance(obj, dict) or "apiVersion" not in obj or "kind" not in obj:
                print(f"{ident}: not a Kubernetes object (apiVersion/kind missing)")
                failures += 1
                continue
            errors = check_metadata(obj)
            group, _, version = obj["apiVersion"].rpartition("/")
            crd = crds.get((group, version, obj["kind"]))
            if crd is not None:
                schema, rules, _ = crd
                validator = jsonschema.validators.Draft202012Validator(schema, format_checker=None)
                errors += [format_error(e) for e in validator.iter_errors(obj)]
                errors += evaluate_cel(obj, rules, cel_stats)
                counts["custom"] += 1
            else:
                builtin = builtin_errors(obj)
                if builtin is None:
                    errors.append(
                        f"no schema: {obj['apiVersion']} {obj['kind']} is neither a Kubernetes "
                        f"{KUBERNETES_VERSION} kind nor defined by a CRD in " + ", ".join(args.crds)
                    )
                else:
                    errors += builtin
                    counts["builtin"] += 1
            kinds[obj["kind"]] = kinds.get(obj["kind"], 0) + 1
            for error in errors:
                print(f"{ident}: {error}")
            failures += bool(errors)
    total = counts["builtin"] + counts["custom"]
    print("validate: kinds " + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    print(
        f"validate: {total} objects ({counts['builtin']} built-in against Kubernetes {KUBERNETES_VERSION} "
        f"strict schemas, {counts['custom']} custom resources against {len(crds)} served CRD versions; "
        f"CEL rules: {cel_stats['evaluated']} evaluated, {cel_stats['unsupported']} need Kubernetes CEL "
        f"extensions, {cel_stats['transition']} transition rules skipped); {failures} invalid"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
