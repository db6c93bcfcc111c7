"""Reading docs/openapi.yaml: the response examples with the request each names, and schema validation of bodies."""

from __future__ import annotations

from dataclasses import dataclass

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOCUMENT_URI = "urn:replicasafe:openapi"


@dataclass
class Case:
    """One response example and the request that produces it."""

    method: str
    path: str
    status: int
    media_type: str
    name: str
    expected: object
    request: dict
    schema_pointer: str
    headers: dict

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path} {self.status} {self.name}"


def pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def cases(document: dict) -> tuple[list[Case], list[str]]:
    """Every response example as a Case, and the problems found (a response example without a request, a request
    example that no response example answers)."""
    found, problems = [], []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in OPERATIONS:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            requests = body.get("examples", {})
            answered = set()
            for status, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    for name, example in content.get("examples", {}).items():
                        if "x-request" in example:
                            request = example["x-request"]
                        elif name in requests:
                            request = {"json": requests[name]["value"]}
                            answered.add(name)
                        elif method == "get":
                            request = {}
                        else:
                            problems.append(
                                f"{method.upper()} {path} {status} example {name}: no request example "
                                "of that name and no x-request"
                            )
                            continue
                        found.append(
                            Case(
                                method,
                                path,
                                int(status),
                                media,
                                name,
                                example.get("value"),
                                request,
                                pointer("paths", path, method, "responses", status, "content", media, "schema"),
                                response.get("headers", {}),
                            )
                        )
            for name in sorted(set(requests) - answered):
                problems.append(f"{method.upper()} {path}: request example {name} has no response example")
    return found, problems


def validator(document: dict, schema_pointer: str) -> Draft202012Validator:
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource(DOCUMENT_URI, resource)
    return Draft202012Validator({"$ref": DOCUMENT_URI + schema_pointer}, registry=registry)


def schema_errors(document: dict, schema_pointer: str, instance) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
        for e in validator(document, schema_pointer).iter_errors(instance)
    ]
