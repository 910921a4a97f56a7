"""Voice-over from subtitles: every cue's takes placed at the cue's start, silence between.

The lines of one cue are joined with the project's sentence pause and their leading and
trailing silence trimmed, so the words begin on the cue. A cue whose audio is longer than its
slot (until the next cue starts) is sped up, pitch kept (core/audio/stretch.py), by at most
the user's limit; one that still does not fit is flagged, and it overlaps the next line rather
than pushing it, so every line still starts on its cue, frame for frame with the video.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from audio_studio.core.audio import codec
from audio_studio.core.audio.loudness import normalize
from audio_studio.core.audio.stretch import stretch
from audio_studio.core.errors import InputError
from audio_studio.core.fileio import atomic_write_bytes
from audio_studio.core.models import AudioFormat, HistoryKind, Latency, Usage
from audio_studio.core.narration.export import check_exportable, provenance_comment
from audio_studio.core.narration.project import Chunk, NarrationProject
from audio_studio.core.narration.store import ProjectStore
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["MAX_SPEEDUP", "CueLine", "VoiceOverOutcome", "export_voiceover", "render_voiceover"]

MAX_SPEEDUP = 1.25  # the default limit: faster than this sounds hurried
_SILENCE_DB = -45.0  # below this a take's edges count as silence


@dataclass(frozen=True)
class CueLine:
    """How one cue was placed: its slot, its audio's length before and after speeding up."""

    number: int  # 1-based, in time order
    start_s: float
    slot_s: float
    spoken_s: float  # before speeding up
    speed: float  # 1.0 when it fitted as made
    placed_s: float  # the length it takes in the track

    @property
    def fits(self) -> bool:
        return self.placed_s <= self.slot_s + 0.01


@dataclass(frozen=True)
class VoiceOverOutcome:
    item: HistoryItem
    path: Path
    duration_s: float
    lines: tuple[CueLine, ...]

    @property
    def overruns(self) -> tuple[CueLine, ...]:
        return tuple(line for line in self.lines if not line.fits)


def _trim(samples: np.ndarray) -> np.ndarray:
    """Without the silence before the first and after the last sound."""
    level = np.abs(samples).max(axis=1)
    loud = np.nonzero(level > 10 ** (_SILENCE_DB / 20))[0]
    if not len(loud):
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


def _cue_groups(project: NarrationProject) -> list[tuple[float, float, list[Chunk]]]:
    book = project.book
    if book is None or not book.cues:
        raise InputError(
            "This narration did not come from subtitles; open an SRT or VTT file to make a "
            "voice-over."
        )
    firsts = []
    for cue in book.cues:
        chunk = project.find(cue.chunk)
        if chunk is not None:
            firsts.append((cue.start_s, cue.end_s, project.index(chunk)))
    groups = []
    for k, (start, end, first) in enumerate(firsts):
        last = firsts[k + 1][2] if k + 1 < len(firsts) else len(project.chunks)
        groups.append((start, end, project.chunks[first:last]))
    return groups


def render_voiceover(
    project: NarrationProject, max_speedup: float = MAX_SPEEDUP
) -> tuple[codec.AudioData, list[CueLine]]:
    """The voice-over track and how each cue was placed. Blocking."""
    groups = _cue_groups(project)
    clips = {c.id: codec.decode(Path(c.take.path)) for _, _, g in groups for c in g if c.take}
    rate = max(c.sample_rate for c in clips.values())
    gap = project.settings.sentence_pause_s
    placed: list[tuple[int, np.ndarray]] = []
    lines: list[CueLine] = []
    for k, (start, end, chunks) in enumerate(groups):
        parts = []
        for i, chunk in enumerate(chunks):
            clip = codec.resample(clips[chunk.id], rate).samples.mean(axis=1, keepdims=True)
            parts.append(_trim(clip))
            if i + 1 < len(chunks):
                parts.append(np.zeros((round(gap * rate), 1), np.float32))
        audio = np.concatenate(parts) if parts else np.zeros((0, 1), np.float32)
        slot = (groups[k + 1][0] if k + 1 < len(groups) else max(end, start)) - start
        spoken = len(audio) / rate
        speed = 1.0
        if k + 1 < len(groups) and spoken > slot > 0:
            speed = min(max_speedup, spoken / slot)
            audio = stretch(audio, rate, speed)
        length = len(audio) / rate
        if k + 1 == len(groups):
            slot = max(slot, length)  # the last line has the rest of the video
        lines.append(CueLine(k + 1, start, slot, spoken, round(speed, 3), length))
        placed.append((round(start * rate), audio))
    total = max((at + len(a) for at, a in placed), default=0)
    total = max(total, round(max((e for _, e, _ in groups), default=0.0) * rate))
    track = np.zeros((total, 1), np.float32)
    for at, audio in placed:
        track[at : at + len(audio)] += audio  # an overrun overlaps the next line: it is flagged
    return codec.AudioData(track, rate), lines


async def export_voiceover(
    ctx: StudioContext,
    projects: ProjectStore,
    project: NarrationProject,
    path: Path,
    *,
    fmt: AudioFormat | None = None,
    max_speedup: float = MAX_SPEEDUP,
    loudness_lufs: float | None = None,
    progress: ProgressFn | None = None,
) -> VoiceOverOutcome:
    """Write the voice-over track to ``path``; into History under the project.

    Raises:
        InputError: not from subtitles, a speed-up limit outside 1-2, or sentences without
            audio (or stale).
    """
    started = time.perf_counter()
    if not 1.0 <= max_speedup <= 2.0:
        raise InputError("The speed-up limit for lines that run long takes 1.0 to 2.0.")
    check_exportable(project)
    fmt = fmt or (codec.format_for_path(path) if path.suffix else AudioFormat.WAV)
    if path.suffix.lower() != f".{fmt.extension}":
        path = path.with_suffix(f".{fmt.extension}")
    if progress:
        progress(0.1, "Placing the lines on their cues…")
    track, lines = await asyncio.to_thread(render_voiceover, project, max_speedup)
    target = loudness_lufs if loudness_lufs is not None else ctx.settings.loudness_target_lufs
    level = await asyncio.to_thread(normalize, track, target)  # a gain: the timing stays
    takes = [c.take for c in project.chunks if c.take is not None]
    tags = {
        "title": f"{project.title} (voice-over)",
        "artist": project.settings.voice_name or project.settings.voice or "",
        "comment": provenance_comment(takes),
    }
    if progress:
        progress(0.7, f"Encoding {fmt.value}…")
    data = await asyncio.to_thread(codec.encode, level.audio, fmt, tags=tags)
    await asyncio.to_thread(atomic_write_bytes, path, data)
    stored = await asyncio.to_thread(ctx.files.put_bytes, data, fmt.extension)
    parent = await asyncio.to_thread(lambda: projects.ensure_item(project, running=False))
    audio = level.audio
    files = tuple(
        FileRecord(
            role,
            p,
            stored.sha256,
            fmt.value,
            stored.size_bytes,
            audio.duration_s,
            audio.sample_rate,
            audio.channels,
        )
        for role, p in (("audio", stored.path), ("export", path.resolve()))
    )
    overruns = [line.number for line in lines if not line.fits]
    entry = HistoryEntry(
        kind=HistoryKind.NARRATION,
        title=f"{project.title} (voice-over, {fmt.value})",
        provider=project.settings.provider,
        model=project.settings.model,
        voice=project.settings.voice_name or project.settings.voice,
        params={
            "project": project.id,
            "format": fmt.value,
            "voice_over": True,
            "max_speedup": max_speedup,
            "sped_up": [line.number for line in lines if line.speed > 1.0],
            "overruns": overruns,
        },
        input_text=project.script,
        duration_s=audio.duration_s,
        usage=Usage(
            characters=sum(len(t.spoken) for t in takes), requests=0, audio_seconds=audio.duration_s
        ),
        latency=Latency(total_ms=(time.perf_counter() - started) * 1000),
        files=files,
        parent_id=parent,
        tags=("export", "voice-over"),
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    item = await asyncio.to_thread(ctx.history.get, item_id)
    assert item is not None
    await asyncio.to_thread(projects.save, project)
    if progress:
        progress(1.0, f"Exported {path.name}")
    return VoiceOverOutcome(item, path, audio.duration_s, tuple(lines))
