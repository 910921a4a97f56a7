"""OpenAI and every OpenAI-compatible base URL (gateways, Groq, LocalAI, speaches, Kokoro).

One client class; the differences between servers are data in ``openai_presets``. Speech
(whole, raw chunked stream, or SSE ``speech.audio.delta`` for gpt-4o-mini-tts; a gateway's JSON
answer with an audio URL or base64 is read by ``audio_reply``), transcription and translation
(``openai_stt``; a file URL passed through where the server fetches it), chat completions for
summaries, the model list (Test connection), LocalAI's sound generation, ImaRouter's
``audio/generate`` and the seed gateways' async music jobs (``openai_extras``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from audio_studio.core.errors import (
    InputError,
    InvalidRequestError,
    ProviderProtocolError,
)
from audio_studio.core.models import (
    AudioChunk,
    AudioFormat,
    AudioResult,
    Capability,
    ChatMessage,
    MusicRequest,
    RemoteJob,
    SfxRequest,
    SpeechRequest,
    Transcript,
    TranscriptionRequest,
    Usage,
    Voice,
    frozen_mapping,
)
from audio_studio.core.providers.audio_reply import read_audio_reply
from audio_studio.core.providers.base import (
    ModelInfo,
    ProgressFn,
    ProviderInfo,
    SubmittedFn,
)
from audio_studio.core.providers.http import ProviderHttp, Reply, RetryPolicy, SleepFn
from audio_studio.core.providers.openai_extras import PresetExtras
from audio_studio.core.providers.openai_presets import (
    NEW_VOICES,
    OPENAI_VOICES,
    PRESETS,
    Preset,
)
from audio_studio.core.providers.openai_stt import (
    parse_transcription,
    plan_transcription,
    read_transcript_stream,
)
from audio_studio.core.providers.registry import ProviderContext, ProviderSpec
from audio_studio.core.providers.uploads import upload_part

__all__ = ["SPECS", "OpenAIProvider", "specs"]

_FORMAT_NAMES = {
    AudioFormat.MP3: "mp3",
    AudioFormat.WAV: "wav",
    AudioFormat.FLAC: "flac",
    AudioFormat.OPUS: "opus",
    AudioFormat.OGG: "opus",  # OpenAI's opus is Ogg Opus
    AudioFormat.AAC: "aac",
    AudioFormat.PCM: "pcm",
}
_PCM_RATE = 24_000  # OpenAI's pcm is 24 kHz 16-bit mono


def _mb(n: int | None) -> str | None:
    return f"{n / 1_000_000:.0f} MB" if n else None


class OpenAIProvider:
    """The OpenAI API shape at one preset's base URL (chat, effects and music: PresetExtras)."""

    def __init__(
        self,
        preset: Preset,
        ctx: ProviderContext,
        *,
        retry: RetryPolicy | None = None,
        sleep: SleepFn | None = None,
    ) -> None:
        self._preset = preset
        self._info = preset.info
        self._quirks = preset.quirks
        self._ctx = ctx
        self.http = ProviderHttp.for_context(
            preset.info,
            ctx,
            retry=retry,
            sleep=sleep,
            upload_limit=_mb(preset.info.limits.max_upload_bytes),
        )
        self._extras = PresetExtras(self.http, preset)

    @property
    def info(self) -> ProviderInfo:
        return self._info

    def _model(self, requested: str | None, capability: Capability) -> str:
        return self._preset.model(requested, capability)

    def _need(self, capability: Capability) -> None:
        self._preset.need(capability)

    # -- what only some presets offer (openai_extras.py) -------------------------------------

    async def complete(
        self, messages: Sequence[ChatMessage], *, model: str | None = None
    ) -> tuple[str, Usage]:
        return await self._extras.complete(messages, model=model)

    async def generate_sfx(self, request: SfxRequest) -> AudioResult:
        return await self._extras.generate_sfx(request)

    async def generate_music(
        self,
        request: MusicRequest,
        *,
        on_submitted: SubmittedFn | None = None,
        progress: ProgressFn | None = None,
    ) -> AudioResult:
        return await self._extras.generate_music(
            request, on_submitted=on_submitted, progress=progress
        )

    async def resume_music(self, job: RemoteJob, progress: ProgressFn | None = None) -> AudioResult:
        return await self._extras.resume_music(job, progress)

    async def cancel_music(self, job: RemoteJob) -> None:
        await self._extras.cancel_music(job)

    # -- connection and discovery ------------------------------------------------------------

    async def check(self) -> str:
        count = len(await self._model_ids())
        return f"Connected: {count} model{'s' if count != 1 else ''} available."

    async def _model_ids(self) -> list[str]:
        data = (await self.http.request("GET", "models")).json()
        items = data.get("data") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ProviderProtocolError(
                f"The model list from {self._info.name} could not be read; is the base URL an "
                "OpenAI-compatible API (usually ending in /v1)?",
                provider=self._info.id,
            )
        return [str(m.get("id")) if isinstance(m, dict) else str(m) for m in items]

    async def list_models(self) -> list[ModelInfo]:
        known = {m.id: m for m in self._info.models}
        out = []
        for mid in await self._model_ids():
            if mid in known:
                out.append(known[mid])
                continue
            low = mid.lower()
            cap = None
            if any(k in low for k in ("tts", "speech", "kokoro", "piper")):
                cap = Capability.SPEECH
            elif any(k in low for k in ("whisper", "transcribe", "parakeet")):
                cap = Capability.TRANSCRIPTION
            out.append(ModelInfo(id=mid, name=mid, capability=cap))
        return out

    async def list_voices(self) -> list[Voice]:
        pid = self._info.id
        if self._quirks.voices_path:
            try:
                reply = await self.http.request("GET", self._quirks.voices_path)
            except InvalidRequestError as exc:
                if exc.status != 404:
                    raise
                # A gateway without a voice list most likely takes OpenAI's voice names.
                return self._static_voices() if pid == "gateway" else []
            data = reply.json()
            items = data.get("voices", data.get("data")) if isinstance(data, dict) else data
            if isinstance(items, list):
                voices = []
                for v in items:
                    vid = (
                        v
                        if isinstance(v, str)
                        else v.get("id") or v.get("voice_id") or v.get("name")
                    )
                    if vid:
                        name = vid if isinstance(v, str) else v.get("name") or vid
                        lang = None if isinstance(v, str) else v.get("language")
                        voices.append(Voice(str(vid), str(name), pid, language=lang))
                return voices
        return self._static_voices()

    def _static_voices(self) -> list[Voice]:
        return [
            Voice(
                v,
                v.capitalize(),
                self._info.id,
                description="gpt-4o-mini-tts" if v in NEW_VOICES else "",
            )
            for v in self._quirks.static_voices
        ]

    # -- speech ------------------------------------------------------------------------------

    def speech_body(self, request: SpeechRequest, *, streaming: bool = False) -> dict[str, Any]:
        """The JSON body of POST audio/speech for ``request`` (also used by contract tests)."""
        self._need(Capability.SPEECH)
        info, quirks = self._info, self._quirks
        model = self._model(request.model, Capability.SPEECH)
        voice = request.voice or self._ctx.provider_settings.voice or info.default_voice
        if not voice:
            raise InputError(f"{info.name} needs a voice; choose one.", provider=info.id)
        limit = info.limits.max_chars
        if not request.text.strip():
            raise InputError("There is no text to speak.", provider=info.id)
        if limit and len(request.text) > limit:
            raise InputError(
                f"The text has {len(request.text):,} characters; {info.name} takes at most "
                f"{limit:,} per request. Use Narration, which splits long scripts.",
                provider=info.id,
            )
        if info.id == "openai" and voice in NEW_VOICES and model.startswith("tts-1"):
            raise InputError(
                f"The voice {voice!r} needs gpt-4o-mini-tts; {model} offers "
                f"{', '.join(v for v in OPENAI_VOICES if v not in NEW_VOICES)}.",
                provider=info.id,
            )
        if not 0.25 <= request.speed <= 4.0:
            raise InputError("Speed must be between 0.25 and 4.", provider=info.id)
        body: dict[str, Any] = {
            "model": model,
            "input": request.text,
            "voice": {"id": voice} if voice.startswith("voice_") else voice,
            "response_format": self._format_name(request.format),
        }
        if request.speed != 1.0:
            body["speed"] = request.speed
        if (
            request.instructions
            and quirks.instructions_models
            and model.startswith(quirks.instructions_models)
        ):
            body["instructions"] = request.instructions
        if streaming and quirks.sse_speech and model.startswith(quirks.sse_speech_models):
            body["stream_format"] = "sse"
        if request.sample_rate and info.id in ("speaches", "localai"):
            body["sample_rate"] = request.sample_rate
        body.update(quirks.stream_extra if streaming else quirks.speech_extra)
        return body

    def _format_name(self, fmt: AudioFormat) -> str:
        if fmt in self._info.output_formats or (
            fmt is AudioFormat.OGG and AudioFormat.OPUS in self._info.output_formats
        ):
            return _FORMAT_NAMES.get(fmt, "wav")
        return "wav" if AudioFormat.WAV in self._info.output_formats else "mp3"

    def _speech_format(self, body: dict[str, Any]) -> tuple[AudioFormat, int | None]:
        name = body["response_format"]
        fmt = next(f for f, n in _FORMAT_NAMES.items() if n == name)
        return fmt, (body.get("sample_rate") or _PCM_RATE) if fmt is AudioFormat.PCM else None

    async def synthesize(self, request: SpeechRequest) -> AudioResult:
        body = self.speech_body(request)
        fmt, rate = self._speech_format(body)
        reply = await self.http.request("POST", "audio/speech", json=body)
        audio = await read_audio_reply(self.http, reply, fmt, what="speech")
        raw = audio.format is AudioFormat.PCM
        return AudioResult(
            data=audio.data,
            format=audio.format,
            provider=self._info.id,
            model=body["model"],
            sample_rate=rate if raw else None,
            channels=1 if raw else None,
            duration_s=audio.duration_s,
            latency=audio.latency,
            usage=Usage(characters=len(request.text)),
            request_id=reply.request_id,
            params=frozen_mapping({k: v for k, v in body.items() if k not in ("input", "model")}),
        )

    async def stream(self, request: SpeechRequest) -> AsyncIterator[AudioChunk]:
        """Speech as it is made: raw chunked audio, or base64 deltas over SSE.

        A gateway that answers with JSON (an audio URL or base64) gives one whole chunk.
        """
        body = self.speech_body(request, streaming=True)
        fmt, rate = self._speech_format(body)
        async with self.http.stream("POST", "audio/speech", json=body) as reply:
            ctype = reply.content_type
            if ctype == "text/event-stream":
                done = False  # read to the end after "done" (see StreamReply.aiter_sse_json)
                async for event in reply.aiter_sse_json():
                    done = done or event.get("type") == "speech.audio.done"
                    if not done and event.get("type") == "speech.audio.delta":
                        yield AudioChunk(self._b64(event.get("audio")), fmt, rate)
                return
            if ctype == "application/json" or ctype.endswith("+json"):
                content = b"".join([c async for c in reply.aiter_bytes()])
                whole = Reply(
                    reply.status, reply.headers, content, "", reply.latency, self.http.name,
                    self._info.id,
                )  # fmt: skip
                audio = await read_audio_reply(self.http, whole, fmt, what="speech")
                raw = audio.format is AudioFormat.PCM
                yield AudioChunk(audio.data, audio.format, rate if raw else None)
                return
            if ctype == "text/html":
                raise ProviderProtocolError(
                    f"{self._info.name} answered with {ctype} instead of audio.",
                    provider=self._info.id,
                )
            async for chunk in reply.aiter_bytes():
                yield AudioChunk(chunk, fmt, rate)

    def _b64(self, value: Any) -> bytes:
        try:
            return base64.b64decode(str(value or ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProviderProtocolError(
                f"{self._info.name} streamed audio that is not valid base64. Try again.",
                provider=self._info.id,
            ) from exc

    # -- transcription -----------------------------------------------------------------------

    async def transcribe(
        self, request: TranscriptionRequest, progress: ProgressFn | None = None
    ) -> Transcript:
        self._need(Capability.TRANSCRIPTION)
        info = self._info
        model = self._model(request.model, Capability.TRANSCRIPTION)
        plan = plan_transcription(request, self._quirks, model, info.name)
        data: dict[str, str | list[str]] = {}
        for key, value in plan.fields:
            if key in data:
                old = data[key]
                data[key] = [*(old if isinstance(old, list) else [old]), value]
            else:
                data[key] = [value] if key.endswith("[]") else value
        if request.source_url and info.stt_takes_urls:
            # The server fetches the audio itself: the form's ``file`` is its address.
            part = None
            files: Any = {"file": (None, request.source_url.encode())}
        else:
            part = await upload_part(request.audio, info.limits.max_upload_bytes, info.name)
            files = {"file": part.as_httpx()}
        # Long reads: a 25 MB file can take minutes to transcribe before the first byte.
        args: dict[str, Any] = {"data": data, "files": files, "long": True, "progress": progress}
        try:
            if plan.stream:
                async with self.http.stream("POST", plan.path, **args) as reply:
                    if reply.content_type == "text/event-stream":
                        streamed = await read_transcript_stream(
                            reply,
                            provider=info.id,
                            model=plan.model,
                            progress=progress,
                            notices=plan.notices,
                        )
                        return replace(streamed, latency=reply.latency)
                    content = b"".join([c async for c in reply.aiter_bytes()])
                    ctype, latency = reply.content_type, reply.latency
            else:
                whole = await self.http.request("POST", plan.path, **args)
                content, ctype, latency = whole.content, whole.content_type, whole.latency
        finally:
            if part is not None:
                await part.aclose()
        transcript = parse_transcription(
            content,
            ctype,
            plan.response_format,
            name=info.name,
            provider=info.id,
            model=plan.model,
            quirks=self._quirks,
            notices=plan.notices,
        )
        return replace(transcript, latency=latency)


def specs(
    *, retry: RetryPolicy | None = None, sleep: SleepFn | None = None
) -> tuple[ProviderSpec, ...]:
    """The presets as registry specs; tests pass a short retry policy and a recording sleep."""

    def factory(preset: Preset) -> Any:
        return lambda ctx: OpenAIProvider(preset, ctx, retry=retry, sleep=sleep)

    return tuple(ProviderSpec(p.info, factory(p)) for p in PRESETS)


SPECS = specs()
