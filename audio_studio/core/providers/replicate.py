"""Replicate predictions for music (meta/musicgen): create, poll, download the output URL, cancel.

The prediction's ``urls.get`` and ``urls.cancel`` are persisted by the caller through
``on_submitted``, so a job started before a restart is polled to the end afterwards.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from audio_studio.core.errors import InputError, InvalidRequestError, ProviderProtocolError
from audio_studio.core.models import (
    AudioFormat,
    AudioResult,
    Capability,
    MusicRequest,
    RemoteJob,
    frozen_mapping,
)
from audio_studio.core.providers.base import (
    ModelInfo,
    ProgressFn,
    ProviderInfo,
    ProviderLimits,
    SubmittedFn,
)
from audio_studio.core.providers.http import ProviderHttp, RetryPolicy, SleepFn
from audio_studio.core.providers.polling import (
    RemoteStatus,
    fetch_output,
    normalise_state,
    poll_until_done,
)
from audio_studio.core.providers.registry import ProviderContext, ProviderSpec

__all__ = ["MUSICGEN_VERSION", "SPECS", "ReplicateProvider", "parse_prediction", "specs"]

# meta/musicgen is a community model: predictions name a version (seen in public clients).
MUSICGEN_VERSION = "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb"
MUSICGEN = f"meta/musicgen:{MUSICGEN_VERSION}"

INFO = ProviderInfo(
    id="replicate",
    name="Replicate",
    capabilities=frozenset({Capability.MUSIC}),
    limits=ProviderLimits(max_music_seconds=30.0, max_concurrency=2),
    output_formats=(AudioFormat.MP3, AudioFormat.WAV),
    models=(
        ModelInfo(MUSICGEN, "MusicGen (stereo melody large)", Capability.MUSIC, description="meta"),
    ),
    default_models=frozen_mapping({Capability.MUSIC: MUSICGEN}),
    default_base_url="https://api.replicate.com/v1",
    base_url_configurable=False,
    key_env="REPLICATE_API_TOKEN",
    description="Music from MusicGen on Replicate, as an async job that survives a restart.",
    signup_url="https://replicate.com/account/api-tokens",
)


def _time(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def parse_prediction(data: Any) -> RemoteStatus:
    """A Replicate prediction object as a RemoteStatus (output URL, error, queue time)."""
    if not isinstance(data, Mapping) or "status" not in data:
        raise ProviderProtocolError("Replicate sent a prediction of an unexpected shape.")
    state = normalise_state(data["status"])
    if state is None:
        raise ProviderProtocolError(f"Replicate sent an unknown status {data['status']!r}.")
    output = data.get("output")
    if isinstance(output, list):
        output = output[-1] if output else None
    if isinstance(output, Mapping):
        output = output.get("audio") or output.get("url")
    created, started = _time(data.get("created_at")), _time(data.get("started_at"))
    queue = started - created if created is not None and started is not None else None
    error = data.get("error")
    return RemoteStatus(
        state=state,
        error=str(error) if error else None,
        audio_url=output if isinstance(output, str) and output else None,
        queue_s=max(0.0, queue) if queue is not None else None,
        raw=frozen_mapping(dict(data)),
    )


class ReplicateProvider:
    """Replicate's predictions API, for music."""

    def __init__(
        self,
        ctx: ProviderContext,
        *,
        retry: RetryPolicy | None = None,
        sleep: SleepFn | None = None,
    ) -> None:
        self._ctx = ctx
        self.http = ProviderHttp.for_context(INFO, ctx, retry=retry, sleep=sleep)

    @property
    def info(self) -> ProviderInfo:
        return INFO

    async def check(self) -> str:
        data = (await self.http.request("GET", "account")).json()
        who = data.get("username") if isinstance(data, Mapping) else None
        return f"Connected as {who}." if who else "Connected."

    def create_body(self, request: MusicRequest) -> tuple[str, dict[str, Any]]:
        """The path and JSON body that create a prediction for ``request``."""
        if not request.prompt.strip():
            raise InputError("Describe the music to generate.", provider=INFO.id)
        model = request.model or MUSICGEN
        duration = round(request.duration_s or 8)
        limit = INFO.limits.max_music_seconds or 30
        if not 1 <= duration <= limit:
            raise InputError(f"MusicGen makes 1 to {limit:.0f} seconds of music.", provider=INFO.id)
        fmt = "wav" if request.format is AudioFormat.WAV else "mp3"
        inputs: dict[str, Any] = {
            "prompt": request.prompt,
            "duration": duration,
            "output_format": fmt,
            "normalization_strategy": "peak",
        }
        if model.startswith("meta/musicgen"):
            inputs["model_version"] = "stereo-melody-large"
        if request.seed is not None:
            inputs["seed"] = request.seed
        name, _, version = model.partition(":")
        if version:
            return "predictions", {"version": version, "input": inputs}
        if len(name) == 64 and "/" not in name:
            return "predictions", {"version": name, "input": inputs}
        return f"models/{name}/predictions", {"input": inputs}  # official models: no version

    async def generate_music(
        self,
        request: MusicRequest,
        *,
        on_submitted: SubmittedFn | None = None,
        progress: ProgressFn | None = None,
    ) -> AudioResult:
        path, body = self.create_body(request)
        reply = await self.http.request("POST", path, json=body)
        status = parse_prediction(reply.json())
        data = status.raw
        found = data.get("urls")
        urls: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        if not data.get("id"):
            raise ProviderProtocolError(
                "Replicate accepted the prediction but sent no id.", provider=INFO.id
            )
        job = RemoteJob(
            provider=INFO.id,
            job_id=str(data["id"]),
            poll_url=self.http.url(str(urls.get("get") or f"predictions/{data['id']}")),
            cancel_url=self.http.url(str(urls.get("cancel") or f"predictions/{data['id']}/cancel")),
            state=status.state,
            submitted_at=_time(data.get("created_at")) or time.time(),
            meta=frozen_mapping(
                {
                    "format": body["input"]["output_format"],
                    "model": request.model or MUSICGEN,
                    "duration_s": body["input"]["duration"],
                    "prompt": request.prompt,
                }
            ),
        )
        if on_submitted is not None:
            await on_submitted(job)
        return await self.resume_music(job, progress)

    async def resume_music(self, job: RemoteJob, progress: ProgressFn | None = None) -> AudioResult:
        async def fetch() -> RemoteStatus:
            return parse_prediction(
                (await self.http.request("GET", job.poll_url or f"predictions/{job.job_id}")).json()
            )

        polled = await poll_until_done(
            fetch,
            http=self.http,
            deadline_s=self.http.deadline_s,
            progress=progress,
            sleep=self.http.sleep,
        )
        expected = AudioFormat(job.meta.get("format") or "mp3")
        result = await fetch_output(self.http, job, polled, expected)
        predict = polled.status.raw.get("metrics")
        if isinstance(predict, Mapping) and predict.get("predict_time") is not None:
            params = {**result.params, "predict_time_s": predict["predict_time"]}
            return _with_params(result, params)
        return result

    async def cancel_music(self, job: RemoteJob) -> None:
        try:
            await self.http.request("POST", job.cancel_url or f"predictions/{job.job_id}/cancel")
        except InvalidRequestError:
            pass  # already finished or gone: nothing left to stop


def _with_params(result: AudioResult, params: Mapping[str, Any]) -> AudioResult:
    return dataclasses.replace(result, params=frozen_mapping(params))


def specs(
    *, retry: RetryPolicy | None = None, sleep: SleepFn | None = None
) -> tuple[ProviderSpec, ...]:
    return (ProviderSpec(INFO, lambda ctx: ReplicateProvider(ctx, retry=retry, sleep=sleep)),)


SPECS = specs()
