"""Exporting a book: the chosen chapters to an M4B or a folder, captions beside, into History.

Runs on the loop; each chapter is rendered in a worker thread (audiobook.py), so Cancel is
felt between chapters and the chapters already written stay for the next Export.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audio_studio.core.errors import InputError
from audio_studio.core.models import HistoryKind, Latency, Usage
from audio_studio.core.narration.audiobook import (
    BookMeta,
    Rendered,
    book_timeline,
    clear_workdir,
    render_chapter,
    write_captions,
    write_folder,
    write_m4b,
)
from audio_studio.core.narration.chapters import chapter_chunks, chapter_spans
from audio_studio.core.narration.export import check_exportable, provenance_comment
from audio_studio.core.narration.project import NarrationProject
from audio_studio.core.narration.store import ProjectStore, project_title
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["BookOutcome", "export_book", "is_book_output"]

CAPTION_FORMATS = ("srt", "vtt")


@dataclass(frozen=True)
class BookOutcome:
    item: HistoryItem
    path: Path  # the M4B, or the folder
    files: tuple[Path, ...]  # the audio files written
    captions: tuple[Path, ...]
    chapters: int
    duration_s: float


def is_book_output(target: str) -> bool:
    """An M4B file, or a folder (named with a trailing slash, or one that exists), as typed."""
    path = Path(target)
    return path.suffix.lower() == ".m4b" or target.endswith(("/", "\\")) or path.is_dir()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record(
    role: str, path: Path, fmt: str, duration: float | None, r: Rendered | None
) -> FileRecord:
    return FileRecord(
        role, path.resolve(), _sha256(path), fmt, path.stat().st_size, duration,
        r.sample_rate if r else None, r.channels if r else None,
    )  # fmt: skip


async def export_book(
    ctx: StudioContext,
    projects: ProjectStore,
    project: NarrationProject,
    out: Path,
    *,
    pause: float,
    chosen: Sequence[int] | None = None,
    captions: str | None = None,
    loudness_lufs: float | None = None,
    progress: ProgressFn | None = None,
) -> BookOutcome:
    """Write the chosen chapters (0-based; None: all) as ``out`` (an .m4b, or a folder).

    Raises:
        InputError: chosen chapters with sentences that have no audio or are stale.
        StorageError / AudioError: a file could not be written, or a take not read.
    """
    started = time.perf_counter()
    if captions is not None and captions not in CAPTION_FORMATS:
        raise InputError(f"Captions are written as SRT or VTT, not {captions}.")
    spans = chapter_spans(project)
    picked = [s for s in spans if chosen is None or s.index in chosen]
    if not picked:
        raise InputError("No chapter is chosen; tick at least one chapter to export.")
    chunks = [c for s in picked for c in chapter_chunks(project, s)]
    check_exportable(project, chunks)
    target = loudness_lufs if loudness_lufs is not None else ctx.settings.loudness_target_lufs
    workdir = projects.folder / f"{project.id}.export"
    parts: list[Rendered] = []
    for k, span in enumerate(picked):
        if progress:
            progress(0.8 * k / len(picked), f"Chapter {k + 1} of {len(picked)}: {span.title}")
        last = k == len(picked) - 1
        parts.append(
            await asyncio.to_thread(
                render_chapter, project, span, workdir, pause=pause, target_lufs=target, last=last
            )
        )
    book = project.book
    cover = None
    if book and book.cover_path:
        cover = await asyncio.to_thread(_read_cover, Path(book.cover_path))
    takes = [c.take for c in chunks if c.take is not None]
    title = (book.title if book else "") or project.title or project_title(project.script)
    meta = BookMeta(
        title=title,
        author=(book.author if book else "") or "",
        year=(book.year if book else "") or "",
        comment=provenance_comment(takes),
        cover=cover,
        cover_type=_image_type(cover),
    )
    if progress:
        progress(0.8, f"Writing {out.name}…")
    folder = out.suffix.lower() != ".m4b"
    records: list[FileRecord] = []
    caption_paths: list[Path] = []
    if folder:
        files = await asyncio.to_thread(write_folder, parts, out, meta)
        duration = sum(p.duration_s for p in parts)
        for path, part in zip(files, parts, strict=True):
            records.append(
                await asyncio.to_thread(_record, "export", path, "mp3", part.duration_s, part)
            )
            if captions:
                timed = book_timeline([part])
                cap = await asyncio.to_thread(
                    write_captions, timed, path.with_suffix(f".{captions}"), captions
                )
                caption_paths.append(cap)
    else:
        duration = await asyncio.to_thread(write_m4b, parts, out, meta)
        files = [out]
        records.append(await asyncio.to_thread(_record, "export", out, "m4b", duration, parts[0]))
        if captions:
            cap = await asyncio.to_thread(
                write_captions, book_timeline(parts), out.with_suffix(f".{captions}"), captions
            )
            caption_paths.append(cap)
    for cap in caption_paths:
        records.append(
            await asyncio.to_thread(_record, "captions", cap, captions or "srt", None, None)
        )
    parent = await asyncio.to_thread(lambda: projects.ensure_item(project, running=False))
    entry = HistoryEntry(
        kind=HistoryKind.NARRATION,
        title=f"{title} ({'chapters' if folder else 'm4b'})",
        provider=project.settings.provider,
        model=project.settings.model,
        voice=project.settings.voice_name or project.settings.voice,
        params={
            "project": project.id,
            "format": "mp3 chapters" if folder else "m4b",
            "chapters": [p.title for p in parts],
            "chapter_numbers": [p.number for p in parts],
            "loudness_target_lufs": target,
            "captions": captions,
            "author": meta.author,
        },
        input_text=project.script,
        duration_s=duration,
        usage=Usage(
            characters=sum(len(t.spoken) for t in takes), requests=0, audio_seconds=duration
        ),
        latency=Latency(total_ms=(time.perf_counter() - started) * 1000),
        files=tuple(records),
        parent_id=parent,
        tags=("export", "audiobook"),
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    item = await asyncio.to_thread(ctx.history.get, item_id)
    assert item is not None
    await asyncio.to_thread(clear_workdir, workdir)
    await asyncio.to_thread(projects.save, project)
    if progress:
        progress(1.0, f"Exported {out.name}")
    return BookOutcome(item, out, tuple(files), tuple(caption_paths), len(parts), duration)


def _read_cover(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None  # the cover went missing: the book is still worth exporting


def _image_type(data: bytes | None) -> str:
    if not data:
        return ""
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
