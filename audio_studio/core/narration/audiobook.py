"""Audiobooks: an M4B with chapter markers, tags and cover, or a folder of per-chapter files.

Each chosen chapter is joined from its takes, brought to the loudness target and written as
FLAC into the project's export folder under a name made from everything that went into it.
Every step streams (takes decoded one at a time, ten-second blocks written and encoded), so
memory stays flat however long a chapter or the book is; an export stopped by a crash or a kill
is finished by the next one from the chapters already written (exporting only reads takes: no
sentence is made again). The M4B is then encoded from those files (PyAV: AAC in MP4 with one
chapter per chapter at its exact sample), tagged with mutagen (title, author, album, year,
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from audio_studio.core.audio import codec
from audio_studio.core.audio.analysis import analyze_blocks
from audio_studio.core.audio.loudness import limit_peaks
from audio_studio.core.errors import StorageError
from audio_studio.core.fileio import atomic_write_text
from audio_studio.core.narration.book_captions import Timed, caption_text
from audio_studio.core.narration.chapter_audio import ChapterLayout, chapter_blocks, lay_out
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
_RENDER_VERSION = 4  # bump when the rendering changes, so old chapter files are not reused
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


def _key(layout: ChapterLayout, extra: Any) -> str:
    takes = [[t.sha256, t.frames, t.silence] for t in layout.takes]
    data = json.dumps(
        [_RENDER_VERSION, layout.rate, layout.lead, takes, extra], separators=(",", ":")
    )
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
    """The chapter's audio as FLAC in ``workdir``, reused when it was written before.

    Two passes over the takes, each decoded in turn (chapter_audio.py): one measures the
    chapter's loudness, the other writes it at the target. Memory holds a take and a block of
    ten seconds, whatever the chapter's length.
    """
    layout, sentences = lay_out(
        project, span, pause=pause, gap_after_last=0.0 if last else CHAPTER_GAP_S
    )
    flac = workdir / f"{span.number:04d}-{_key(layout, [target_lufs])}.flac"
    meta = flac.with_suffix(".json")
    if flac.exists() and meta.exists():
        try:
            return _load(meta, flac)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged note: render again
    workdir.mkdir(parents=True, exist_ok=True)
    _write_level(layout, target_lufs, flac)
    rendered = Rendered(span.number, span.title, flac, layout.frames, layout.rate, 1, sentences)
    # The note is written last: a chapter counts as done only when both files are there.
    atomic_write_text(meta, json.dumps(_note(rendered)))
    return rendered


def _write_level(layout: ChapterLayout, target_lufs: float, path: Path) -> None:
    """The chapter brought to the loudness target and written as FLAC, block by block.

    One gain for the chapter (measured over all of it, as loudness.normalize does) and the
    peak limiter applied block by block.
    """
    import soundfile as sf

    block = layout.rate * _BLOCK_S
    before = analyze_blocks(chapter_blocks(layout, block), layout.rate, 1).lufs
    gain = np.float32(
        10 ** ((target_lufs - before) / 20) if before is not None and np.isfinite(before) else 1.0
    )
    ceiling = 10 ** (_CEILING_DB / 20)
    partial = path.with_name(path.name + ".partial")
    with sf.SoundFile(str(partial), "w", layout.rate, 1, "PCM_24", format="FLAC") as f:
        for samples in chapter_blocks(layout, block):
            f.write(limit_peaks(codec.AudioData(samples * gain, layout.rate), ceiling)[0].samples)
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


def _frames_at(part: Rendered, rate: int) -> int:
    """The part's length in samples at ``rate``, rounded in integers (no float drift)."""
    return (part.frames * rate + part.sample_rate // 2) // part.sample_rate


def _blocks(part: Rendered, rate: int, channels: int) -> Iterator[np.ndarray]:
    """The part's samples in blocks of ten seconds, at ``rate`` and ``channels``: exactly
    ``_frames_at(part, rate)`` of them (the resampler's last few are cut or padded), so each
    chapter starts where its marker says."""
    import soundfile as sf

    want, given = _frames_at(part, rate), 0
    with sf.SoundFile(str(part.path)) as f:
        resampler = codec.StreamResampler(f.samplerate, rate, channels)
        same = f.samplerate == rate
        for block in f.blocks(blocksize=f.samplerate * _BLOCK_S, dtype="float32", always_2d=True):
            if block.shape[1] != channels:
                block = np.repeat(block.mean(axis=1, keepdims=True), channels, axis=1)
            out = block if same else resampler.push(block)
            out = out[: want - given]
            given += len(out)
            yield out
        if not same:
            out = resampler.flush()[: want - given]
            given += len(out)
            yield out
    if given < want:
        yield np.zeros((want - given, channels), np.float32)


def _encode(out: Any, stream: Any, blocks: Iterable[np.ndarray], at: int) -> int:
    """Encode ``blocks`` into ``stream`` from sample ``at``; the sample after the last one."""
    import av

    channels = stream.layout.nb_channels
    layout = "mono" if channels == 1 else "stereo"
    for block in blocks:
        if not len(block):
            continue
        planar = np.ascontiguousarray(block.T, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(
            planar if channels == 2 else planar.reshape(1, -1),
            format="fltp" if channels == 2 else "flt",
            layout=layout,
        )
        frame.sample_rate = stream.rate
        frame.pts = at
        at += len(block)
        for packet in stream.encode(frame):
            out.mux(packet)
    return at


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
    partial = path.with_name(path.name + ".partial")
    starts, at = [], 0
    for p in parts:
        starts.append(at)
        at += _frames_at(p, rate)
    total = at
    with av.open(str(partial), "w", format="ipod") as out:
        stream: Any = out.add_stream("aac", rate=rate, options=codec.AAC_OPTIONS)
        stream.layout = "mono" if channels == 1 else "stereo"
        stream.bit_rate = 96_000 if channels == 1 else 128_000  # the fast coder: codec.py
        out.set_chapters([
            {"id": i + 1, "start": s, "end": starts[i + 1] if i + 1 < len(parts) else total,
             "time_base": Fraction(1, rate), "metadata": {"title": p.title}}
            for i, (p, s) in enumerate(zip(parts, starts, strict=True))
        ])  # fmt: skip
        written = 0
        for i, part in enumerate(parts):
            written = _encode(out, stream, _blocks(part, rate, channels), written)
            assert written == starts[i] + _frames_at(part, rate)
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
        target = folder / chapter_file_name(part.number, part.title, digits, "mp3")
        partial = target.with_name(target.name + ".partial")
        _write_mp3(part, partial)
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


def _write_mp3(part: Rendered, path: Path) -> None:
    """The part as MP3 at ``path``, encoded block by block."""
    import av

    # LAME at low rates low-passes hard and dulls speech: chapters are encoded at 44.1 kHz.
    with av.open(str(path), "w", format="mp3") as out:
        stream: Any = out.add_stream("libmp3lame", rate=44_100)
        stream.layout = "mono" if part.channels == 1 else "stereo"
        stream.bit_rate = 128_000
        _encode(out, stream, _blocks(part, 44_100, part.channels), 0)
        for packet in stream.encode(None):
            out.mux(packet)


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
