"""Async provider jobs: submit -> poll -> fetch, with a deadline, progress and remote cancel.

``poll_until_done`` is the loop every async provider shares (Replicate, the gateway): it polls
with a growing interval (1 s -> 5 s), rides out short outages, reports progress, and stops at a
deadline without forgetting the job (the caller persisted it; it can resume later).
``GatewayJobs`` is the seed gateways' pattern: ``POST …/audio/generate/async`` -> job id ->
poll -> audio as a URL or base64, with the common field spellings tolerated.
Cancelling the task only stops polling; the remote job is cancelled by ``cancel()`` alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from audio_studio.core.errors import (
    InvalidRequestError,
    NetworkError,
    ProviderError,
    ProviderProtocolError,
    ProviderUnavailableError,
    RateLimitedError,
)
from audio_studio.core.models import (
    AudioFormat,
    AudioResult,
    Latency,
    MusicRequest,
    RemoteJob,
    RemoteJobState,
    Usage,
    frozen_mapping,
)
from audio_studio.core.providers.audio_reply import audio_in_json, first_value
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.providers.http import ProviderHttp
from audio_studio.core.providers.outputs import (
    check_audio,
    decode_base64_audio,
    download_audio,
    resolve_format,
)

__all__ = [
    "REMOTE_CANCELED",
    "REMOTE_FAILED",
    "GatewayConfig",
    "GatewayJobs",
    "RemoteStatus",
    "normalise_state",
    "parse_gateway_status",
    "poll_until_done",
]

_STATES = {
    RemoteJobState.PENDING: ("queued", "pending", "submitted", "starting", "waiting", "created"),
    RemoteJobState.RUNNING: ("running", "processing", "in_progress", "started", "generating"),
    RemoteJobState.SUCCEEDED: ("succeeded", "completed", "complete", "success", "done", "finished"),
    RemoteJobState.FAILED: ("failed", "error", "errored", "failure", "expired"),
    RemoteJobState.CANCELED: ("canceled", "cancelled", "aborted"),
}
_STATE_WORDS = {word: state for state, words in _STATES.items() for word in words}
_TRANSIENT = (NetworkError, ProviderUnavailableError, RateLimitedError)
# ProviderError.code of a job the provider ended: callers record "cancelled" apart from "failed".
REMOTE_FAILED = "remote_failed"
REMOTE_CANCELED = "remote_canceled"


def normalise_state(value: Any) -> RemoteJobState | None:
    return _STATE_WORDS.get(str(value or "").strip().lower())


@dataclass(frozen=True)
class RemoteStatus:
    """One poll's answer, normalised."""

    state: RemoteJobState
    progress: float | None = None
    message: str | None = None
    error: str | None = None
    audio_url: str | None = None
    audio_b64: str | None = None
    content_type: str = ""
    queue_s: float | None = None  # when the provider says how long the job waited
    raw: Mapping[str, Any] = field(default_factory=frozen_mapping)


@dataclass(frozen=True)
class Polled:
    status: RemoteStatus
    queue_ms: float | None


async def poll_until_done(
    fetch: Callable[[], Awaitable[RemoteStatus]],
    *,
    http: ProviderHttp,
    deadline_s: float,
    progress: ProgressFn | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    first_interval_s: float = 1.0,
    max_interval_s: float = 5.0,
    max_failures: int = 5,
) -> Polled:
    """Poll until the job succeeds; raise a StudioError if it fails, is cancelled or times out."""
    name = http.name
    started = time.monotonic()
    interval = first_interval_s
    failures = 0
    queue_ms: float | None = None
    while True:
        try:
            status = await fetch()
            failures = 0
        except _TRANSIENT:
            failures += 1
            if failures >= max_failures:
                raise
            status = None
        if status is not None:
            if status.state is not RemoteJobState.PENDING and queue_ms is None:
                queue_ms = (
                    status.queue_s * 1000 if status.queue_s is not None
                    else (time.monotonic() - started) * 1000
                )  # fmt: skip
            if progress:
                progress(status.progress, status.message or _STATE_TEXT[status.state])
            if status.state is RemoteJobState.SUCCEEDED:
                return Polled(status, queue_ms)
            if status.state is RemoteJobState.FAILED:
                said = http.scrub(status.error or "no reason given")[:300]
                raise ProviderError(
                    f"{name} could not finish the job ({said}). Change the prompt or settings "
                    "and try again.",
                    provider=http.provider_id,
                    code=REMOTE_FAILED,
                )
            if status.state is RemoteJobState.CANCELED:
                raise ProviderError(
                    f"The job was cancelled on {name}.",
                    provider=http.provider_id,
                    code=REMOTE_CANCELED,
                )
        elapsed = time.monotonic() - started
        if elapsed >= deadline_s:
            raise ProviderUnavailableError(
                f"{name} has not finished after {_waited(elapsed)}. The job is kept: resume "
                "it later (`audio-studio jobs resume`, or from the Jobs list).",
                provider=http.provider_id,
            )
        await sleep(min(interval, max(0.0, deadline_s - elapsed)))
        interval = min(max_interval_s, interval * 1.5)


_STATE_TEXT = {
    RemoteJobState.PENDING: "Queued on the provider…",
    RemoteJobState.RUNNING: "Generating…",
    RemoteJobState.SUCCEEDED: "Downloading…",
    RemoteJobState.FAILED: "Failed",
    RemoteJobState.CANCELED: "Cancelled",
}


def parse_gateway_status(data: Any) -> RemoteStatus:
    """A gateway's job object, whatever it calls its fields (id/job_id/task_id, audio_url/…)."""
    if not isinstance(data, Mapping):
        raise ProviderProtocolError("The job status is not a JSON object.")
    if "status" not in data and "state" not in data and isinstance(data.get("data"), Mapping):
        data = data["data"]
    state = normalise_state(first_value(data, "status", "state"))
    if state is None:
        raise ProviderProtocolError(f"The job has an unknown status {data.get('status')!r}.")
    audio = audio_in_json(data)  # the field names speech replies use too (audio_reply.py)
    progress = data.get("progress")
    if isinstance(progress, int | float):
        progress = progress / 100 if progress > 1 else float(progress)
    else:
        progress = None
    error = data.get("error")
    if isinstance(error, Mapping):
        error = error.get("message") or error.get("detail")
    return RemoteStatus(
        state=state,
        progress=progress,
        message=data.get("message") if isinstance(data.get("message"), str) else None,
        error=str(error) if error else None,
        audio_url=audio.url,
        audio_b64=audio.b64,
        content_type=audio.content_type,
        raw=frozen_mapping(dict(data)),
    )


@dataclass(frozen=True)
class GatewayConfig:
    """Where a seed-style gateway keeps its async endpoints (relative to the base URL)."""

    submit_path: str = "audio/generate/async"
    status_path: str = "audio/generate/async/{id}"
    cancel_path: str = "audio/generate/async/{id}/cancel"


class GatewayJobs:
    """The seed gateways' async generation: submit, poll, fetch the audio, cancel."""

    def __init__(self, http: ProviderHttp, config: GatewayConfig | None = None) -> None:
        self.http = http
        self.config = config or GatewayConfig()

    @staticmethod
    def body(request: MusicRequest) -> dict[str, Any]:
        body: dict[str, Any] = {"prompt": request.prompt}
        if request.model:
            body["model"] = request.model
        if request.duration_s:
            body["duration_seconds"] = request.duration_s
        if request.lyrics:
            body["lyrics"] = request.lyrics
        if request.instrumental:
            body["instrumental"] = True
        if request.seed is not None:
            body["seed"] = request.seed
        body["format"] = request.format.value
        return body

    async def submit(self, request: MusicRequest) -> RemoteJob:
        if not request.prompt.strip():
            raise InvalidRequestError(
                "Describe the music to generate.", provider=self.http.provider_id
            )
        reply = await self.http.request("POST", self.config.submit_path, json=self.body(request))
        data = reply.json()
        job_id = (
            first_value(data, "id", "job_id", "task_id", "request_id")
            if isinstance(data, Mapping)
            else None
        )
        if not job_id:
            raise ProviderProtocolError(
                f"{self.http.name} accepted the job but sent no job id; it cannot be followed. "
                "Check the gateway's async endpoint.",
                provider=self.http.provider_id,
            )
        urls = data.get("urls") if isinstance(data.get("urls"), Mapping) else {}
        poll = first_value(data, "poll_url", "status_url") or urls.get("get")
        cancel = data.get("cancel_url") or urls.get("cancel")
        jid = str(job_id)
        return RemoteJob(
            provider=self.http.provider_id,
            job_id=jid,
            poll_url=self.http.url(str(poll) if poll else self.config.status_path.format(id=jid)),
            cancel_url=self.http.url(
                str(cancel) if cancel else self.config.cancel_path.format(id=jid)
            ),
            state=normalise_state(data.get("status")) or RemoteJobState.PENDING,
            submitted_at=time.time(),
            meta=frozen_mapping(
                {"format": request.format.value, "model": request.model, "prompt": request.prompt}
            ),
        )

    async def status(self, job: RemoteJob) -> RemoteStatus:
        reply = await self.http.request(
            "GET", job.poll_url or self.config.status_path.format(id=job.job_id)
        )
        try:
            return parse_gateway_status(reply.json())
        except ProviderProtocolError as exc:
            raise ProviderProtocolError(
                f"{self.http.name}: {exc.message} Check the gateway's async endpoint.",
                provider=self.http.provider_id,
            ) from exc

    async def wait(self, job: RemoteJob, progress: ProgressFn | None = None) -> AudioResult:
        polled = await poll_until_done(
            lambda: self.status(job),
            http=self.http,
            deadline_s=self.http.deadline_s,
            progress=progress,
            sleep=self.http.sleep,
        )
        expected = AudioFormat(job.meta.get("format") or "mp3")
        return await fetch_output(self.http, job, polled, expected)

    async def cancel(self, job: RemoteJob) -> None:
        try:
            await self.http.request(
                "POST", job.cancel_url or self.config.cancel_path.format(id=job.job_id)
            )
        except InvalidRequestError:
            pass  # unknown or already finished there: nothing left to stop


async def fetch_output(
    http: ProviderHttp, job: RemoteJob, polled: Polled, expected: AudioFormat
) -> AudioResult:
    """The finished job's audio, from its URL (capped download) or its base64."""
    status = polled.status
    if status.audio_b64:
        data = decode_base64_audio(status.audio_b64, name=http.name)
        fmt, latency = resolve_format(data, status.content_type, expected), Latency()
    elif status.audio_url:
        got = await download_audio(http, status.audio_url, expected=expected)
        data, fmt, latency = got.data, got.format, got.latency
    else:
        raise ProviderProtocolError(
            f"{http.name} finished the job but gave no audio. Try again.", provider=http.provider_id
        )
    duration = await asyncio.to_thread(
        check_audio, data, fmt, name=http.name, provider=http.provider_id
    )
    total = (time.time() - job.submitted_at) * 1000 if job.submitted_at else latency.total_ms
    return AudioResult(
        data=data,
        format=fmt,
        provider=http.provider_id,
        model=job.meta.get("model"),
        duration_s=duration,
        latency=Latency(
            ttfb_ms=latency.ttfb_ms,
            total_ms=round(total, 3) if total is not None else None,
            queue_ms=round(polled.queue_ms, 3) if polled.queue_ms is not None else None,
        ),
        usage=Usage(audio_seconds=float(job.meta.get("duration_s") or duration or 0.0)),
        request_id=job.job_id,
        params=frozen_mapping({"job_id": job.job_id}),
    )


def _waited(seconds: float) -> str:
    """ "45 s", "3 min": a short wait must not read as "0 min"."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
