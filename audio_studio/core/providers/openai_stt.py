"""OpenAI-shaped speech to text: the multipart form for each model, and every reply format parsed.

Formats: json, text, srt, vtt, verbose_json (word and segment timestamps), diarized_json
(speakers), and the SSE stream (transcript.text.delta / segment / done) into one Transcript.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from audio_studio.core.errors import InputError, ProviderProtocolError
from audio_studio.core.models import Segment, Transcript, TranscriptionRequest, Word
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.providers.http_reply import StreamReply
from audio_studio.core.providers.openai_presets import Quirks

__all__ = [
    "SttPlan",
    "parse_cues",
    "parse_transcription",
    "plan_transcription",
    "read_transcript_stream",
]

NO_SPEECH = "No speech was found in this audio."
_CUE_TIME = re.compile(
    r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
)


@dataclass(frozen=True)
class SttPlan:
    """One transcription call: where to send it and the form fields (without the file)."""

    path: str
    model: str
    response_format: str
    fields: tuple[tuple[str, str], ...]
    stream: bool
    notices: tuple[str, ...]


def plan_transcription(
    request: TranscriptionRequest, quirks: Quirks, model: str, name: str
) -> SttPlan:
    """Choose endpoint, model, format and fields for ``request`` on this server.

    Raises:
        InputError: a reply format this server does not offer, or translation it cannot do.
    """
    notices: list[str] = []
    settings = request.settings
    path = "audio/translations" if request.translate else "audio/transcriptions"
    if request.translate and not quirks.translation:
        raise InputError(f"{name} cannot translate audio; transcribe it instead.")
    diarize_model = quirks.diarize_model
    if request.diarize and not request.translate:
        if diarize_model and request.model in (None, diarize_model):
            model = diarize_model
        else:
            notices.append(f"{name} ({model}) does not label speakers; the transcript has none.")
    diarizing = model == diarize_model and not request.translate
    fmt = str(settings.get("response_format") or "")
    if fmt:
        if fmt not in quirks.stt_formats:
            allowed = ", ".join(quirks.stt_formats)
            raise InputError(f"{name} cannot answer in {fmt!r}; choose one of {allowed}.")
    elif diarizing:
        fmt = "diarized_json"
    elif model.startswith(quirks.json_only_models) if quirks.json_only_models else False:
        fmt = "json"
        if request.word_timestamps:
            notices.append(f"{model} gives text without timestamps; use whisper-1 for timing.")
    else:
        fmt = "verbose_json" if "verbose_json" in quirks.stt_formats else "json"
    fields: list[tuple[str, str]] = [("model", model), ("response_format", fmt)]
    if request.language and not request.translate:
        fields.append(("language", request.language))
    if request.prompt and not diarizing:
        fields.append(("prompt", request.prompt))
    if settings.get("temperature") is not None:
        fields.append(("temperature", str(float(settings["temperature"]))))
    if fmt == "verbose_json" and quirks.word_timestamps and not request.translate:
        grains = ["word", "segment"] if request.word_timestamps else ["segment"]
        fields.extend(("timestamp_granularities[]", g) for g in grains)
    if diarizing:
        # Required by the diarize model for audio over 30 s; harmless for shorter clips.
        fields.append(("chunking_strategy", "auto"))
    stream = bool(settings.get("stream")) and not request.translate and model != "whisper-1"
    if stream:
        fields.append(("stream", "true"))
    return SttPlan(path, model, fmt, tuple(fields), stream, tuple(notices))


def _confidence(logprob: Any) -> float | None:
    if isinstance(logprob, int | float) and logprob <= 0:
        return round(math.exp(logprob), 4)
    return None


def _time_scale(items: Sequence[dict[str, Any]], duration: float | None, nanos: bool) -> float:
    """1.0, or 1e-9 when an old whisper.cpp backend gave nanoseconds (LocalAI)."""
    if not nanos or not items:
        return 1.0
    latest = max(_seconds(i.get("end")) for i in items)
    limit = (duration or 0.0) * 1000 if duration else 1e6
    return 1e-9 if latest > max(limit, 1e6) else 1.0


def _words(raw: Any, scale: float) -> list[Word]:
    if not isinstance(raw, list):
        return []
    words = []
    for w in raw:
        if not isinstance(w, dict):
            continue
        text = str(w.get("word") or w.get("text") or "").strip()
        if text:
            start = _seconds(w.get("start")) * scale
            words.append(Word(text, start, _seconds(w.get("end"), start / scale) * scale))
    return words


def _attach(segments: list[Segment], words: list[Word]) -> list[Segment]:
    """Give each segment the words that start inside it (both lists are in time order)."""
    if not words:
        return segments
    if not segments:
        return [
            Segment(
                " ".join(w.text for w in words), words[0].start, words[-1].end, None, tuple(words)
            )
        ]
    out, i = [], 0
    for n, seg in enumerate(segments):
        last = n == len(segments) - 1
        mine: list[Word] = []
        while i < len(words) and (last or words[i].start < seg.end - 1e-3):
            mine.append(words[i])
            i += 1
        out.append(Segment(seg.text, seg.start, seg.end, seg.speaker, tuple(mine), seg.confidence))
    return out


_PAGE_STARTS = ("<!doctype", "<html", "<?xml", "<head", "<body")


def parse_transcription(
    content: bytes,
    content_type: str,
    fmt: str,
    *,
    name: str,
    provider: str,
    model: str,
    quirks: Quirks,
    notices: Sequence[str] = (),
) -> Transcript:
    """Any OpenAI-shaped transcription reply as a Transcript."""
    text = content.decode("utf-8", "replace")
    notes = list(notices)
    looks_json = text.lstrip()[:1] == "{"
    head = text.lstrip()[:15].lower()
    if content_type in ("text/html", "application/xhtml+xml") or head.startswith(_PAGE_STARTS):
        # With response_format=text a proxy's error page would otherwise become the transcript.
        raise ProviderProtocolError(
            f"{name} answered the transcription with a web page instead of a transcript; "
            "nothing was saved. Try again later, or check the server address.",
            provider=provider,
        )
    if fmt in ("srt", "vtt") and not looks_json:
        segments = parse_cues(text)
        if not segments and text.strip():
            raise ProviderProtocolError(
                f"{name} sent a reply that holds no {fmt.upper()} captions; nothing was saved. "
                "Try again, or choose another reply format.",
                provider=provider,
            )
        return _done(segments, None, None, provider, model, notes)
    if fmt == "text" and not looks_json:
        notes.append("This reply format has no timestamps.")
        segs = [Segment(text.strip(), 0.0, 0.0)] if text.strip() else []
        return _done(segs, None, None, provider, model, notes)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProviderProtocolError(
            f"{name} sent a transcript that is not valid JSON. Try again, or choose another "
            "reply format.",
            provider=provider,
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("text", ""), str):
        raise ProviderProtocolError(
            f"{name} sent a transcript of an unexpected shape.", provider=provider
        )
    duration = _float(data.get("duration")) or _usage_seconds(data.get("usage"))
    found = data.get("segments")
    raw_segments: list[Any] = (
        [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []
    )
    scale = _time_scale(raw_segments, duration, quirks.nanosecond_times)
    segments = [
        Segment(
            str(s.get("text") or "").strip(),
            _seconds(s.get("start")) * scale,
            _seconds(s.get("end")) * scale,
            str(s["speaker"]) if s.get("speaker") not in (None, "") else None,
            confidence=_confidence(s.get("avg_logprob")),
        )
        for s in raw_segments
    ]
    segments = _attach(segments, _words(data.get("words"), scale))
    if not segments and data.get("text", "").strip():
        segments = [Segment(data["text"].strip(), 0.0, duration or 0.0)]
    language = data.get("language") if isinstance(data.get("language"), str) else None
    return _done(segments, language, duration, provider, model, notes)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _seconds(value: Any, default: float = 0.0) -> float:
    """A time field of a reply as seconds; anything that is not a finite number is ``default``
    (an optional field must never crash the studio)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _usage_seconds(usage: Any) -> float | None:
    if isinstance(usage, dict) and usage.get("type") == "duration":
        return _float(usage.get("seconds"))
    return None


def _done(
    segments: list[Segment],
    language: str | None,
    duration: float | None,
    provider: str,
    model: str,
    notes: list[str],
) -> Transcript:
    segments = [s for s in segments if s.text]
    if not segments:
        notes.append(NO_SPEECH)
    return Transcript(tuple(segments), language, None, duration, provider, model, tuple(notes))


def _cue_seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def parse_cues(text: str) -> list[Segment]:
    """SRT or WebVTT cues as segments (speaker from a WebVTT ``<v Name>`` tag)."""
    segments = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [ln for ln in block.strip().split("\n") if ln.strip()]
        for n, line in enumerate(lines):
            match = _CUE_TIME.search(line)
            if not match:
                continue
            g = match.groups()
            body = " ".join(lines[n + 1 :]).strip()
            speaker = None
            voice = re.match(r"<v\s+([^>]+)>", body)
            if voice:
                speaker = voice.group(1).strip()
            body = re.sub(r"<[^>]+>", "", body).strip()
            segments.append(Segment(body, _cue_seconds(*g[:4]), _cue_seconds(*g[4:]), speaker))
            break
    return segments


async def read_transcript_stream(
    reply: StreamReply,
    *,
    provider: str,
    model: str,
    progress: ProgressFn | None,
    notices: Sequence[str] = (),
) -> Transcript:
    """Collect transcript.text.delta / segment / done events into a Transcript."""
    partial: list[str] = []
    segments: list[Segment] = []
    final: str | None = None
    duration = None
    async for event in reply.aiter_sse_json():
        kind = event.get("type")
        if kind == "transcript.text.delta":
            partial.append(str(event.get("delta") or ""))
            if progress:
                progress(None, "".join(partial)[-80:].strip())
        elif kind == "transcript.text.segment":
            segments.append(
                Segment(
                    str(event.get("text") or "").strip(),
                    _seconds(event.get("start")),
                    _seconds(event.get("end")),
                    str(event.get("speaker")) if event.get("speaker") else None,
                )
            )
        elif kind == "transcript.text.done":
            final = str(event.get("text") or "")
            duration = _usage_seconds(event.get("usage"))
    if final is None:
        raise ProviderProtocolError(
            f"The transcript stream from {provider} ended before it was complete. Try again.",
            provider=provider,
        )
    if not segments and final.strip():
        segments = [Segment(final.strip(), 0.0, duration or 0.0)]
    return _done(segments, None, duration, provider, model, list(notices))
