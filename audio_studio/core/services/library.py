"""The History library's actions: re-run an item with its own parameters, delete with undo.

Re-run rebuilds the original request from the item's stored provenance and sends it through
the same workflow, so it is billed, budgeted and recorded like the first run.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    AudioFormat,
    HistoryKind,
    MusicRequest,
    SfxRequest,
    SpeechRequest,
    TranscriptionRequest,
)
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.services.maintenance import (
    CleanupReport,
    DiskUsage,
    ImportReport,
    cleanup_older_than,
    disk_usage,
    export_library,
    import_library,
)
from audio_studio.core.store.history import HistoryItem
from audio_studio.core.store.usage import MonthUsage, usage_by_month

if TYPE_CHECKING:
    from audio_studio.core.services.studio import StudioService

__all__ = ["Deletion", "Library", "register_rerunner", "rerun"]

Rerunner = Callable[["StudioService", HistoryItem, ProgressFn | None], Awaitable[HistoryItem]]
_RERUNNERS: dict[HistoryKind, Rerunner] = {}


def register_rerunner(kind: HistoryKind, rerunner: Rerunner) -> None:
    """Workflows with their own kinds (narration) add how to make their items again."""
    _RERUNNERS[kind] = rerunner


def _fmt(params: Any, default: AudioFormat) -> AudioFormat:
    try:
        return AudioFormat(str(params.get("format") or default.value))
    except ValueError:
        return default


async def _speech(service: StudioService, item: HistoryItem, progress: ProgressFn | None) -> Any:
    p = item.params
    request = SpeechRequest(
        text=item.input_text,
        voice=item.voice,
        model=item.model,
        speed=float(p.get("speed", 1.0)),
        format=_fmt(p, AudioFormat.WAV),
        instructions=p.get("instructions"),
        settings=dict(p.get("settings") or {}),
    )
    return (await service.speak(request, provider_id=item.provider, progress=progress)).item


async def _sfx(service: StudioService, item: HistoryItem, progress: ProgressFn | None) -> Any:
    p = item.params
    if p.get("engine") == "sfxr":
        # The procedural engine is fully determined by its parameters and seed: same bytes.
        request = SfxRequest(
            params=dict(p),
            seed=int(p["seed"]),
            preset=p.get("preset"),
            format=_fmt(p, AudioFormat.WAV),
        )
    else:
        request = SfxRequest(
            prompt=item.prompt,
            duration_s=p.get("duration_requested_s"),
            prompt_influence=p.get("prompt_influence"),
            loop=bool(p.get("loop", False)),
            model=item.model,
            format=_fmt(p, AudioFormat.MP3),
        )
    from audio_studio.core.services.sfx import generate_sfx

    outcome = await generate_sfx(
        service, request, provider_id=item.provider, progress=progress, parent_id=item.parent_id
    )
    return outcome.item


async def _transcript(
    service: StudioService, item: HistoryItem, progress: ProgressFn | None
) -> Any:
    p = item.params
    source: Path | None = None
    if item.parent_id is not None:
        recording = await asyncio.to_thread(service.history.get, item.parent_id)
        audio = recording.file("audio") if recording else None
        source = audio.path if audio else None
    if source is None and p.get("source"):
        source = Path(str(p["source"]))
    if source is None:
        raise InputError("This transcript no longer has its audio, so it cannot be made again.")
    request = TranscriptionRequest(
        audio=source,
        model=item.model,
        language=p.get("language_requested"),
        prompt=p.get("prompt"),
        word_timestamps=bool(p.get("word_timestamps", True)),
        diarize=bool(p.get("diarize", False)),
        num_speakers=p.get("num_speakers"),
        vad=bool(p.get("vad", False)),
        translate=bool(p.get("translate", False)),
        settings=dict(p.get("settings") or {}),
    )
    from audio_studio.core.services.transcription import transcribe

    outcome = await transcribe(
        service, request, provider_id=item.provider, progress=progress, recording_id=item.parent_id
    )
    return outcome.item


async def _music(service: StudioService, item: HistoryItem, progress: ProgressFn | None) -> Any:
    p = item.params
    request = MusicRequest(
        prompt=item.prompt,
        duration_s=p.get("duration_s"),
        lyrics=p.get("lyrics"),
        instrumental=bool(p.get("instrumental", False)),
        model=item.model,
        seed=p.get("seed"),
        format=_fmt(p, AudioFormat.MP3),
    )
    outcome = await service.generate_music(request, provider_id=item.provider, progress=progress)
    return await asyncio.to_thread(service.history.get, outcome.item_id)


async def _take(service: StudioService, item: HistoryItem, progress: ProgressFn | None) -> Any:
    from audio_studio.core.services.narration_rerun import rerun_take

    return await rerun_take(service, item, progress)


async def _narration(service: StudioService, item: HistoryItem, progress: ProgressFn | None) -> Any:
    from audio_studio.core.services.narration_rerun import rerun_narration

    return await rerun_narration(service, item, progress)


for _kind, _fn in (
    (HistoryKind.SPEECH, _speech),
    (HistoryKind.TAKE, _take),
    (HistoryKind.NARRATION, _narration),
    (HistoryKind.SFX, _sfx),
    (HistoryKind.TRANSCRIPT, _transcript),
    (HistoryKind.MUSIC, _music),
):
    register_rerunner(_kind, _fn)


async def rerun(
    service: StudioService, item: HistoryItem, progress: ProgressFn | None = None
) -> HistoryItem:
    """Make ``item`` again with exactly its parameters; returns the new History item.

    Raises:
        InputError: this kind of item cannot be made again (a recording, a cloned voice).
        StudioError: whatever the workflow raises (budget, provider, storage).
    """
    rerunner = _RERUNNERS.get(item.kind)
    if rerunner is None:
        raise InputError(f"A {item.kind.value} cannot be made again; there is nothing to re-run.")
    result: HistoryItem = await rerunner(service, item, progress)
    return result


@dataclass(frozen=True)
class Deletion:
    """What one delete removed, kept until the next delete so it can be undone."""

    items: tuple[HistoryItem, ...]  # the item and everything below it
    trash: Path
    moved: tuple[tuple[Path, Path], ...]  # (where the file was, where it waits in the trash)

    @property
    def title(self) -> str:
        return self.items[0].title or self.items[0].kind.value


class Library:
    """The History library's actions: re-run, usage, upkeep, and delete with undo of the last
    delete (files shared with other items are kept)."""

    def __init__(self, service: StudioService) -> None:
        self._service = service
        self.last: Deletion | None = None

    @property
    def trash_root(self) -> Path:
        return self._service.paths.data_dir / "trash"

    async def rerun(self, item: HistoryItem, progress: ProgressFn | None = None) -> HistoryItem:
        return await rerun(self._service, item, progress)

    async def usage(self, months: int = 12) -> list[MonthUsage]:
        return await asyncio.to_thread(usage_by_month, self._service.history, months=months)

    async def disk_usage(self) -> DiskUsage:
        return await asyncio.to_thread(disk_usage, self._service.paths)

    async def cleanup_older_than(self, days: float) -> CleanupReport:
        service = self._service
        return await asyncio.to_thread(
            cleanup_older_than, service.history, service.paths.data_dir, days
        )

    async def export(self, target: Path) -> int:
        service = self._service
        return await asyncio.to_thread(export_library, service.db, service.paths.data_dir, target)

    async def import_(self, source: Path) -> ImportReport:
        service = self._service
        return await asyncio.to_thread(
            import_library, service.history, service.paths.data_dir, source
        )

    async def delete(self, item_id: int) -> Deletion:
        if self.last is not None:
            await asyncio.to_thread(shutil.rmtree, self.last.trash, True)
            self.last = None
        deletion = await asyncio.to_thread(self._delete, item_id)
        self.last = deletion
        return deletion

    async def undo(self) -> Deletion | None:
        """Put back what the last delete removed (rows with their ids, and their files)."""
        deletion, self.last = self.last, None
        if deletion is not None:
            await asyncio.to_thread(self._undo, deletion)
        return deletion

    def _delete(self, item_id: int) -> Deletion:
        history = self._service.history
        items = history.with_descendants(item_id)
        if not items:
            raise InputError(f"There is no item {item_id} in History (already deleted?).")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        trash = self.trash_root / stamp
        history.delete(item_id)  # children and file rows go with it (ON DELETE CASCADE)
        data_dir = self._service.paths.data_dir.resolve()
        moved: list[tuple[Path, Path]] = []
        for path in {f.path for item in items for f in item.files}:
            try:
                relative = path.resolve().relative_to(data_dir)
            except ValueError:
                continue  # a copy the user exported elsewhere stays where they put it
            if history.file_users(path) or not path.exists():
                continue  # another item still uses these bytes
            target = trash / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
            moved.append((path, target))
        return Deletion(tuple(items), trash, tuple(moved))

    def _undo(self, deletion: Deletion) -> None:
        for original, parked in deletion.moved:
            original.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                shutil.move(str(parked), original)
        self._service.history.restore(deletion.items)
        shutil.rmtree(deletion.trash, ignore_errors=True)
