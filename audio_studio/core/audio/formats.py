"""Recognise audio containers from their first bytes, and tell damaged files from short ones.

Shared by codec (whole-file decode) and reading (streaming decode) so both refuse the same
empty, corrupt and truncated files with the same messages, naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from audio_studio.core.errors import UnsupportedFormatError

__all__ = [
    "SOUNDFILE_KINDS",
    "check_mp3_length",
    "check_ogg_complete",
    "check_soundfile",
    "declared_seconds",
    "describe_source",
    "not_audio",
    "read_head",
    "sniff",
    "truncated",
]

SOUNDFILE_KINDS = frozenset({"wav", "flac", "ogg", "aiff", "mp3"})
_WAV_DATA = re.compile(r"data : (\d+) \(should be (\d+)\)")
_EXACT_LENGTH = ("matroska", "webm", "mov", "mp4")


def describe_source(source: Path | bytes, name: str | None) -> str:
    return name or (source.name if isinstance(source, Path) else "the audio")


def sniff(head: bytes) -> str | None:
    """The container the first bytes announce, for the formats libsndfile reads best."""
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        # libsndfile 1.2.2 decodes Ogg Opus without its pre-skip (a 6.5 ms shift) and garbles
        # partial reads of it, so Opus goes to FFmpeg; Vorbis is exact in libsndfile.
        return "opus" if b"OpusHead" in head[:512] else "ogg"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    # An ID3 tag, or an MPEG layer III frame sync (11 set bits, layer bits 01).
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        return "mp3"
    return None


def read_head(source: Path | bytes, label: str) -> bytes:
    """The first 4 KiB; refuses missing and empty files with a message naming them."""
    if isinstance(source, bytes):
        if not source:
            raise UnsupportedFormatError(f"{label} is empty; it holds no audio.")
        return source[:4096]
    try:
        with source.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise UnsupportedFormatError(f"{label}: cannot be read ({exc.strerror or exc}).") from exc
    if not head:
        raise UnsupportedFormatError(f"{label} is empty (0 bytes); it holds no audio.")
    return head


def not_audio(label: str, exc: BaseException) -> UnsupportedFormatError:
    return UnsupportedFormatError(
        f"{label} could not be decoded as audio ({exc.__class__.__name__}). It may be "
        "truncated, corrupt, or in a format the studio does not read (mp3, wav, flac, "
        "ogg, opus, m4a/aac, webm, mp4)."
    )


def truncated(label: str, got_s: float | None = None, declared_s: float | None = None) -> str:
    part = (
        f"it ends after {got_s:.1f} s of the {declared_s:.1f} s it declares"
        if got_s is not None and declared_s is not None
        else "its last part is missing"
    )
    return (
        f"{label} is truncated: {part}. It may not have finished downloading or copying; "
        "use a complete copy."
    )


def check_soundfile(f: Any, label: str) -> None:
    """Raise if libsndfile's own log says the file was cut short."""
    log_text = str(f.extra_info)
    match = _WAV_DATA.search(log_text)
    if match and int(match.group(1)) not in (0, 0xFFFFFFFF):
        declared, present = int(match.group(1)), int(match.group(2))
        if declared > present + f.channels * 4:
            align = present // f.frames if f.frames else f.channels * 2
            per_s = max(1, align) * f.samplerate
            raise UnsupportedFormatError(truncated(label, present / per_s, declared / per_s))
    if "lacks an end-of-stream" in log_text:  # an Ogg cut before its last page
        raise UnsupportedFormatError(truncated(label))


def check_ogg_complete(source: Path | bytes, label: str) -> None:
    """An Ogg stream declares no length; libsndfile's log says whether its end page is missing."""
    import io

    import soundfile as sf

    try:
        with sf.SoundFile(source if isinstance(source, Path) else io.BytesIO(source)) as f:
            text = str(f.extra_info)
    except Exception:  # not readable by libsndfile at all: FFmpeg will judge it
        return
    if "lacks an end-of-stream" in text:
        raise UnsupportedFormatError(truncated(label))


def declared_seconds(container: Any, head: bytes) -> float | None:
    """The length a container states exactly (not FFmpeg's estimate from the bit rate)."""
    fmt = str(container.format.name)
    exact = any(part in fmt for part in _EXACT_LENGTH) or (
        fmt == "mp3" and (b"Xing" in head or b"Info" in head)
    )
    if not exact or not container.duration:
        return None
    return float(container.duration) / 1_000_000


def check_mp3_length(head: bytes, label: str, frames: int, declared: int, rate: int) -> None:
    """mpg123 takes an MP3's length from its Xing/Info frame when there is one: then exact."""
    if (
        sniff(head) == "mp3"
        and (b"Xing" in head or b"Info" in head)
        and frames < declared - max(rate // 2, declared // 50)
    ):
        raise UnsupportedFormatError(truncated(label, frames / rate, declared / rate))
