"""A loopback server that answers as a provider's published OpenAPI document says, like Prism.

Every request is first checked against the document (tests/contract/spec.py); one that does not
pass is answered 422 with the problems and kept in ``invalid``. A valid one gets the documented
success answer built from its schema the way ``prism mock`` does without examples: strings are
"string", numbers 0, every property filled, and every documented header sent with a value of
its type ("string" for a ``character-cost`` typed as a string). So a binary ``audio/mpeg``
answer is the six bytes ``string``: what a client must refuse rather than save.

Why not Prism itself: it needs Node and a 100 MB npm tree in the test set-up; this reads the
same documents with the jsonschema checker the contract tests already use.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.contract.spec import Spec, load
from tests.servers.base import Request, Response, WireServer

_HOP_BY_HOP = {"transfer-encoding", "content-length", "connection", "content-encoding"}


def openai_spec() -> Spec:
    return Spec(load("openai-openapi.yaml"), "urn:openai-openapi", base_path="/v1")


def elevenlabs_spec() -> Spec:
    return Spec(load("elevenlabs-openapi.json"), "urn:elevenlabs-openapi")


def sample(spec: Spec, schema: Any, depth: int = 0) -> Any:
    """A value of ``schema`` as a static mock makes it (no examples, every property present)."""
    schema = spec.resolve(schema) if isinstance(schema, dict) else {}
    if depth > 8:
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        options = [spec.resolve(s) for s in schema.get(key, [])]
        options = [s for s in options if s.get("type") != "null"]
        if options:
            return sample(spec, options[0], depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(spec, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        return {
            name: sample(spec, prop, depth + 1)
            for name, prop in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [sample(spec, schema.get("items", {}), depth + 1)]
    if kind == "integer":
        return 0
    if kind == "number":
        return 0.0
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    return "string"


class SpecMock:
    """The route handler: validate, then answer the documented 2xx."""

    def __init__(self, spec: Spec, base: str) -> None:
        self.spec = spec
        self.base = base  # the server URL, to rebuild the request httpx-style for the checker
        self.invalid: list[str] = []
        self.answered: list[str] = []

    def __call__(self, request: Request) -> Response:
        query = "&".join(f"{k}={v}" for k, vs in request.query.items() for v in vs)
        url = f"{self.base}{request.path}" + (f"?{query}" if query else "")
        as_httpx = httpx.Request(request.method, url, headers=request.headers, content=request.body)
        try:
            op = self.spec.check(as_httpx)
        except AssertionError as exc:
            self.invalid.append(f"{request.method} {request.path}: {exc}")
            return Response.json({"detail": str(exc)}, 422)
        responses = op.raw.get("responses", {})
        code = next((c for c in ("200", "201", "202") if c in responses), None)
        if code is None:
            return Response(204)
        answer = self.spec.resolve(responses[code])
        headers = {
            name: str(sample(self.spec, h.get("schema", {})))
            for name, h in answer.get("headers", {}).items()
            if name.lower() not in _HOP_BY_HOP
        }
        content = answer.get("content") or {}
        self.answered.append(f"{request.method} {op.template}")
        if not content:
            return Response(int(code), b"", headers)
        media = next(iter(content))
        schema = content[media].get("schema", {})
        value = sample(self.spec, schema)
        ctype = media.replace("/*", "/mpeg")
        if media == "application/json" or media.endswith("+json"):
            body = json.dumps(value).encode()
        else:
            body = (
                str(value).encode() if not isinstance(value, dict) else json.dumps(value).encode()
            )
        return Response(int(code), body, {"Content-Type": ctype, **headers})


def spec_server(spec: Spec) -> tuple[WireServer, SpecMock]:
    """A started server answering every path as ``spec`` documents it."""
    server = WireServer()
    mock = SpecMock(spec, server.url)
    for method in ("GET", "POST", "DELETE", "PUT"):
        server.route(method, ".*")(mock)
    return server.start(), mock
