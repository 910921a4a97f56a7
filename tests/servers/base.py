"""A real HTTP/1.1 server on 127.0.0.1 (free port, own thread) with routes and switchable faults.

Vendors' wire shapes are route sets (see the sibling modules). Faults are queued per route
prefix and consumed one request at a time, so a test says exactly which request fails how:
429 with Retry-After (seconds, HTTP date, ms), 500/503, slow first byte, read timeout, reset
before or in the middle of the body, truncated body, HTML error page, malformed JSON, any
status with any body. Every request is recorded (method, path, headers, body).
"""

from __future__ import annotations

import email.utils
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    match: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def form(self) -> list[tuple[str, bytes, str | None]]:
        """Multipart fields as (name, value, filename) in order."""
        match = re.search(r"boundary=\"?([^\";]+)", self.content_type)
        assert match, self.content_type
        boundary = match.group(1).encode()
        fields = []
        for part in self.body.split(b"--" + boundary)[1:]:
            if part.startswith(b"--"):
                break
            head, _, value = part.partition(b"\r\n\r\n")
            name = re.search(rb'name="([^"]*)"', head)
            filename = re.search(rb'filename="([^"]*)"', head)
            fields.append(
                (
                    name.group(1).decode() if name else "",
                    value[:-2] if value.endswith(b"\r\n") else value,
                    filename.group(1).decode() if filename else None,
                )
            )
        return fields

    def fields(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value, filename in self.form():
            out.setdefault(name, []).append(filename or value.decode("utf-8", "replace"))
        return out


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunk_delay: float = 0.0  # between chunks of an iterable body (sent chunked)

    @classmethod
    def json(cls, data: Any, status: int = 200, **headers: str) -> Response:
        return cls(
            status, json.dumps(data).encode(), {"Content-Type": "application/json", **headers}
        )

    @classmethod
    def sse(cls, events: Iterable[Any], done: bool = False) -> Response:
        lines = [f"data: {json.dumps(e)}\n\n".encode() for e in events]
        if done:
            lines.append(b"data: [DONE]\n\n")
        return cls(200, lines, {"Content-Type": "text/event-stream"})


@dataclass
class Fault:
    """What happens to one matching request instead of (or on top of) its normal answer.

    kind: "status" (answer ``status``/``body``/``headers``), "slow" (wait ``delay`` before the
    normal answer), "hang" (wait ``delay`` and answer nothing), "reset_before" (read the request,
    then reset the connection), "reset_mid" (send headers and ``keep`` bytes of the normal body,
    then reset), "truncate" (promise the whole normal body, send ``keep`` bytes, close),
    "stall" (answer ``status`` and ``headers``, promise ``body``, send ``keep`` bytes of it and
    then nothing for ``delay`` seconds: an error page that never ends).
    """

    kind: str
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    keep: int = 64


def retry_after_date(seconds: float) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


Handler = Callable[[Request], Response]


class WireServer:
    """Routes by (method, regex); faults by (method, path prefix); a log of every request."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[tuple[str, str, Fault]] = []
        self._lock = threading.Lock()
        self.log: list[Request] = []
        self.stopping = threading.Event()
        self.state: dict[str, Any] = {}
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest output clean

            def do_GET(self) -> None:
                server._handle(self)

            do_POST = do_DELETE = do_PUT = do_GET

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # -- set-up ------------------------------------------------------------------------------

    def start(self) -> WireServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            self._routes.append((method, re.compile(f"^{pattern}$"), handler))
            return handler

        return add

    def fail(self, method: str, prefix: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._faults.extend((method, prefix, fault) for _ in range(times))

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self.log.clear()
            self.state.clear()

    def requests(self, method: str | None = None, prefix: str = "") -> list[Request]:
        with self._lock:
            return [
                r for r in self.log
                if (method is None or r.method == method) and r.path.startswith(prefix)
            ]  # fmt: skip

    # -- serving -----------------------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for n, (m, prefix, fault) in enumerate(self._faults):
                if m == method and path.startswith(prefix):
                    del self._faults[n]
                    return fault
        return None

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        request = Request(
            h.command,
            parts.path,
            parse_qs(parts.query),
            {k.lower(): v for k, v in h.headers.items()},
            body,
        )
        with self._lock:
            self.log.append(request)
        fault = self._take_fault(h.command, parts.path)
        if fault and fault.kind == "reset_before":
            return _reset(h)
        if fault and fault.kind in ("slow", "hang"):
            self.stopping.wait(fault.delay)
            if fault.kind == "hang":
                h.close_connection = True
                return None
        if fault and fault.kind == "status":
            return _send(h, Response(fault.status, fault.body, dict(fault.headers)))
        if fault and fault.kind == "stall":
            return _send_stalled(h, fault, self.stopping)
        response = self._dispatch(request)
        if fault and fault.kind in ("reset_mid", "truncate"):
            return _send_broken(h, response, fault)
        return _send(h, response, self.stopping)

    def _dispatch(self, request: Request) -> Response:
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                request.match = match.groupdict()
                return handler(request)
        return Response.json({"error": {"message": f"no route {request.path}"}}, 404)


def _chunks(body: bytes | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(body, bytes):
        yield body
    else:
        yield from body


def _send(h: BaseHTTPRequestHandler, r: Response, stopping: threading.Event | None = None) -> None:
    h.send_response(r.status)
    for key, value in r.headers.items():
        h.send_header(key, value)
    if isinstance(r.body, bytes):
        h.send_header("Content-Length", str(len(r.body)))
        h.end_headers()
        h.wfile.write(r.body)
        return
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    try:
        for chunk in r.body:
            if chunk:
                h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                h.wfile.flush()
            if r.chunk_delay and stopping is not None:
                stopping.wait(r.chunk_delay)
        h.wfile.write(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        h.close_connection = True


def _send_broken(h: BaseHTTPRequestHandler, r: Response, fault: Fault) -> None:
    data = b"".join(_chunks(r.body))
    h.send_response(r.status)
    for key, value in r.headers.items():
        h.send_header(key, value)
    if fault.kind == "truncate":
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[: fault.keep])
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_WR)
        return
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    piece = data[: fault.keep]
    h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    h.wfile.flush()
    time.sleep(0.05)  # let the client see (and hand on) the first bytes
    _reset(h)


def _send_stalled(h: BaseHTTPRequestHandler, fault: Fault, stopping: threading.Event) -> None:
    h.send_response(fault.status)
    for key, value in fault.headers.items():
        h.send_header(key, value)
    h.send_header("Content-Length", str(len(fault.body) + 1_000_000))
    h.end_headers()
    h.wfile.write(fault.body[: fault.keep])
    h.wfile.flush()
    stopping.wait(fault.delay)
    h.close_connection = True


def _reset(h: BaseHTTPRequestHandler) -> None:
    """Close with RST (SO_LINGER 0), as a crashed server or a cut connection does."""
    h.close_connection = True
    try:
        h.wfile.flush()
    except OSError:
        pass
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()
