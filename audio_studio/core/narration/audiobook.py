"""Audiobooks: an M4B with chapter markers, tags and cover, or a folder of per-chapter files.

Each chosen chapter is joined from its takes, brought to the loudness target and written as
FLAC into the project's export folder under a name made from everything that went into it.
Memory holds one chapter at a time, and an export stopped by a crash or a kill is finished by
the next one from the chapters already written (exporting only reads takes: no sentence is
made again). The M4B is then encoded from those files block by block (PyAV: AAC in MP4 with
one chapter per chapter at its exact start), tagged with mutagen (title, author, album, year,
cover, provenance comment) and moved into place; a folder gets ``01 - Title.mp3`` files with
track numbers. Captions (SRT or VTT) are written beside, timed from the same layout.
Blocking: every function here runs in a worker thread (see export_book).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from audio_studio.core.audio import codec
from audio_studio.core.audio.analysis import analyze
from audio_studio.core.audio.loudness import limit_peaks
from audio_studio.core.errors import StorageError
from audio_studio.core.fileio import atomic_write_bytes, atomic_write_text
from audio_studio.core.models import AudioFormat
from audio_studio.core.narration.book_captions import Timed, caption_text
from audio_studio.core.narration.chapters import ChapterSpan, chapter_chunks, chapter_spans
from audio_studio.core.narration.project import NarrationProject, words_from_json, words_to_json

__all__ = [
    "CHAPTER_GAP_S",
    "BookMeta",
    "Rendered",
    "book_export_timeline",
    "chapter_file_name",
    "render_chapter",
    "script_timeline",
    "write_captions",
    "write_folder",
    "write_m4b",
]

CHAPTER_GAP_S = 2.0  # silence after each chapter but the last
_RENDER_VERSION = 3  # bump when the rendering changes, so old chapter files are not reused
_BLOCK_S = 10  # seconds read, resampled and encoded at a time
_CEILING_DB = -1.0  # peaks at most, as every export
_AAC_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


@dataclass(frozen=True)
class BookMeta:
    title: str
    author: str
    year: str
    comment: str
    cover: bytes | None = None
    cover_type: str = ""


@dataclass(frozen=True)
class Rendered:
    """One chapter written to disk: its audio file and where each sentence is said in it."""

    number: int
    title: str
    path: Path
    frames: int
    sample_rate: int
    channels: int
    sentences: tuple[Timed, ...]  # seconds from the chapter's start

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


def _key(project: NarrationProject, span: ChapterSpan, gaps: Sequence[float], extra: Any) -> str:
    takes = [c.take.sha256 if c.take else "" for c in chapter_chunks(project, span)]
    data = json.dumps([_RENDER_VERSION, takes, list(gaps), extra], separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()[:20]


def render_chapter(
    project: NarrationProject,
    span: ChapterSpan,
    workdir: Path,
    *,
    pause: float,
    target_lufs: float,
    last: bool,
) -> Rendered:
    """The chapter's audio as FLAC in ``workdir``, reused when it was written before."""
    chunks = chapter_chunks(project, span)
    gaps = [project.gap_after(span.first + i, pause) for i in range(len(chunks))]
    gaps[-1] = 0.0 if last else CHAPTER_GAP_S
    lead = project.lead_pause_s if span.first == 0 else 0.0
    key = _key(project, span, gaps, [lead, target_lufs])
    flac = workdir / f"{span.number:04d}-{key}.flac"
    meta = flac.with_suffix(".json")
    if flac.exists() and meta.exists():
        try:
            return _load(meta, flac)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged note: render again
    # Laid out from the takes' recorded lengths, so each take is decoded, placed and let go
    # in turn: memory holds the chapter once, not the chapter and all its takes. Mono: an
    # audiobook is one voice (64 kbit/s AAC).
    takes = [c.take for c in chunks if c.take is not None]
    rate = max(t.sample_rate for t in takes)
    channels = 1
    sizes, sentences, at = [], [], lead
    for chunk, take, gap in zip(chunks, takes, gaps, strict=True):
        sentences.append(Timed(chunk.text, at, at + take.duration_s, chunk.id, take.words))
        at += take.duration_s + gap
        sizes.append((round(take.duration_s * rate), round(gap * rate)))
    out = np.zeros((round(lead * rate) + sum(a + b for a, b in sizes), 1), np.float32)
    pos = round(lead * rate)
    for take, (size, silence) in zip(takes, sizes, strict=True):
        samples = codec.resample(codec.decode(Path(take.path)), rate).samples
        n = min(len(samples), size, len(out) - pos)
        out[pos : pos + n, 0] = samples[:n].mean(axis=1)
        pos += size + silence
    workdir.mkdir(parents=True, exist_ok=True)
    _write_level(out, rate, target_lufs, flac)
    rendered = Rendered(span.number, span.title, flac, len(out), rate, channels, tuple(sentences))
    del out
    # The note is written last: a chapter counts as done only when both files are there.
    atomic_write_text(meta, json.dumps(_note(rendered)))
    return rendered


def _write_level(samples: np.ndarray, rate: int, target_lufs: float, path: Path) -> None:
    """``samples`` brought to the loudness target and written as FLAC, a minute at a time.

    One gain for the chapter (measured once, as loudness.normalize does) and the peak limiter
    applied minute by minute, so memory holds the chapter once rather than several copies of
    it (an hour at 44.1 kHz is 600 MB a copy).
    """
    import soundfile as sf

    before = analyze(codec.AudioData(samples, rate)).lufs
    gain = (
        10 ** ((target_lufs - before) / 20) if before is not None and np.isfinite(before) else 1.0
    )
    ceiling = 10 ** (_CEILING_DB / 20)
    partial = path.with_name(path.name + ".partial")
    with sf.SoundFile(str(partial), "w", rate, samples.shape[1], "PCM_24", format="FLAC") as f:
        for start in range(0, len(samples), rate * 60):
            block = codec.AudioData(samples[start : start + rate * 60] * np.float32(gain), rate)
            f.write(limit_peaks(block, ceiling)[0].samples)
    os.replace(partial, path)


def _note(r: Rendered) -> dict[str, Any]:
    return {
        "number": r.number, "title": r.title, "frames": r.frames, "rate": r.sample_rate,
        "channels": r.channels,
        "sentences": [[s.text, s.start_s, s.end_s, words_to_json(s.words)] for s in r.sentences],
    }  # fmt: skip


def _load(meta: Path, flac: Path) -> Rendered:
    d = json.loads(meta.read_text(encoding="utf-8"))
    return Rendered(
        int(d["number"]), str(d["title"]), flac, int(d["frames"]), int(d["rate"]),
        int(d["channels"]), tuple(_timed(row) for row in d["sentences"]),
    )  # fmt: skip


def _timed(row: Sequence[Any]) -> Timed:
    """A noted sentence: text, start, end, then its word times (notes written before word
    times have none: their captions are timed by characters)."""
    words = words_from_json(row[3]) if len(row) > 3 else ()
    return Timed(str(row[0]), float(row[1]), float(row[2]), words=words)


def _blocks(path: Path, rate: int, channels: int) -> Any:
    """The FLAC's samples in blocks of ten seconds, at ``rate`` and ``channels``."""
    import soundfile as sf

    with sf.SoundFile(str(path)) as f:
        resampler = codec.StreamResampler(f.samplerate, rate, channels)
        same = f.samplerate == rate
        for block in f.blocks(blocksize=f.samplerate * _BLOCK_S, dtype="float32", always_2d=True):
            if block.shape[1] != channels:
                block = np.repeat(block.mean(axis=1, keepdims=True), channels, axis=1)
            yield block if same else resampler.push(block)
        if not same:
            yield resampler.flush()


def write_m4b(
    parts: Sequence[Rendered],
    path: Path,
    meta: BookMeta,
    *,
    on_chapter: Callable[[int], None] | None = None,
) -> float:
    """Encode the chapters into an M4B at ``path`` (atomically); its duration in seconds."""
    import av

    rate = min(_AAC_RATES, key=lambda r: abs(r - max(p.sample_rate for p in parts)))
    channels = max(p.channels for p in parts)
    layout = "mono" if channels == 1 else "stereo"
    partial = path.with_name(path.name + ".partial")
    starts, at = [], 0
    for p in parts:
        starts.append(at)
        at += round(p.duration_s * rate)
    total = at
    with av.open(str(partial), "w", format="ipod") as out:
        stream: Any = out.add_stream("aac", rate=rate)
        stream.layout = layout
        stream.bit_rate = 64_000 if channels == 1 else 96_000
        out.set_chapters([
            {"id": i + 1, "start": s, "end": starts[i + 1] if i + 1 < len(parts) else total,
             "time_base": Fraction(1, rate), "metadata": {"title": p.title}}
            for i, (p, s) in enumerate(zip(parts, starts, strict=True))
        ])  # fmt: skip
        written = 0
        for i, part in enumerate(parts):
            for block in _blocks(part.path, rate, channels):
                if not len(block):
                    continue
                planar = np.ascontiguousarray(block.T, dtype=np.float32)
                frame = av.AudioFrame.from_ndarray(
                    planar if channels == 2 else planar.reshape(1, -1),
                    format="fltp" if channels == 2 else "flt",
                    layout=layout,
                )
                frame.sample_rate = rate
                frame.pts = written
                written += len(block)
                for packet in stream.encode(frame):
                    out.mux(packet)
            if on_chapter:
                on_chapter(i)
        for packet in stream.encode(None):
            out.mux(packet)
    _tag_mp4(partial, meta)
    os.replace(partial, path)
    return total / rate


def _tag_mp4(path: Path, meta: BookMeta) -> None:
    import mutagen.mp4

    mp4: Any = mutagen.mp4  # untyped
    MP4Cover = mp4.MP4Cover
    tags = mp4.MP4(str(path))
    values = {"\xa9nam": meta.title, "\xa9alb": meta.title, "\xa9ART": meta.author,
              "aART": meta.author, "\xa9day": meta.year, "\xa9cmt": meta.comment,
              "\xa9gen": "Audiobook"}  # fmt: skip
    for key, value in values.items():
        if value:
            tags[key] = [value]
    tags["stik"] = [2]  # "audiobook" media kind: players file it under books
    if meta.cover:
        kind = MP4Cover.FORMAT_PNG if "png" in meta.cover_type else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(meta.cover, imageformat=kind)]
    tags.save()


def chapter_file_name(number: int, title: str, digits: int, extension: str) -> str:
    """``01 - Title.mp3``: numbered so they sort, without characters file systems refuse."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title).strip(" .") or "Chapter"
    return f"{number:0{digits}d} - {' '.join(safe.split())[:80]}.{extension}"


def write_folder(
    parts: Sequence[Rendered],
    folder: Path,
    meta: BookMeta,
    *,
    on_chapter: Callable[[int], None] | None = None,
) -> list[Path]:
    """One tagged MP3 per chapter in ``folder``; the files written."""
    import mutagen.id3

    id3: Any = mutagen.id3  # mutagen's frames are untyped

    folder.mkdir(parents=True, exist_ok=True)
    digits = max(2, len(str(len(parts))))
    paths = []
    for i, part in enumerate(parts):
        blocks = list(_blocks(part.path, 44_100, part.channels))
        # LAME at low rates low-passes hard and dulls speech: chapters are encoded at 44.1 kHz.
        audio = codec.AudioData(np.concatenate(blocks), 44_100)
        data = codec.encode(audio, AudioFormat.MP3)
        del audio, blocks
        target = folder / chapter_file_name(part.number, part.title, digits, "mp3")
        partial = target.with_name(target.name + ".partial")
        atomic_write_bytes(partial, data)
        tags = id3.ID3()
        tags.add(id3.TIT2(encoding=3, text=part.title))
        tags.add(id3.TALB(encoding=3, text=meta.title))
        tags.add(id3.TRCK(encoding=3, text=f"{i + 1}/{len(parts)}"))
        tags.add(id3.TCON(encoding=3, text="Audiobook"))
        tags.add(id3.COMM(encoding=3, lang="eng", desc="", text=meta.comment))
        if meta.author:
            tags.add(id3.TPE1(encoding=3, text=meta.author))
            tags.add(id3.TPE2(encoding=3, text=meta.author))
        if meta.year:
            tags.add(id3.TDRC(encoding=3, text=meta.year))
        if meta.cover:
            tags.add(id3.APIC(encoding=3, mime=meta.cover_type or "image/jpeg", type=3,
                          desc="Cover", data=meta.cover))  # fmt: skip
        tags.save(str(partial))
        os.replace(partial, target)
        paths.append(target)
        if on_chapter:
            on_chapter(i)
    return paths


def write_captions(sentences: Sequence[Timed], path: Path, fmt: str) -> Path:
    """The captions file (SRT or VTT) at ``path``, written atomically."""
    atomic_write_text(path, caption_text(sentences, fmt))
    return path


def book_timeline(parts: Sequence[Rendered]) -> list[Timed]:
    """Every sentence of the chapters, timed from the start of the whole book."""
    out: list[Timed] = []
    offset = 0.0
    for part in parts:
        out.extend(replace(s, start_s=s.start_s + offset, end_s=s.end_s + offset)
                   for s in part.sentences)  # fmt: skip
        offset += part.duration_s
    return out


def clear_workdir(workdir: Path) -> None:
    """Remove the chapter files once the export is in place (they can be made again)."""
    try:
        shutil.rmtree(workdir)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StorageError(f"Could not tidy {workdir} ({exc.strerror or exc}).") from exc


def script_timeline(project: NarrationProject, pause: float) -> list[Timed]:
    """Every sentence of a one-file export, timed the way export.py lays the takes out."""
    out: list[Timed] = []
    at = project.lead_pause_s
    for i, chunk in enumerate(project.chunks):
        seconds = chunk.take.duration_s if chunk.take else 0.0
        words = chunk.take.words if chunk.take else ()
        out.append(Timed(chunk.text, at, at + seconds, chunk.id, words))
        at += seconds + project.gap_after(i, pause)
    return out


def book_export_timeline(
    project: NarrationProject, pause: float, chosen: Sequence[int] | None = None
) -> list[Timed]:
    """Every sentence of an M4B of the ``chosen`` chapters, laid out as render_chapter does
    (from the takes' lengths, without reading audio): for read-along while it plays."""
    picked = [s for s in chapter_spans(project) if chosen is None or s.index in chosen]
    out: list[Timed] = []
    at = 0.0
    for k, span in enumerate(picked):
        at += project.lead_pause_s if span.first == 0 else 0.0
        chunks = chapter_chunks(project, span)
        for i, chunk in enumerate(chunks):
            seconds = chunk.take.duration_s if chunk.take else 0.0
            words = chunk.take.words if chunk.take else ()
            out.append(Timed(chunk.text, at, at + seconds, chunk.id, words))
            if i + 1 < len(chunks):
                at += seconds + project.gap_after(span.first + i, pause)
            else:
                at += seconds + (0.0 if k + 1 == len(picked) else CHAPTER_GAP_S)
    return out
