"""Checking a request the studio built against a provider's official OpenAPI document.

``Spec.check(request)`` finds the operation (path template and method), then checks the
content type, the JSON body or the multipart fields (names, required ones, types, enums —
form values are read as the type the schema wants), the query and path parameters, and
that nothing undocumented is sent unless a test allows it by name.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema
import referencing
import referencing.jsonschema

# The providers' documents, gzipped, kept beside these tests (see specs/README.md).
SPECS = Path(__file__).resolve().parent / "specs"


def load(name: str) -> dict[str, Any]:
    with gzip.open(SPECS / f"{name}.gz", "rt", encoding="utf-8") as fh:
        if name.endswith(".json"):
            return json.load(fh)
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(fh, Loader=loader)


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    raw: dict[str, Any]


class Spec:
    """One OpenAPI 3.1 document: operations by path, and schema validation with its $refs."""

    def __init__(self, doc: dict[str, Any], uri: str, base_path: str = "") -> None:
        self.doc = doc
        self.uri = uri
        self.base_path = base_path
        resource = referencing.Resource.from_contents(
            doc, default_specification=referencing.jsonschema.DRAFT202012
        )
        self.registry: referencing.Registry[Any] = referencing.Registry().with_resource(
            uri, resource
        )
        self._paths = [
            (re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", t) + "$"), t)
            for t in doc["paths"]
        ]

    # -- schemas -----------------------------------------------------------------------------

    def ref(self, name: str) -> dict[str, Any]:
        return {"$ref": f"{self.uri}#/components/schemas/{name}"}

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Follow a local $ref to the schema it names (one level at a time)."""
        while isinstance(schema, dict) and "$ref" in schema:
            pointer = schema["$ref"].split("#", 1)[1]
            node: Any = self.doc
            for part in pointer.strip("/").split("/"):
                node = node[part]
            schema = node
        return schema

    def errors(self, instance: Any, schema: dict[str, Any]) -> list[str]:
        validator = jsonschema.Draft202012Validator(
            _rebase(schema, self.uri), registry=self.registry
        )
        return [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(instance)
        ]

    def validate(self, instance: Any, schema: dict[str, Any]) -> None:
        problems = self.errors(instance, schema)
        assert not problems, problems

    # -- operations --------------------------------------------------------------------------

    def operation(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        path = path[len(self.base_path) :] if path.startswith(self.base_path) else path
        for pattern, template in self._paths:
            match = pattern.match(path)
            if match and method.lower() in self.doc["paths"][template]:
                op = self.doc["paths"][template][method.lower()]
                return Operation(method, template, op), match.groupdict()
        raise AssertionError(f"{method} {path} is not in the spec")

    def check(self, request: httpx.Request, *, allow_extra: Iterable[str] = ()) -> Operation:
        """Assert ``request`` is what the spec documents; returns its operation."""
        url = urlsplit(str(request.url))
        op, path_params = self.operation(request.method, url.path)
        params = {(p["in"], p["name"]): p for p in map(self.resolve, op.raw.get("parameters", []))}
        for name, value in path_params.items():
            self.validate(value, params[("path", name)]["schema"])
        for name, values in parse_qs(url.query).items():
            assert ("query", name) in params, f"query {name!r} is not documented for {op.template}"
            schema = params[("query", name)]["schema"]
            self.validate(self.coerce(values[0], schema), schema)
        for (where, name), p in params.items():
            if where == "query" and p.get("required"):
                assert name in parse_qs(url.query), f"required query {name!r} missing"
        body = op.raw.get("requestBody")
        ctype = request.headers.get("content-type", "").split(";")[0].strip()
        if body is None:
            assert not request.content, f"{op.template} takes no body"
            return op
        content = self.resolve(body)["content"]
        assert ctype in content, f"{ctype} not in {list(content)} for {op.template}"
        schema = content[ctype]["schema"]
        if ctype == "application/json":
            instance = json.loads(request.content)
        else:
            instance = self.form_instance(request, schema)
        self.validate(instance, schema)
        self._no_undocumented(instance, schema, set(allow_extra), op.template)
        return op

    def _no_undocumented(
        self, instance: Any, schema: dict[str, Any], allowed: set[str], where: str
    ) -> None:
        extra = set(instance) - self.property_names(schema) - allowed
        assert not extra, f"{where}: {sorted(extra)} are not in the spec"

    def property_names(self, schema: dict[str, Any]) -> set[str]:
        """Every property a schema documents, through allOf/anyOf/oneOf compositions."""
        schema = self.resolve(schema)
        names = set(schema.get("properties", {}))
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key, []):
                names |= self.property_names(sub)
        return names

    def coerce(self, value: str, schema: dict[str, Any]) -> Any:
        """A form or query string as the JSON value the schema wants (number, bool, object...)."""
        candidates: list[Any] = []
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        else:
            if not isinstance(parsed, str):
                candidates.append(parsed)
        candidates.append(value)
        for candidate in candidates:
            if not self.errors(candidate, schema):
                return candidate
        return candidates[-1]

    def form_instance(self, request: httpx.Request, schema: dict[str, Any]) -> dict[str, Any]:
        props = self.resolve(schema).get("properties", {})
        fields: dict[str, list[str]] = {}
        for name, value, filename in multipart_fields(request):
            key = name[:-2] if name.endswith("[]") else name
            fields.setdefault(key, []).append((filename and "<binary>") or value.decode())
        instance: dict[str, Any] = {}
        for key, values in fields.items():
            prop = self.resolve(props.get(key, {}))
            if _is_array(self, prop):
                items = _array_items(self, prop)
                instance[key] = [self.coerce(v, items) for v in values]
            else:
                assert len(values) == 1, f"form field {key!r} repeated but not an array"
                instance[key] = self.coerce(values[0], prop)
        return instance


def _is_array(spec: Spec, schema: dict[str, Any]) -> bool:
    if schema.get("type") == "array":
        return True
    return any(
        _is_array(spec, spec.resolve(s)) for s in schema.get("anyOf", []) + schema.get("oneOf", [])
    )


def _array_items(spec: Spec, schema: dict[str, Any]) -> dict[str, Any]:
    if schema.get("type") == "array":
        return schema.get("items", {})
    for s in schema.get("anyOf", []) + schema.get("oneOf", []):
        s = spec.resolve(s)
        if s.get("type") == "array":
            return s.get("items", {})
    return {}


def _rebase(schema: Any, uri: str) -> Any:
    """Make local $refs inside an inline schema point into the document."""
    if isinstance(schema, dict):
        return {
            k: (
                f"{uri}{v}"
                if k == "$ref" and isinstance(v, str) and v.startswith("#")
                else _rebase(v, uri)
            )
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v, uri) for v in schema]
    return schema


def multipart_fields(request: httpx.Request) -> list[tuple[str, bytes, str | None]]:
    ctype = request.headers["content-type"]
    match = re.search(r"boundary=\"?([^\";]+)", ctype)
    assert match, ctype
    boundary = match.group(1).encode()
    out = []
    for part in request.content.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]*)"', head)
        filename = re.search(rb'filename="([^"]*)"', head)
        assert name, head
        out.append(
            (name.group(1).decode(), value[:-2] if value.endswith(b"\r\n") else value,
             filename.group(1).decode() if filename else None)
        )  # fmt: skip
    return out
