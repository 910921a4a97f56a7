"""ElevenLabs: TTS (+stream, +timestamps), voices, models, sound effects, music, Scribe, cloning.

Auth is the ``xi-api-key`` header. Its quota error is a 401 ``quota_exceeded`` (mapped in
http_errors). Options go in the query string (``output_format``); bodies are JSON, except
Scribe and voice cloning, which are multipart. Music is one long request (no job to resume).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from audio_studio.core.errors import AuthenticationError, InputError, ProviderProtocolError
from audio_studio.core.models import (
    AudioChunk,
    AudioResult,
    Capability,
    MusicRequest,
    RemoteJob,
    SfxRequest,
    SpeechRequest,
    Transcript,
    TranscriptionRequest,
    Usage,
    Voice,
    VoiceCloneRequest,
    frozen_mapping,
)
from audio_studio.core.providers.base import ModelInfo, ProgressFn, ProviderInfo, SubmittedFn
from audio_studio.core.providers.elevenlabs_info import (
    INFO,
    MODEL_LIMITS,
    decoded_format,
    delivered,
    output_format,
)
from audio_studio.core.providers.elevenlabs_parse import (
    CharacterAlignment,
    StreamedWords,
    parse_alignment,
    parse_scribe,
)
from audio_studio.core.providers.elevenlabs_sound import ElevenLabsSound
from audio_studio.core.providers.http import ProviderHttp, Reply, RetryPolicy, SleepFn, header_auth
from audio_studio.core.providers.http_reply import header_number
from audio_studio.core.providers.outputs import (
    checked_result,
    decode_base64_audio,
    expect_audio,
)
from audio_studio.core.providers.registry import ProviderContext, ProviderSpec
from audio_studio.core.providers.uploads import upload_part

__all__ = ["SPECS", "ElevenLabsProvider", "Quota", "TimedChunk", "TimedSpeech", "specs"]

_VOICE_KNOBS = ("stability", "similarity_boost", "style", "use_speaker_boost")
_STITCHING = ("previous_text", "next_text", "previous_request_ids", "next_request_ids")
_LANGUAGE_MODELS = ("eleven_turbo_v2_5", "eleven_flash_v2_5")
_MAX_VOICE_PAGES = 10


@dataclass(frozen=True)
class Quota:
    """The subscription's credits (ElevenLabs calls them characters)."""

    tier: str
    used: int
    limit: int
    resets_at: float | None  # epoch seconds

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class TimedSpeech:
    audio: AudioResult
    alignment: CharacterAlignment | None
    normalized: CharacterAlignment | None


@dataclass(frozen=True)
class TimedChunk:
    """One piece of /stream/with-timestamps: audio and the characters it speaks."""

    audio: AudioChunk
    alignment: CharacterAlignment | None


class ElevenLabsProvider:
    """The ElevenLabs API; sound effects and music are its ``sound`` (ElevenLabsSound)."""

    def __init__(
        self,
        ctx: ProviderContext,
        *,
        retry: RetryPolicy | None = None,
        sleep: SleepFn | None = None,
    ) -> None:
        self._ctx = ctx
        self._model_limits: dict[str, int] = dict(MODEL_LIMITS)
        self.http = ProviderHttp.for_context(
            INFO, ctx, auth=header_auth("xi-api-key"), retry=retry, sleep=sleep, upload_limit="3 GB"
        )
        self.sound = ElevenLabsSound(self.http)

    @property
    def info(self) -> ProviderInfo:
        return INFO

    # -- sound effects and music (elevenlabs_sound.py) --------------------------------------

    async def generate_sfx(self, request: SfxRequest) -> AudioResult:
        return await self.sound.generate_sfx(request)

    async def generate_music(
        self,
        request: MusicRequest,
        *,
        on_submitted: SubmittedFn | None = None,
        progress: ProgressFn | None = None,
    ) -> AudioResult:
        return await self.sound.generate_music(
            request, on_submitted=on_submitted, progress=progress
        )

    async def resume_music(self, job: RemoteJob, progress: ProgressFn | None = None) -> AudioResult:
        raise InputError(
            "ElevenLabs makes music in one request; there is no job to resume. Generate it again.",
            provider=INFO.id,
        )

    async def cancel_music(self, job: RemoteJob) -> None:
        return None  # nothing runs remotely once the request is gone

    # -- account, models, voices -------------------------------------------------------------

    async def quota(self) -> Quota:
        data = (await self.http.request("GET", "v1/user/subscription")).json()
        try:
            reset = data.get("next_character_count_reset_unix")
            return Quota(
                tier=str(data.get("tier") or "unknown"),
                used=int(data["character_count"]),
                limit=int(data["character_limit"]),
                resets_at=float(reset) if reset is not None else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ProviderProtocolError(
                "ElevenLabs sent subscription details of an unexpected shape.", provider=INFO.id
            ) from exc

    async def check(self) -> str:
        try:
            q = await self.quota()
        except AuthenticationError as exc:
            if exc.code != "missing_permissions":
                raise
            # A key restricted to some endpoints may not read the subscription; try the models.
            await self.http.request("GET", "v1/models")
            return "Connected (this key may not read the account's credits)."
        return f"Connected: {q.tier} plan, {q.remaining:,} of {q.limit:,} credits left."

    async def list_models(self) -> list[ModelInfo]:
        data = (await self.http.request("GET", "v1/models")).json()
        if not isinstance(data, list):
            raise ProviderProtocolError(
                "ElevenLabs sent a model list of an unexpected shape.", provider=INFO.id
            )
        out = []
        for m in data:
            if not isinstance(m, Mapping) or not m.get("model_id"):
                continue
            limit = m.get("maximum_text_length_per_request") or m.get(
                "max_characters_request_subscribed_user"
            )
            if isinstance(limit, int) and limit > 0:
                self._model_limits[str(m["model_id"])] = limit
            out.append(
                ModelInfo(
                    id=str(m["model_id"]),
                    name=str(m.get("name") or m["model_id"]),
                    capability=Capability.SPEECH if m.get("can_do_text_to_speech") else None,
                    max_chars=limit if isinstance(limit, int) else None,
                    description=str(m.get("description") or "")[:200],
                )
            )
        return out

    async def list_voices(self, search: str | None = None) -> list[Voice]:
        """Every voice of the account (v2 pages of 100), or those matching ``search``."""
        voices: list[Voice] = []
        params: dict[str, Any] = {"page_size": 100, "include_total_count": "false"}
        if search:
            params["search"] = search
        for _page in range(_MAX_VOICE_PAGES):
            data = (await self.http.request("GET", "v2/voices", params=params)).json()
            if not isinstance(data, Mapping) or not isinstance(data.get("voices"), list):
                raise ProviderProtocolError(
                    "ElevenLabs sent a voice list of an unexpected shape.", provider=INFO.id
                )
            voices.extend(_voice(v) for v in data["voices"] if isinstance(v, Mapping))
            token = data.get("next_page_token")
            if not data.get("has_more") or not token:
                break
            params["next_page_token"] = token
        return voices

    async def search_voices(self, query: str) -> list[Voice]:
        return await self.list_voices(search=query)

    # -- speech ------------------------------------------------------------------------------

    def speech_call(self, request: SpeechRequest) -> tuple[str, dict[str, str], dict[str, Any]]:
        """Voice id, query and JSON body for ``request`` (also used by contract tests)."""
        model = request.model or INFO.default_models[Capability.SPEECH]
        voice = request.voice or self._ctx.provider_settings.voice or INFO.default_voice or ""
        limit = self._model_limits.get(model)
        if not request.text.strip():
            raise InputError("There is no text to speak.", provider=INFO.id)
        if limit and len(request.text) > limit:
            raise InputError(
                f"The text has {len(request.text):,} characters; {model} takes at most "
                f"{limit:,} per request. Use Narration, which splits long scripts.",
                provider=INFO.id,
            )
        body: dict[str, Any] = {"text": request.text, "model_id": model}
        settings = request.settings
        knobs = {k: settings[k] for k in _VOICE_KNOBS if k in settings}
        if request.speed != 1.0:
            if not 0.7 <= request.speed <= 1.2:
                raise InputError("ElevenLabs speaks at 0.7× to 1.2× speed.", provider=INFO.id)
            knobs["speed"] = request.speed
        if knobs:
            body["voice_settings"] = knobs
        if request.language and model in _LANGUAGE_MODELS:
            body["language_code"] = request.language
        if settings.get("seed") is not None:
            body["seed"] = int(settings["seed"])
        body.update({k: settings[k] for k in _STITCHING if settings.get(k)})
        if settings.get("apply_text_normalization") in ("auto", "on", "off"):
            body["apply_text_normalization"] = settings["apply_text_normalization"]
        query = {"output_format": output_format(request.format, request.sample_rate)}
        return voice, query, body

    def _result(
        self, data: bytes, reply: Reply, request: SpeechRequest, query: dict[str, str], model: str
    ) -> AudioResult:
        data, fmt, rate = delivered(
            data, query["output_format"], request.format, reply.content_type
        )
        cost = header_number(reply.headers, "character-cost")
        return AudioResult(
            data=data,
            format=fmt,
            provider=INFO.id,
            model=model,
            sample_rate=rate,
            channels=1,
            latency=reply.latency,
            usage=Usage(
                characters=len(request.text),
                credits=cost if cost is not None else float(len(request.text)),
            ),
            request_id=reply.request_id,
            params=frozen_mapping({"voice": request.voice, **query}),
        )

    async def synthesize(self, request: SpeechRequest) -> AudioResult:
        if request.word_times:
            # The same speech from /with-timestamps, its character times grouped into words.
            # The alignment of the text as sent comes first: callers map words back to it.
            timed = await self.synthesize_with_timestamps(request)
            alignment = timed.alignment or timed.normalized
            return replace(timed.audio, words=alignment.words() if alignment else ())
        voice, query, body = self.speech_call(request)
        reply = await self.http.request(
            "POST", f"v1/text-to-speech/{voice}", params=query, json=body
        )
        expect_audio(reply)
        result = self._result(reply.content, reply, request, query, body["model_id"])
        return await checked_result(result, name=INFO.name)

    async def synthesize_with_timestamps(self, request: SpeechRequest) -> TimedSpeech:
        """Speech plus when each character is spoken (for captions and word highlighting)."""
        voice, query, body = self.speech_call(request)
        reply = await self.http.request(
            "POST", f"v1/text-to-speech/{voice}/with-timestamps", params=query, json=body
        )
        data = reply.json()
        if not isinstance(data, Mapping) or not isinstance(data.get("audio_base64"), str):
            raise ProviderProtocolError(
                "ElevenLabs sent timed speech without audio.", provider=INFO.id
            )
        audio = decode_base64_audio(data["audio_base64"], name=INFO.name)
        result = self._result(audio, reply, request, query, body["model_id"])
        return TimedSpeech(
            await checked_result(result, name=INFO.name),
            parse_alignment(data.get("alignment")),
            parse_alignment(data.get("normalized_alignment")),
        )

    async def stream_with_timestamps(self, request: SpeechRequest) -> AsyncIterator[TimedChunk]:
        """Speech as it is made, each piece with its character timing (newline-delimited JSON)."""
        voice, query, body = self.speech_call(request)
        fmt, rate = decoded_format(query["output_format"])
        path = f"v1/text-to-speech/{voice}/stream/with-timestamps"
        async with self.http.stream("POST", path, params=query, json=body) as reply:
            async for item in reply.aiter_ndjson():
                audio = item.get("audio_base64")
                if isinstance(audio, str) and audio:
                    data = decode_base64_audio(audio, name=INFO.name)
                    yield TimedChunk(
                        AudioChunk(data, fmt, rate), parse_alignment(item.get("alignment"))
                    )

    async def stream(self, request: SpeechRequest) -> AsyncIterator[AudioChunk]:
        voice, query, body = self.speech_call(request)
        fmt, rate = decoded_format(query["output_format"])
        if request.word_times:
            # The timed stream: each piece with the words it finishes saying.
            words = StreamedWords()
            async for piece in self.stream_with_timestamps(request):
                yield replace(piece.audio, words=words.add(piece.alignment))
            last = words.finish()
            if last:
                yield AudioChunk(b"", fmt, rate, words=last)
            return
        async with self.http.stream(
            "POST", f"v1/text-to-speech/{voice}/stream", params=query, json=body
        ) as reply:
            if reply.content_type in ("application/json", "text/html"):
                raise ProviderProtocolError(
                    "ElevenLabs answered with text instead of audio.", provider=INFO.id
                )
            async for chunk in reply.aiter_bytes():
                yield AudioChunk(chunk, fmt, rate)

    # -- speech to text ----------------------------------------------------------------------

    def stt_fields(self, request: TranscriptionRequest) -> dict[str, str]:
        fields = {
            "model_id": request.model or INFO.default_models[Capability.TRANSCRIPTION],
            "timestamps_granularity": "word" if request.word_timestamps else "none",
            "diarize": "true" if request.diarize else "false",
            "tag_audio_events": "false"
            if request.settings.get("tag_audio_events") is False
            else "true",
        }
        if request.language:
            fields["language_code"] = request.language
        if request.num_speakers:
            if not 1 <= request.num_speakers <= 32:
                raise InputError("Scribe tells apart 1 to 32 speakers.", provider=INFO.id)
            fields["num_speakers"] = str(request.num_speakers)
        return fields

    async def transcribe(
        self, request: TranscriptionRequest, progress: ProgressFn | None = None
    ) -> Transcript:
        if request.translate:
            raise InputError("ElevenLabs transcribes but does not translate.", provider=INFO.id)
        fields = self.stt_fields(request)
        part = await upload_part(request.audio, INFO.limits.max_upload_bytes, INFO.name)
        try:
            reply = await self.http.request(
                "POST",
                "v1/speech-to-text",
                data=fields,
                files={"file": part.as_httpx()},
                long=True,
                progress=progress,
            )
        finally:
            await part.aclose()
        transcript = parse_scribe(reply.json(), provider=INFO.id, model=fields["model_id"])
        return replace(transcript, latency=reply.latency)

    # -- voice cloning -----------------------------------------------------------------------

    async def clone_voice(self, request: VoiceCloneRequest) -> Voice:
        """Instant voice cloning; refused unless the request carries the user's consent."""
        if len(request.consent.strip()) < 10:
            raise InputError(
                "Cloning a voice needs your consent statement: confirm that this is your voice "
                "or that its owner agreed to it being cloned.",
                provider=INFO.id,
            )
        if not request.name.strip() or not request.samples:
            raise InputError("Give the voice a name and at least one sample.", provider=INFO.id)
        parts = [await upload_part(p, 10 * 1024 * 1024, INFO.name) for p in request.samples]
        data: dict[str, str] = {
            "name": request.name.strip(),
            "remove_background_noise": "true" if request.remove_background_noise else "false",
            "labels": json.dumps({"consent": "given by the user in Audio Studio"}),
        }
        if request.description:
            data["description"] = request.description
        try:
            reply = await self.http.request(
                "POST",
                "v1/voices/add",
                data=data,
                files=[("files", p.as_httpx()) for p in parts],
            )
        finally:
            for p in parts:
                await p.aclose()
        body = reply.json()
        if not isinstance(body, Mapping) or not body.get("voice_id"):
            raise ProviderProtocolError(
                "ElevenLabs cloned the voice but sent no id.", provider=INFO.id
            )
        note = (
            " It must be verified on elevenlabs.io before use."
            if body.get("requires_verification")
            else ""
        )
        return Voice(
            str(body["voice_id"]),
            request.name.strip(),
            INFO.id,
            description=f"Cloned.{note}",
            cloned=True,
        )


def _voice(v: Mapping[str, Any]) -> Voice:
    labels = v.get("labels") if isinstance(v.get("labels"), Mapping) else {}
    return Voice(
        id=str(v.get("voice_id")),
        name=str(v.get("name") or v.get("voice_id")),
        provider=INFO.id,
        language=labels.get("language") if labels else None,
        description=str(v.get("description") or v.get("category") or ""),
        cloned=v.get("category") in ("cloned", "professional"),
        preview_url=v.get("preview_url") if isinstance(v.get("preview_url"), str) else None,
        labels=frozen_mapping({str(k): str(x) for k, x in (labels or {}).items()}),
    )


def specs(
    *, retry: RetryPolicy | None = None, sleep: SleepFn | None = None
) -> tuple[ProviderSpec, ...]:
    return (ProviderSpec(INFO, lambda ctx: ElevenLabsProvider(ctx, retry=retry, sleep=sleep)),)


SPECS = specs()
