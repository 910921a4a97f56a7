"""Export: the current takes joined with their pauses, normalised to a loudness target, tagged.

Every chunk needs a current take whose text is the chunk's text (nothing missing, nothing
edited since); otherwise the export is refused with what to do. The file is written where the
user asked (atomically) and kept in the audio store, and lands in History as a NARRATION row
under the project's, tagged "export", with provenance but no cost (the takes carry it).
Runs on the loop; decoding, joining, loudness and encoding go through asyncio.to_thread in
batches, so Cancel is felt between them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audio_studio.core.audio import codec
from audio_studio.core.audio.loudness import normalize
from audio_studio.core.errors import InputError, UnsupportedFormatError
from audio_studio.core.fileio import atomic_write_bytes
from audio_studio.core.models import AudioFormat, HistoryKind, Latency, Usage
from audio_studio.core.narration.options import EXPORT_FORMATS
from audio_studio.core.narration.project import Chunk, NarrationProject
from audio_studio.core.narration.store import ProjectStore, project_title
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["ExportOutcome", "check_exportable", "export_project", "provenance_comment"]

_BATCH = 48  # takes decoded per thread hop


@dataclass(frozen=True)
class ExportOutcome:
    item: HistoryItem
    path: Path
    format: AudioFormat
    duration_s: float
    lufs: float | None
    peak_dbfs: float


def _quote(text: str, limit: int = 50) -> str:
    flat = " ".join(text.split())
    return "“" + (flat if len(flat) <= limit else flat[: limit - 1] + "…") + "”"


def check_exportable(project: NarrationProject, chunks: Sequence[Chunk] | None = None) -> None:
    """Raise InputError saying what to do when the project (or ``chunks`` of it, the chosen
    chapters) cannot be exported yet."""
    if chunks is None:
        chunks = project.chunks
    if not chunks:
        raise InputError("There is nothing to export: the script is empty.")
    missing = [c for c in chunks if c.take is None]
    if missing:
        first = missing[0]
        raise InputError(
            f"{len(missing):,} of {len(chunks):,} sentences have no audio yet (the first is "
            f"#{project.index(first) + 1}, {_quote(first.text)}). Generate them, retry them, "
            "or finish them with the offline voice, then export."
        )
    stale = [c for c in chunks if c.stale]
    if stale:
        first = stale[0]
        raise InputError(
            f"{len(stale):,} sentence{'s were' if len(stale) != 1 else ' was'} edited (or "
            "given a new pronunciation) after "
            f"{'their takes were' if len(stale) != 1 else 'its take was'} made (the first is "
            f"#{project.index(first) + 1}, {_quote(first.text)}). Generate them again, or undo "
            "the edit."
        )


def _output(path: Path, fmt: AudioFormat | None, default: AudioFormat) -> tuple[Path, AudioFormat]:
    if fmt is None:
        fmt = codec.format_for_path(path) if path.suffix else default
    if fmt not in EXPORT_FORMATS:
        names = ", ".join(f.value for f in EXPORT_FORMATS)
        raise UnsupportedFormatError(f"Narrations are exported as {names}, not {fmt.value}.")
    if path.suffix.lower() != f".{fmt.extension}":
        path = path.with_suffix(f".{fmt.extension}")  # never mp3 bytes in a file named .wav
    return path, fmt


def _decode_all(paths: Sequence[str]) -> list[codec.AudioData]:
    return [codec.decode(Path(p)) for p in paths]


def _join(clips: list[codec.AudioData], gaps: list[float], lead_s: float) -> codec.AudioData:
    """Clips one after another with ``gaps[i]`` seconds of silence after clip i. Blocking."""
    rate = max(c.sample_rate for c in clips)
    channels = max(c.channels for c in clips)
    ready = []
    for clip in clips:
        clip = codec.resample(clip, rate)
        samples = clip.samples
        if samples.shape[1] != channels:
            samples = np.repeat(samples.mean(axis=1, keepdims=True), channels, axis=1)
        ready.append(samples)
    lead = int(lead_s * rate)
    sizes = [len(s) + int(g * rate) for s, g in zip(ready, gaps, strict=True)]
    out = np.zeros((lead + sum(sizes), channels), np.float32)
    at = lead
    for samples, size in zip(ready, sizes, strict=True):
        out[at : at + len(samples)] = samples
        at += size
    return codec.AudioData(out, rate)


async def export_project(
    ctx: StudioContext,
    projects: ProjectStore,
    project: NarrationProject,
    path: Path,
    *,
    pause: float,
    fmt: AudioFormat | None = None,
    loudness_lufs: float | None = None,
    progress: ProgressFn | None = None,
) -> ExportOutcome:
    """Write the narration to ``path``; see the module docstring.

    Raises:
        InputError: sentences without audio, or edited since their take.
        UnsupportedFormatError: a format narrations are not exported as.
        StorageError / AudioError: the file could not be written, or a take not read.
    """
    check_exportable(project)
    path, fmt = _output(path, fmt, project.settings.export_format)
    started = time.perf_counter()
    target = loudness_lufs if loudness_lufs is not None else ctx.settings.loudness_target_lufs
    takes = [c.take for c in project.chunks if c.take is not None]
    clips: list[codec.AudioData] = []
    for start in range(0, len(takes), _BATCH):
        batch = [t.path for t in takes[start : start + _BATCH]]
        clips.extend(await asyncio.to_thread(_decode_all, batch))
        if progress:
            progress(0.6 * len(clips) / len(takes), f"Reading takes: {len(clips):,}")
    gaps = [project.gap_after(i, pause) for i in range(len(clips))]
    gaps[-1] = 0.0
    joined = await asyncio.to_thread(_join, clips, gaps, project.lead_pause_s)
    del clips
    if progress:
        progress(0.7, f"Normalising to {target:g} LUFS…")
    if fmt is AudioFormat.MP3 and joined.sample_rate < 44_100:
        # LAME low-passes low rates hard (~10 kHz at 22 kHz), which dulls speech and lowers
        # its measured loudness; encode at 44.1 kHz instead.
        joined = await asyncio.to_thread(codec.resample, joined, 44_100)
    level = await asyncio.to_thread(normalize, joined, target)
    tags = _tags(project, takes)
    if progress:
        progress(0.85, f"Encoding {fmt.value}…")
    data = await asyncio.to_thread(codec.encode, level.audio, fmt, tags=tags)
    await asyncio.to_thread(atomic_write_bytes, path, data)
    stored = await asyncio.to_thread(ctx.files.put_bytes, data, fmt.extension)
    took_ms = (time.perf_counter() - started) * 1000
    audio = level.audio
    parent = await asyncio.to_thread(lambda: projects.ensure_item(project, running=False))
    size, rate, channels = stored.size_bytes, audio.sample_rate, audio.channels
    files = tuple(
        FileRecord(role, p, stored.sha256, fmt.value, size, audio.duration_s, rate, channels)
        for role, p in (("audio", stored.path), ("export", path.resolve()))
    )
    provider, model, voice = project.made_by(list(takes))  # not what the picker shows now
    entry = HistoryEntry(
        kind=HistoryKind.NARRATION,
        title=f"{project.title or project_title(project.script)} ({fmt.value})",
        provider=provider,
        model=model,
        voice=voice,
        params=_params(project, takes, level, target, pause, fmt),
        input_text=project.script,
        duration_s=audio.duration_s,
        # No cost here: the takes that called a provider carry it (the budget sums History).
        usage=Usage(
            characters=sum(len(t.spoken) for t in takes),
            requests=0,
            audio_seconds=audio.duration_s,
        ),
        latency=Latency(total_ms=took_ms),
        files=files,
        parent_id=parent,
        tags=_export_tags(takes),
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    await asyncio.to_thread(ctx.history.update, parent, duration_s=audio.duration_s)
    item = await asyncio.to_thread(ctx.history.get, item_id)
    assert item is not None
    await asyncio.to_thread(projects.save, project)
    if progress:
        progress(1.0, f"Exported {path.name}")
    return ExportOutcome(item, path, fmt, audio.duration_s, level.lufs_after, level.peak_dbfs)


def _export_tags(takes: Sequence[Any]) -> tuple[str, ...]:
    flags = {
        "export": True,
        "cloned-voice": any(t.cloned_voice for t in takes),
        "offline-fallback": any(t.fallback for t in takes),
    }
    return tuple(tag for tag, on in flags.items() if on)


def provenance_comment(takes: Sequence[Any]) -> str:
    """The comment tag every export carries: which voices made it, and that they are AI."""
    voices = sorted({f"{t.provider}/{t.voice or 'default'}" for t in takes})
    cloned = " (a cloned voice)" if any(t.cloned_voice for t in takes) else ""
    return f"AI-generated voice{cloned}: {', '.join(voices)}. Made with Audio Studio."


def _tags(project: NarrationProject, takes: Sequence[Any]) -> dict[str, str]:
    s = project.settings
    return {
        "title": project.title or project_title(project.script),
        "artist": s.voice_name or s.voice or s.provider,
        "album": "Audio Studio narration",
        "comment": provenance_comment(takes),
    }


def _params(
    project: NarrationProject,
    takes: Sequence[Any],
    level: Any,
    target: float,
    pause: float,
    fmt: AudioFormat,
) -> dict[str, Any]:
    s = project.settings
    return {
        "project": project.id,
        "format": fmt.value,
        "loudness_target_lufs": target,
        "lufs_before": None if level.lufs_before is None else round(level.lufs_before, 2),
        "lufs": None if level.lufs_after is None else round(level.lufs_after, 2),
        "peak_dbfs": round(level.peak_dbfs, 2),
        "gain_db": round(level.gain_db, 2),
        "paragraph_pause_s": pause,
        "sentence_pause_s": s.sentence_pause_s,
        "speed": s.speed,
        "instructions": s.instructions,
        "settings": dict(s.voice_settings),
        "lexicon": dict(s.lexicon.entries),
        "chunks": len(takes),
        "takes": [t.item_id for t in takes],
        "providers": sorted({t.provider for t in takes}),
        "takes_cost_usd": round(sum(t.cost_usd or 0.0 for t in takes), 6),
        "cache_hits": sum(t.cache_hit for t in takes),
        "offline_fallback": sum(t.fallback for t in takes),
        "cloned_voice": any(t.cloned_voice for t in takes),
        "voice_name": s.voice_name,
    }
