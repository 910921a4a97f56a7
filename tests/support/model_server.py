"""A real HTTP server on 127.0.0.1 that serves model files, with Range and scripted failures.

Each file can drop the connection after some bytes (a number of times, or always), stall
until released, ignore Range requests, or answer an error status. Every request is recorded
with its Range header, so tests can see that a download resumed.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Served:
    data: bytes
    drop_after: int | None = None  # close the connection after this many body bytes…
    drops: int = 0  # …this many times (-1: always)
    stall_after: int | None = None  # send this many bytes, then wait for ``release``
    release: threading.Event = field(default_factory=threading.Event)
    stalled: threading.Event = field(default_factory=threading.Event)
    ignore_range: bool = False
    status: int = 200

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class ModelServer:
    def __init__(self) -> None:
        self.files: dict[str, Served] = {}
        self.requests: list[tuple[str, str | None]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, path: str, data: bytes, **options: Any) -> Served:
        served = Served(data, **options)
        self.files[path] = served
        return served

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def ranges(self, path: str) -> list[str | None]:
        return [r for p, r in self.requests if p == path]

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        wanted = h.headers.get("Range")
        with self._lock:
            self.requests.append((h.path, wanted))
            served = self.files.get(h.path)
            drop = served is not None and served.drops != 0 and served.drop_after is not None
            if drop and served is not None and served.drops > 0:
                served.drops -= 1
        if served is None or served.status != 200:
            h.send_error(served.status if served else 404)
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
        if match and not served.ignore_range:
            start = int(match.group(1))
            if start >= len(served.data):
                h.send_response(416)
                h.send_header("Content-Range", f"bytes */{len(served.data)}")
                h.end_headers()
                return
            h.send_response(206)
            h.send_header(
                "Content-Range", f"bytes {start}-{len(served.data) - 1}/{len(served.data)}"
            )
        else:
            h.send_response(200)
        body = served.data[start:]
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Content-Type", "application/octet-stream")
        h.end_headers()
        try:
            if served.stall_after is not None:
                h.wfile.write(body[: served.stall_after])
                h.wfile.flush()
                served.stalled.set()
                served.release.wait(30)
                body = body[served.stall_after :]
            if drop and served.drop_after is not None:
                h.wfile.write(body[: served.drop_after])
                h.wfile.flush()
                h.close_connection = True
                return
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def catalog_entry(
        self, model_id: str, kind: str, files: dict[str, Served], **extra: Any
    ) -> dict[str, Any]:
        """A ``catalog.json`` entry for files served here (with their sha256 pinned)."""
        entries = []
        for name, served in files.items():
            path = next(p for p, s in self.files.items() if s is served)
            entries.append(
                {
                    "name": name,
                    "url": self.url(path),
                    "size_bytes": len(served.data),
                    "sha256": served.sha256,
                }
            )
        return {
            "id": model_id,
            "kind": kind,
            "title": model_id,
            "licence": "CC0-1.0",
            "files": entries,
            **extra,
        }


def write_catalog(models_dir: Path, entries: list[dict[str, Any]]) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    (models_dir / "catalog.json").write_text(json.dumps(entries))


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    server = ModelServer()
    server.thread.start()
    try:
        yield server
    finally:
        for served in server.files.values():
            served.release.set()
        server.httpd.shutdown()
        server.httpd.server_close()
