"""PresetExtras: chat, sound effects (LocalAI's endpoint, ImaRouter's) and a gateway's music.

The calls that only some OpenAI-compatible presets offer; OpenAIProvider owns one and hands
these capabilities to it. Music goes to ImaRouter's ``audio/generate`` when the preset has it
and the request is short; otherwise to the async jobs (submit, poll, fetch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from audio_studio.core.errors import ConfigurationError, InputError, ProviderProtocolError
from audio_studio.core.models import (
    AudioFormat,
    AudioResult,
    Capability,
    ChatMessage,
    MusicRequest,
    RemoteJob,
    SfxRequest,
    Usage,
    frozen_mapping,
)
from audio_studio.core.providers.base import ProgressFn, SubmittedFn
from audio_studio.core.providers.http import ProviderHttp
from audio_studio.core.providers.imarouter import ImaRouterGenerate
from audio_studio.core.providers.openai_presets import Preset
from audio_studio.core.providers.outputs import checked_result, expect_audio, resolve_format
from audio_studio.core.providers.polling import GatewayJobs

__all__ = ["PresetExtras"]


class PresetExtras:
    """Chat, sound effects and music over one preset's HTTP client."""

    def __init__(self, http: ProviderHttp, preset: Preset) -> None:
        self.http = http
        self._preset = preset
        self._info = preset.info
        self._quirks = preset.quirks
        self._jobs = GatewayJobs(http) if preset.quirks.music_jobs else None
        self._generate = ImaRouterGenerate(http, preset) if preset.quirks.audio_generate else None

    def _model(self, requested: str | None, capability: Capability) -> str:
        return self._preset.model(requested, capability)

    def _need(self, capability: Capability) -> None:
        self._preset.need(capability)

    # -- chat --------------------------------------------------------------------------------

    async def complete(
        self, messages: Sequence[ChatMessage], *, model: str | None = None
    ) -> tuple[str, Usage]:
        self._need(Capability.CHAT)
        body = {
            "model": self._model(model, Capability.CHAT),
            "messages": [{"role": m.role, "content": m.content} for m in messages],
        }
        data = (await self.http.request("POST", "chat/completions", json=body)).json()
        try:
            text = data["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise ProviderProtocolError(
                f"{self._info.name} sent a chat reply of an unexpected shape.",
                provider=self._info.id,
            ) from exc
        chars = sum(len(m.content) for m in messages)
        return str(text), Usage(characters=chars)

    # -- sound effects (LocalAI's ElevenLabs-style endpoint) ---------------------------------

    async def generate_sfx(self, request: SfxRequest) -> AudioResult:
        self._need(Capability.SFX)
        if self._generate is not None:
            return await self._generate.sfx(request)
        if not self._quirks.sfx_path:
            raise ConfigurationError(f"{self._info.name} has no sound effects endpoint.")
        if not request.prompt.strip():
            raise InputError("Describe the sound to generate.", provider=self._info.id)
        body: dict[str, Any] = {
            "model_id": self._model(request.model, Capability.SFX),
            "text": request.prompt,
        }
        if request.duration_s is not None:
            body["duration_seconds"] = request.duration_s
        if request.prompt_influence is not None:
            body["prompt_influence"] = request.prompt_influence
        reply = await self.http.request("POST", self._quirks.sfx_path, json=body, long=True)
        data = expect_audio(reply)
        result = AudioResult(
            data=data,
            format=resolve_format(data, reply.content_type, AudioFormat.WAV),
            provider=self._info.id,
            model=body["model_id"],
            latency=reply.latency,
            usage=Usage(audio_seconds=request.duration_s or 0.0),
            request_id=reply.request_id,
            params=frozen_mapping({k: v for k, v in body.items() if k != "text"}),
        )
        return await checked_result(result, name=self._info.name)

    # -- music (ImaRouter's audio/generate, or the gateway's async jobs) ---------------------

    def _music_jobs(self) -> GatewayJobs:
        self._need(Capability.MUSIC)
        assert self._jobs is not None  # every preset with MUSIC has music_jobs
        return self._jobs

    async def generate_music(
        self,
        request: MusicRequest,
        *,
        on_submitted: SubmittedFn | None = None,
        progress: ProgressFn | None = None,
    ) -> AudioResult:
        jobs = self._music_jobs()
        # The page names ``model`` as a field: send the preset's default when none was chosen.
        request = replace(
            request, model=request.model or self._info.default_models.get(Capability.MUSIC)
        )
        if self._generate is not None and self._generate.takes_music(request):
            return await self._generate.music(request)  # answered at once: no job to keep
        job = await jobs.submit(request)
        if on_submitted is not None:
            await on_submitted(job)
        return await jobs.wait(job, progress)

    async def resume_music(self, job: RemoteJob, progress: ProgressFn | None = None) -> AudioResult:
        return await self._music_jobs().wait(job, progress)

    async def cancel_music(self, job: RemoteJob) -> None:
        await self._music_jobs().cancel(job)
