"""SRT and VTT (pysubs2) as a voice-over: one paragraph per cue, with the cue's times."""

from __future__ import annotations

import io
from pathlib import Path

import pysubs2

from audio_studio.core.narration.documents.base import (
    Chapter,
    Cue,
    Document,
    bad_file,
    clean_paragraphs,
    read_bytes,
)
from audio_studio.core.narration.documents.text import decode_text

__all__ = ["read_subtitles"]


def read_subtitles(path: Path) -> Document:
    """Read an SRT or VTT; cues without words (music notes, blank) are skipped.

    Raises:
        InputError: unreadable or not a subtitle file, or no cues with words.
    """
    text = decode_text(path, read_bytes(path))
    fmt = "vtt" if path.suffix.lower() == ".vtt" else "srt"
    try:
        subs = pysubs2.SSAFile.from_file(io.StringIO(text), format_=fmt)
    except (pysubs2.exceptions.Pysubs2Error, ValueError, KeyError, IndexError) as exc:
        raise bad_file(
            path, f"is not a readable {fmt.upper()} subtitle file; check that it opens in a player."
        ) from exc
    cues = []
    for event in sorted(subs.events, key=lambda e: e.start):
        if event.is_comment:
            continue
        said = clean_paragraphs([event.plaintext])
        if said and any(ch.isalnum() for ch in said[0]):
            cues.append(Cue(event.start / 1000, event.end / 1000, said[0]))
    if not cues:
        raise bad_file(path, "has no subtitle cues with words to say.")
    return Document(
        source=str(path),
        kind="subtitles",
        title=path.stem,
        chapters=(Chapter(path.stem, tuple(c.text for c in cues)),),
        cues=tuple(cues),
    )
