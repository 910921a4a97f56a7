"""ImaRouter's own endpoint: ``POST …/audio/generate`` (music and sound effects, answered at once).

Everything else ImaRouter's page describes is the OpenAI audio shape (openai.py, with the
preset in openai_presets.py) or the seed gateways' async jobs (polling.GatewayJobs, for long
music). Its page names this endpoint's fields (``prompt``, ``model``, ``duration_seconds``) and
says outputs come "as URL or base64 depending on model", so the answer is read by
audio_reply.read_audio_reply like speech: binary, a URL in JSON, or base64 in JSON.
"""

from __future__ import annotations

from typing import Any

from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    AudioFormat,
    AudioResult,
    Capability,
    MusicRequest,
    SfxRequest,
    Usage,
    frozen_mapping,
)
from audio_studio.core.providers.audio_reply import read_audio_reply
from audio_studio.core.providers.http import ProviderHttp
from audio_studio.core.providers.openai_presets import Preset
from audio_studio.core.providers.polling import GatewayJobs

__all__ = ["GENERATE_PATH", "ImaRouterGenerate"]

GENERATE_PATH = "audio/generate"


class ImaRouterGenerate:
    """Music and sound effects in one request to ``audio/generate``, the audio in its answer."""

    def __init__(self, http: ProviderHttp, preset: Preset) -> None:
        self.http = http
        self._preset = preset
        self._info = preset.info

    def takes_music(self, request: MusicRequest) -> bool:
        """Whether ``request`` is short enough to be answered at once (else: an async job)."""
        limit = self._preset.quirks.music_sync_max_s
        return bool(limit and request.duration_s and request.duration_s <= limit)

    def music_body(self, request: MusicRequest) -> dict[str, Any]:
        # The same fields as the async job (polling.GatewayJobs), so one request shape serves
        # both endpoints; the page names prompt, model and duration_seconds.
        body = GatewayJobs.body(request)
        body["model"] = self._preset.model(request.model, Capability.MUSIC)
        return body

    async def music(self, request: MusicRequest) -> AudioResult:
        if not request.prompt.strip():
            raise InputError("Describe the music to generate.", provider=self._info.id)
        body = self.music_body(request)
        return await self._generate(body, request.format, request.duration_s, "music")

    async def sfx(self, request: SfxRequest) -> AudioResult:
        if not request.prompt.strip():
            raise InputError("Describe the sound to generate.", provider=self._info.id)
        body: dict[str, Any] = {
            "prompt": request.prompt,
            "model": self._preset.model(request.model, Capability.SFX),
        }
        if request.duration_s is not None:
            body["duration_seconds"] = request.duration_s
        if request.prompt_influence is not None:
            body["prompt_influence"] = request.prompt_influence
        return await self._generate(body, request.format, request.duration_s, "sound effect")

    async def _generate(
        self, body: dict[str, Any], fmt: AudioFormat, seconds: float | None, what: str
    ) -> AudioResult:
        reply = await self.http.request("POST", GENERATE_PATH, json=body, long=True)
        audio = await read_audio_reply(self.http, reply, fmt, what=what)
        return AudioResult(
            data=audio.data,
            format=audio.format,
            provider=self._info.id,
            model=body.get("model"),
            duration_s=audio.duration_s,
            latency=audio.latency,
            usage=Usage(audio_seconds=audio.duration_s or seconds or 0.0),
            request_id=reply.request_id,
            params=frozen_mapping({k: v for k, v in body.items() if k != "prompt"}),
        )
