"""ElevenLabs sound effects and music: /v1/sound-generation and /v1/music (plain, stream, detailed).

ElevenLabsProvider owns one (``provider.sound``) over its HTTP boundary; music is one long
request, so there is no remote job to resume or cancel.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    AudioChunk,
    AudioResult,
    MusicRequest,
    SfxRequest,
    Usage,
    frozen_mapping,
)
from audio_studio.core.providers.base import ProgressFn, SubmittedFn
from audio_studio.core.providers.elevenlabs_info import (
    INFO,
    decoded_format,
    delivered,
    output_format,
)
from audio_studio.core.providers.elevenlabs_parse import parse_detailed_music
from audio_studio.core.providers.http import ProviderHttp
from audio_studio.core.providers.http_reply import header_number
from audio_studio.core.providers.outputs import checked_result, expect_audio, resolve_format

__all__ = ["ElevenLabsSound"]


class ElevenLabsSound:
    """Sound effects and music over the provider's HTTP boundary."""

    def __init__(self, http: ProviderHttp) -> None:
        self.http = http

    # -- sound effects -----------------------------------------------------------------------

    def sfx_call(self, request: SfxRequest) -> tuple[dict[str, str], dict[str, Any]]:
        if not request.prompt.strip():
            raise InputError("Describe the sound to generate.", provider=INFO.id)
        body: dict[str, Any] = {"text": request.prompt}
        if request.duration_s is not None:
            if not 0.5 <= request.duration_s <= 22:
                raise InputError("ElevenLabs makes effects of 0.5 to 22 seconds.", provider=INFO.id)
            body["duration_seconds"] = request.duration_s
        if request.prompt_influence is not None:
            if not 0 <= request.prompt_influence <= 1:
                raise InputError("Prompt influence is between 0 and 1.", provider=INFO.id)
            body["prompt_influence"] = request.prompt_influence
        if request.loop:
            body["loop"] = True  # newer API field; sent only when asked for
        if request.model:
            body["model_id"] = request.model
        return {"output_format": output_format(request.format, None)}, body

    async def generate_sfx(self, request: SfxRequest) -> AudioResult:
        query, body = self.sfx_call(request)
        reply = await self.http.request(
            "POST", "v1/sound-generation", params=query, json=body, long=True
        )
        expect_audio(reply)
        data, fmt, rate = delivered(
            reply.content, query["output_format"], request.format, reply.content_type
        )
        cost = header_number(reply.headers, "character-cost")
        result = AudioResult(
            data=data,
            format=fmt,
            provider=INFO.id,
            model=request.model,
            sample_rate=rate,
            latency=reply.latency,
            usage=Usage(audio_seconds=request.duration_s or 0.0, credits=cost or 0.0),
            request_id=reply.request_id,
            params=frozen_mapping({k: v for k, v in body.items() if k != "text"} | query),
        )
        return await checked_result(result, name=INFO.name)

    # -- music -------------------------------------------------------------------------------

    def music_call(self, request: MusicRequest) -> tuple[dict[str, str], dict[str, Any]]:
        prompt = request.prompt.strip()
        if request.lyrics:
            prompt = f"{prompt}\n\nLyrics:\n{request.lyrics.strip()}"
        if not prompt:
            raise InputError("Describe the music to generate.", provider=INFO.id)
        if len(prompt) > 2000:
            raise InputError("ElevenLabs takes a music prompt of up to 2,000 characters.")
        body: dict[str, Any] = {"prompt": prompt, "model_id": request.model or "music_v1"}
        if request.duration_s is not None:
            if not 10 <= request.duration_s <= 300:
                raise InputError("ElevenLabs makes songs of 10 to 300 seconds.", provider=INFO.id)
            body["music_length_ms"] = int(request.duration_s * 1000)
        if request.instrumental:
            body["force_instrumental"] = True  # newer API field; sent only when asked for
        return {"output_format": output_format(request.format, None)}, body

    async def generate_music(
        self,
        request: MusicRequest,
        *,
        on_submitted: SubmittedFn | None = None,
        progress: ProgressFn | None = None,
    ) -> AudioResult:
        """One long request to /v1/music/detailed: the song and its plan and metadata."""
        query, body = self.music_call(request)
        if progress:
            progress(None, "Composing…")
        reply = await self.http.request(
            "POST", "v1/music/detailed", params=query, json=body, long=True
        )
        song = parse_detailed_music(reply.content, reply.headers.get("content-type", ""))
        fmt, rate = decoded_format(query["output_format"])
        meta = song.metadata.get("song_metadata")
        params: dict[str, Any] = dict(query)
        if isinstance(meta, Mapping):
            params.update({k: meta[k] for k in ("title", "genres", "description") if k in meta})
        if reply.headers.get("song-id"):
            params["song_id"] = reply.headers["song-id"]
        if song.metadata.get("composition_plan") is not None:
            params["composition_plan"] = song.metadata["composition_plan"]
        result = AudioResult(
            data=song.audio,
            format=resolve_format(song.audio, song.audio_type, fmt),
            provider=INFO.id,
            model=body["model_id"],
            sample_rate=rate,
            latency=reply.latency,
            usage=Usage(audio_seconds=(body.get("music_length_ms") or 0) / 1000),
            request_id=reply.headers.get("song-id") or reply.request_id,
            params=frozen_mapping(params),
        )
        return await checked_result(result, name=INFO.name)

    async def compose(self, request: MusicRequest) -> AudioResult:
        """Plain /v1/music: just the audio (the ``song-id`` header is kept)."""
        query, body = self.music_call(request)
        reply = await self.http.request("POST", "v1/music", params=query, json=body, long=True)
        expect_audio(reply)
        fmt, rate = decoded_format(query["output_format"])
        result = AudioResult(
            data=reply.content,
            format=resolve_format(reply.content, reply.content_type, fmt),
            provider=INFO.id,
            model=body["model_id"],
            sample_rate=rate,
            latency=reply.latency,
            request_id=reply.headers.get("song-id") or reply.request_id,
            params=frozen_mapping(dict(query)),
        )
        return await checked_result(result, name=INFO.name)

    async def stream_music(self, request: MusicRequest) -> AsyncIterator[AudioChunk]:
        query, body = self.music_call(request)
        fmt, rate = decoded_format(query["output_format"])
        async with self.http.stream(
            "POST", "v1/music/stream", params=query, json=body, long=True
        ) as reply:
            async for chunk in reply.aiter_bytes():
                yield AudioChunk(chunk, fmt, rate)
