"""Transcripts as files: TXT, SRT, VTT and JSON writers, and SRT, VTT and JSON readers.

Writers take a ``Transcript`` and return text; readers return a ``Transcript``. JSON keeps
everything (words, confidences, language, notices) and reads back equal; SRT and VTT keep
segments, times and speakers. Pure functions, no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from audio_studio.core.errors import InputError
from audio_studio.core.models import Segment, Transcript, Word

__all__ = [
    "READERS",
    "WRITERS",
    "read_json",
    "read_srt",
    "read_transcript",
    "read_vtt",
    "timestamp",
    "to_json",
    "to_srt",
    "to_txt",
    "to_vtt",
    "write_transcript",
]

JSON_VERSION = 1
_LINE = 42  # characters per subtitle line, the usual broadcast limit


def timestamp(seconds: float, *, sep: str = ",") -> str:
    """``HH:MM:SS,mmm`` (SRT) or, with ``sep="."``, ``HH:MM:SS.mmm`` (VTT)."""
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _wrap(text: str, width: int = _LINE) -> str:
    """Break a cue's text into lines of at most ``width`` characters, at spaces."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return "\n".join(lines)


def _cues(t: Transcript) -> list[Segment]:
    return [s for s in t.segments if s.text.strip()]


def to_txt(t: Transcript) -> str:
    """One line per segment; a speaker change starts a new paragraph with the speaker's name."""
    out: list[str] = []
    speaker: str | None = None
    for seg in _cues(t):
        if seg.speaker and seg.speaker != speaker:
            if out:
                out.append("")
            out.append(f"{seg.speaker}:")
            speaker = seg.speaker
        out.append(seg.text.strip())
    return "\n".join(out) + ("\n" if out else "")


def to_srt(t: Transcript) -> str:
    blocks = []
    for i, seg in enumerate(_cues(t), 1):
        text = _wrap(seg.text.strip())
        if seg.speaker:
            text = f"[{seg.speaker}] {text}"
        blocks.append(f"{i}\n{timestamp(seg.start)} --> {timestamp(seg.end)}\n{text}\n")
    return "\n".join(blocks)


def to_vtt(t: Transcript) -> str:
    blocks = ["WEBVTT\n"]
    for seg in _cues(t):
        text = _wrap(seg.text.strip())
        if seg.speaker:
            text = f"<v {seg.speaker}>{text}"
        start, end = timestamp(seg.start, sep="."), timestamp(seg.end, sep=".")
        blocks.append(f"{start} --> {end}\n{text}\n")
    return "\n".join(blocks)


def to_json(t: Transcript) -> str:
    data: dict[str, Any] = {
        "version": JSON_VERSION,
        "text": t.text,
        "language": t.language,
        "language_probability": t.language_probability,
        "duration_s": t.duration_s,
        "provider": t.provider,
        "model": t.model,
        "notices": list(t.notices),
        "segments": [
            {
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "speaker": s.speaker,
                "confidence": s.confidence,
                "words": [
                    {
                        "text": w.text,
                        "start": w.start,
                        "end": w.end,
                        "speaker": w.speaker,
                        "confidence": w.confidence,
                    }
                    for w in s.words
                ],
            }
            for s in t.segments
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# -- readers -------------------------------------------------------------------------------

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})"
_CUE_TIME = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_SRT_SPEAKER = re.compile(r"^\[([^\]]+)\]\s*")
_VTT_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    # Whole milliseconds first, so 00:00:07,560 reads back as exactly 7.56.
    return (
        int(h or 0) * 3_600_000 + int(m) * 60_000 + int(s) * 1000 + int(ms.ljust(3, "0"))
    ) / 1000


def _read_cues(text: str, fmt: str) -> Transcript:
    segments: list[Segment] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip("\ufeff"))
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        at = next((i for i, ln in enumerate(lines) if _CUE_TIME.match(ln)), None)
        if at is None:
            continue  # the WEBVTT header, NOTE and STYLE blocks, or junk between cues
        g = _CUE_TIME.match(lines[at])
        assert g is not None
        start = _seconds(*g.groups()[:4])
        end = _seconds(*g.groups()[4:])
        body = " ".join(ln.strip() for ln in lines[at + 1 :])
        speaker = None
        match = (_VTT_VOICE if fmt == "vtt" else _SRT_SPEAKER).match(body)
        if match:
            speaker = match.group(1).strip()
            body = body[match.end() :]
        body = _TAG.sub("", body).strip() if fmt == "vtt" else body.strip()
        segments.append(Segment(text=body, start=start, end=end, speaker=speaker))
    if not segments and text.strip():
        raise InputError(f"No {fmt.upper()} cues were found; is this really a .{fmt} file?")
    duration = max((s.end for s in segments), default=None)
    return Transcript(segments=tuple(segments), duration_s=duration)


def read_srt(text: str) -> Transcript:
    return _read_cues(text, "srt")


def read_vtt(text: str) -> Transcript:
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise InputError("This is not a WebVTT file: it must start with WEBVTT.")
    return _read_cues(text, "vtt")


def read_json(text: str) -> Transcript:
    try:
        data = json.loads(text)
        return Transcript(
            segments=tuple(
                Segment(
                    text=str(s["text"]),
                    start=float(s["start"]),
                    end=float(s["end"]),
                    speaker=s.get("speaker"),
                    confidence=s.get("confidence"),
                    words=tuple(
                        Word(
                            text=str(w["text"]),
                            start=float(w["start"]),
                            end=float(w["end"]),
                            speaker=w.get("speaker"),
                            confidence=w.get("confidence"),
                        )
                        for w in s.get("words", ())
                    ),
                )
                for s in data["segments"]
            ),
            language=data.get("language"),
            language_probability=data.get("language_probability"),
            duration_s=data.get("duration_s"),
            provider=data.get("provider"),
            model=data.get("model"),
            notices=tuple(data.get("notices", ())),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"This is not a transcript JSON file the studio wrote ({exc.__class__.__name__})."
        ) from exc


WRITERS: dict[str, Callable[[Transcript], str]] = {
    "txt": to_txt,
    "srt": to_srt,
    "vtt": to_vtt,
    "json": to_json,
}
READERS: dict[str, Callable[[str], Transcript]] = {
    "srt": read_srt,
    "vtt": read_vtt,
    "json": read_json,
}


def write_transcript(t: Transcript, fmt: str) -> str:
    """The transcript as ``fmt`` (txt, srt, vtt or json).

    Raises:
        InputError: a format the studio does not write.
    """
    writer = WRITERS.get(fmt.lower().lstrip("."))
    if writer is None:
        raise InputError(f"Transcripts can be saved as {', '.join(WRITERS)}; not as {fmt!r}.")
    return writer(t)


def read_transcript(text: str, fmt: str) -> Transcript:
    reader = READERS.get(fmt.lower().lstrip("."))
    if reader is None:
        raise InputError(f"Transcripts can be read from {', '.join(READERS)}; not from {fmt!r}.")
    return reader(text)
