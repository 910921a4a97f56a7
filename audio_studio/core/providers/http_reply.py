"""Replies from ProviderHttp: whole (Reply) or streamed (StreamReply: bytes, lines, SSE, NDJSON).

A streamed reply that breaks after bytes arrived raises NetworkError saying how much arrived;
it is never restarted behind the caller's back (the audio so far may already be playing).
Latency is measured here: time to first byte, upload, and total, per provider call.
"""

from __future__ import annotations

import asyncio
import codecs
import functools
import json
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from audio_studio.core.errors import NetworkError, ProviderProtocolError
from audio_studio.core.models import Latency
from audio_studio.core.providers.base import ProgressFn

if TYPE_CHECKING:
    import httpx


__all__ = ["Reply", "SseEvent", "StreamReply", "Timing", "header_number", "timed_upload"]


def header_number(headers: Mapping[str, str], name: str) -> float | None:
    """A numeric header (``character-cost``, ``content-length``), or None when it is missing or
    is not a finite number: no header of a reply may crash the studio."""
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


class Timing:
    """Clock readings of one call (all attempts); perf_counter seconds."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.attempt_at = started
        self.headers_at: float | None = None
        self.upload_start: float | None = None
        self.upload_done: float | None = None
        self.first_byte_at: float | None = None
        self.ended_at: float | None = None

    def attempt(self, now: float) -> None:
        self.attempt_at = now
        self.headers_at = self.upload_start = self.upload_done = None

    def ttfb_ms(self) -> float:
        end = self.headers_at or time.perf_counter()
        return (end - self.attempt_at) * 1000.0

    def latency(self) -> Latency:
        end = self.ended_at or time.perf_counter()
        upload = None
        if self.upload_done is not None and self.upload_start is not None:
            upload = (self.upload_done - self.upload_start) * 1000.0
        return Latency(
            ttfb_ms=round(self.ttfb_ms(), 3),
            total_ms=round((end - self.started) * 1000.0, 3),
            upload_ms=round(upload, 3) if upload is not None else None,
        )


def timed_upload(
    request: httpx.Request, timing: Timing, progress: ProgressFn | None
) -> httpx.AsyncByteStream:
    """Wrap a request body so the upload time (and progress of big uploads) is known."""
    upload: Any = _timed_upload_class()
    stream: httpx.AsyncByteStream = upload(request, timing, progress)
    return stream


@functools.cache
def _timed_upload_class() -> type[httpx.AsyncByteStream]:
    import httpx

    class _TimedUpload(httpx.AsyncByteStream):
        def __init__(self, request: httpx.Request, timing: Timing, progress: ProgressFn | None):
            self._inner = request.stream
            self._timing = timing
            self._progress = progress
            self._total = int(request.headers.get("content-length") or 0)

        async def __aiter__(self) -> AsyncIterator[bytes]:
            sent = 0
            assert isinstance(self._inner, httpx.AsyncByteStream)
            self._timing.upload_start = time.perf_counter()
            async for chunk in self._inner:
                yield chunk
                sent += len(chunk)
                if self._progress and self._total > 256 * 1024:
                    self._progress(sent / self._total, "Uploading…")
            self._timing.upload_done = time.perf_counter()

    return _TimedUpload


@dataclass(frozen=True)
class Reply:
    """A whole reply: status, headers, body, and how long it took."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    url: str
    latency: Latency
    name: str = "The provider"
    provider: str | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def request_id(self) -> str | None:
        for name in ("x-request-id", "request-id", "x-trace-id"):
            if self.headers.get(name):
                return self.headers[name]
        return None

    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON, or ProviderProtocolError saying what came instead."""
        name = self.name
        head = self.content.lstrip()[:1]
        if "html" in self.content_type or head == b"<":
            raise ProviderProtocolError(
                f"{name} answered with a web page instead of the API. Check the base URL "
                "(it usually ends in /v1).",
                provider=self.provider,
            )
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise ProviderProtocolError(
                f"{name} sent a reply that is not valid JSON ({len(self.content)} bytes). Try "
                "again; if it keeps happening, the server may not be the API you meant.",
                provider=self.provider,
            ) from exc


@dataclass(frozen=True)
class SseEvent:
    event: str | None
    data: str


class ReplySource(Protocol):
    """Who sent the reply, for messages (a ProviderHttp)."""

    @property
    def name(self) -> str: ...

    @property
    def provider_id(self) -> str: ...


class StreamReply:
    """A reply being read as it arrives. Iterate once, with one of the ``aiter_*`` methods."""

    def __init__(
        self, source: ReplySource, response: httpx.Response, timing: Timing, max_bytes: int
    ) -> None:
        self._http = source
        self._response = response
        self._timing = timing
        self._max_bytes = max_bytes
        self.bytes_received = 0

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def latency(self) -> Latency:
        return self._timing.latency()

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        import httpx

        try:
            async for chunk in self._response.aiter_bytes():
                if not chunk:
                    continue
                if self._timing.first_byte_at is None:
                    self._timing.first_byte_at = time.perf_counter()
                self.bytes_received += len(chunk)
                if self.bytes_received > self._max_bytes:
                    raise ProviderProtocolError(
                        f"{self._http.name} sent more than {self._max_bytes // 2**20} MB; the "
                        "reply was refused. Ask for a shorter result.",
                        provider=self._http.provider_id,
                    )
                yield chunk
        except asyncio.CancelledError:
            raise
        except httpx.HTTPError as exc:
            raise self._broken(exc) from exc
        self._timing.ended_at = time.perf_counter()

    def _broken(self, exc: Exception) -> NetworkError:
        import httpx

        name, got = self._http.name, self.bytes_received
        if isinstance(exc, httpx.ReadTimeout):
            what = f"{name} stopped sending for longer than the read timeout"
        else:
            what = f"The connection to {name} broke ({exc.__class__.__name__})"
        if got:
            detail = f" after {got:,} bytes had arrived; the partial reply was not kept"
        else:
            detail = " before the reply arrived"
        return NetworkError(
            f"{what}{detail}. It was not sent again automatically, because the provider may "
            "already have done (and billed) the work. Try again.",
            provider=self._http.provider_id,
        )

    async def aiter_lines(self) -> AsyncIterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        async for chunk in self.aiter_bytes():
            pending += decoder.decode(chunk)
            *lines, pending = pending.split("\n")
            for line in lines:
                yield line.rstrip("\r")
        pending += decoder.decode(b"", final=True)
        if pending:
            yield pending.rstrip("\r")

    async def aiter_sse(self) -> AsyncIterator[SseEvent]:
        """Server-sent events: ``data:`` lines joined until a blank line; comments skipped."""
        event: str | None = None
        data: list[str] = []
        async for line in self.aiter_lines():
            if not line:
                if data:
                    yield SseEvent(event, "\n".join(data))
                event, data = None, []
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field == "event":
                event = value
        if data:
            yield SseEvent(event, "\n".join(data))

    async def aiter_sse_json(self) -> AsyncIterator[dict[str, Any]]:
        """SSE whose data is JSON objects (OpenAI style); stops at ``[DONE]``."""
        done = False
        async for sse in self.aiter_sse():
            # After [DONE], read on to the end instead of returning: a body left half-read
            # leaves httpx's iterators to the garbage collector, which closes them later in
            # another task, and httpcore's connection lock does not survive that.
            done = done or sse.data.strip() == "[DONE]"
            if not done:
                yield self._json_object(sse.data)

    async def aiter_ndjson(self) -> AsyncIterator[dict[str, Any]]:
        """One JSON object per line (ElevenLabs /stream/with-timestamps)."""
        async for line in self.aiter_lines():
            if line.strip():
                yield self._json_object(line)

    def _json_object(self, text: str) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ProviderProtocolError(
                f"{self._http.name} sent a streamed event that is not valid JSON. Try again; "
                "if it keeps happening the server may not support streaming.",
                provider=self._http.provider_id,
            ) from exc
        if not isinstance(value, dict):
            raise ProviderProtocolError(
                f"{self._http.name} sent a streamed event of an unexpected shape.",
                provider=self._http.provider_id,
            )
        return value
