"""Transcripts as files: TXT, SRT, VTT, JSON and Markdown writers; SRT, VTT, ASS, TTML, JSON, MD
readers.

Writers take a ``Transcript`` and return text; readers return a ``Transcript``. JSON keeps
everything (words, confidences, language, notices) and reads back equal; SRT and VTT keep
segments, times and speakers, as cues that are valid subtitles whatever the provider sent:
in time order, never overlapping, never empty, at most two lines (a long segment becomes
several cues, timed by its words when it has them); Markdown keeps text, start times and
speakers for reading and sharing. ASS and TTML are read by pysubs2 (its WebVTT reader drops
voice tags and cue settings, so SRT and VTT keep the readers here). Captions shaped to the
subtitle norms are written by core/transcription (captions.py, caption_files.py). Pure
functions, no I/O.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from audio_studio.core.errors import InputError
from audio_studio.core.models import Segment, SummaryResult, Transcript, Word

__all__ = [
    "READERS",
    "WRITERS",
    "read_ass",
    "read_json",
    "read_markdown",
    "read_srt",
    "read_transcript",
    "read_ttml",
    "read_vtt",
    "timestamp",
    "to_json",
    "to_markdown",
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


_MIN_CUE_MS = 500


def _split_long(seg: Segment) -> list[Segment]:
    """A segment longer than two subtitle lines as several cues, at word boundaries."""
    text = " ".join(seg.text.split())
    if _wrap(text).count("\n") < 2:
        return [Segment(text, seg.start, seg.end, seg.speaker)]
    tokens = text.split()
    timed = len(seg.words) == len(tokens) and all(w.end >= w.start for w in seg.words)
    pieces: list[list[int]] = [[]]
    for n, token in enumerate(tokens):
        candidate = " ".join(tokens[i] for i in pieces[-1]) + " " + token
        if pieces[-1] and _wrap(candidate).count("\n") >= 2:
            pieces.append([])
        pieces[-1].append(n)
    out = []
    span = max(0.0, seg.end - seg.start)
    before = 0
    for piece in pieces:
        words = [tokens[i] for i in piece]
        if timed:  # kept inside the segment, whatever the word times say
            start = min(max(seg.words[piece[0]].start, seg.start), seg.end)
            end = min(max(seg.words[piece[-1]].end, start), max(seg.end, start))
        else:  # share the segment's time out by characters
            chars = sum(len(w) + 1 for w in words)
            start = seg.start + span * before / (len(text) + 1)
            end = seg.start + span * (before + chars) / (len(text) + 1)
            before += chars
        out.append(Segment(" ".join(words), start, end, seg.speaker))
    return out


def subtitle_cues(t: Transcript) -> list[tuple[int, int, Segment]]:
    """Cues as (start_ms, end_ms, segment): in order, no overlaps, each with a length."""
    pieces = sorted(
        (p for seg in _cues(t) for p in _split_long(seg)), key=lambda s: (s.start, s.end)
    )
    raw = [(max(0, round(p.start * 1000)), max(0, round(p.end * 1000)), p) for p in pieces]
    cues: list[tuple[int, int, Segment]] = []
    previous_end = 0
    for n, (start, end, seg) in enumerate(raw):
        start = max(start, previous_end)
        after = raw[n + 1] if n + 1 < len(raw) else None
        if end <= start:
            # No real length (a text-only reply, or pushed by the cue before): show it for a
            # moment, leaving the next cue some time of its own.
            end = start + _MIN_CUE_MS
            if after is not None:
                end = min(end, max(start + 1, after[1] - 1))
        elif after is not None and after[0] < end:
            end = max(start + 1, after[0])  # overlapping: this one ends where the next starts
        cues.append((start, end, seg))
        previous_end = end
    return cues


def _ms(value: int, sep: str) -> str:
    return timestamp(value / 1000, sep=sep)


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
    for i, (start, end, seg) in enumerate(subtitle_cues(t), 1):
        text = _wrap(seg.text.strip())
        if seg.speaker:
            text = f"[{seg.speaker}] {text}"
        blocks.append(f"{i}\n{_ms(start, ',')} --> {_ms(end, ',')}\n{text}\n")
    return "\n".join(blocks)


def to_vtt(t: Transcript) -> str:
    blocks = ["WEBVTT\n"]
    for start, end, seg in subtitle_cues(t):
        # "-->" may not appear in a cue's text; "<" and "&" are markup in WebVTT.
        text = _wrap(seg.text.strip().replace("-->", "->"))
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        if seg.speaker:
            text = f"<v {seg.speaker.replace('>', '')}>{text}"
        blocks.append(f"{_ms(start, '.')} --> {_ms(end, '.')}\n{text}\n")
    return "\n".join(blocks)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_MD_LINE = re.compile(
    r"^\*\*\[(?P<time>[\d:.,]+)\](?: (?P<speaker>(?:\\.|[^\\:])+):)?\*\* ?(?P<text>.*)$"
)


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def to_markdown(
    t: Transcript, *, title: str | None = None, summary: SummaryResult | None = None
) -> str:
    """A readable document: title, what made it, one paragraph per segment with its time."""
    out = [f"# {_md_escape(title or 'Transcript')}", ""]
    facts = []
    if t.duration_s:
        facts.append(timestamp(t.duration_s).split(",")[0])
    if t.language:
        facts.append(f"language {t.language}")
    if t.provider:
        facts.append(" ".join(x for x in (t.provider, t.model) if x))
    if facts:
        out += [f"*{_md_escape(' · '.join(facts))}*", ""]
    for notice in t.notices:
        out += [f"> {_md_escape(notice)}", ""]
    if summary is not None:
        out += ["## Summary", "", _md_escape(summary.summary.strip()), ""]
        if summary.action_items:
            out += ["## Action items", ""]
            out += [f"- [ ] {_md_escape(item)}" for item in summary.action_items]
            out.append("")
        out += ["## Transcript", ""]
    for seg in _cues(t):
        who = f" {_md_escape(seg.speaker).replace(':', chr(92) + ':')}:" if seg.speaker else ""
        stamp = timestamp(seg.start, sep=".")
        out += [f"**[{stamp}]{who}** {_md_escape(' '.join(seg.text.split()))}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


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
        body = html.unescape(_TAG.sub("", body)).strip() if fmt == "vtt" else body.strip()
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


def _read_pysubs2(text: str, fmt: str) -> Transcript:
    import pysubs2

    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except Exception as exc:  # pysubs2 raises several types for a file that is not its format
        raise InputError(f"This is not a readable .{fmt} file ({exc.__class__.__name__}).") from exc
    segments = []
    for event in subs:
        if event.is_comment or not event.plaintext.strip():
            continue
        body = " ".join(event.plaintext.split())
        speaker = event.name.strip() or None if fmt == "ass" else None
        segments.append(Segment(body, event.start / 1000, event.end / 1000, speaker))
    if not segments and text.strip():
        raise InputError(f"No {fmt.upper()} cues were found; is this really a .{fmt} file?")
    segments.sort(key=lambda s: s.start)
    return Transcript(
        segments=tuple(segments), duration_s=max((s.end for s in segments), default=None)
    )


def read_ass(text: str) -> Transcript:
    """Dialogue lines of an ASS/SSA file (the Name field as the speaker)."""
    return _read_pysubs2(text, "ass")


def read_ttml(text: str) -> Transcript:
    return _read_pysubs2(text, "ttml")


def read_markdown(text: str) -> Transcript:
    """The segments of a Markdown transcript the studio wrote (ends are the next start)."""
    found: list[tuple[float, str | None, str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        match = _MD_LINE.match(line.strip())
        if not match:
            continue
        parts = re.fullmatch(_TIME, match.group("time"))
        if parts is None:
            continue
        speaker = match.group("speaker")
        found.append(
            (
                _seconds(*parts.groups()),
                _md_unescape(speaker) if speaker else None,
                _md_unescape(match.group("text")).strip(),
            )
        )
    if not found and text.strip():
        raise InputError("No timed paragraphs were found; is this a transcript the studio wrote?")
    segments = [
        Segment(body, start, found[n + 1][0] if n + 1 < len(found) else start, speaker)
        for n, (start, speaker, body) in enumerate(found)
    ]
    return Transcript(segments=tuple(segments), duration_s=segments[-1].end if segments else None)


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
    "md": to_markdown,
}
READERS: dict[str, Callable[[str], Transcript]] = {
    "srt": read_srt,
    "vtt": read_vtt,
    "ass": read_ass,
    "ssa": read_ass,
    "ttml": read_ttml,
    "json": read_json,
    "md": read_markdown,
}


def write_transcript(
    t: Transcript, fmt: str, *, title: str | None = None, summary: SummaryResult | None = None
) -> str:
    """The transcript as ``fmt`` (txt, srt, vtt, json or md; md takes a title and summary).

    Raises:
        InputError: a format the studio does not write.
    """
    name = fmt.lower().lstrip(".")
    writer = WRITERS.get(name)
    if writer is None:
        raise InputError(f"Transcripts can be saved as {', '.join(WRITERS)}; not as {fmt!r}.")
    if name == "md":
        return to_markdown(t, title=title, summary=summary)
    return writer(t)


def read_transcript(text: str, fmt: str) -> Transcript:
    reader = READERS.get(fmt.lower().lstrip("."))
    if reader is None:
        raise InputError(f"Transcripts can be read from {', '.join(READERS)}; not from {fmt!r}.")
    return reader(text)
