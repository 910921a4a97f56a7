"""The History library: make again, delete with undo, queries, usage, upkeep, import/export.

It sits above the features (narration, transcription, sound, music) and may use them all;
making an item again goes through the feature that made it (library/rerun.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import InputError
from audio_studio.core.library.maintenance import (
    CleanupReport,
    DiskUsage,
    ImportReport,
    cleanup_older_than,
    disk_usage,
    export_library,
    import_library,
)
from audio_studio.core.library.rerun import Remaker
from audio_studio.core.narration import NarrationService
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.sound import MusicService, SoundService
from audio_studio.core.store.history import HistoryItem, HistoryQuery
from audio_studio.core.store.usage import MonthUsage, usage_by_month
from audio_studio.core.transcription import TranscriptionService

__all__ = ["Deletion", "Library"]


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

    def __init__(
        self,
        ctx: StudioContext,
        *,
        narration: NarrationService,
        transcription: TranscriptionService,
        sound: SoundService,
        music: MusicService,
    ) -> None:
        self._ctx = ctx
        self.last: Deletion | None = None
        self._remaker = Remaker(
            ctx, narration=narration, transcription=transcription, sound=sound, music=music
        )

    @property
    def trash_root(self) -> Path:
        return self._ctx.paths.data_dir / "trash"

    async def rerun(self, item: HistoryItem, progress: ProgressFn | None = None) -> HistoryItem:
        """Make ``item`` again with exactly its parameters (see library/rerun.py)."""
        return await self._remaker.remake(item, progress)

    async def query(self, query: HistoryQuery) -> list[HistoryItem]:
        return await asyncio.to_thread(self._ctx.history.query, query)

    async def count(self, query: HistoryQuery) -> int:
        return await asyncio.to_thread(self._ctx.history.count, query)

    async def usage(self, months: int = 12) -> list[MonthUsage]:
        return await asyncio.to_thread(usage_by_month, self._ctx.history, months=months)

    async def disk_usage(self) -> DiskUsage:
        return await asyncio.to_thread(disk_usage, self._ctx.paths)

    async def cleanup_older_than(self, days: float) -> CleanupReport:
        ctx = self._ctx
        return await asyncio.to_thread(cleanup_older_than, ctx.history, ctx.paths.data_dir, days)

    async def export(self, target: Path) -> int:
        ctx = self._ctx
        return await asyncio.to_thread(export_library, ctx.db, ctx.paths.data_dir, target)

    async def import_(self, source: Path) -> ImportReport:
        ctx = self._ctx
        return await asyncio.to_thread(import_library, ctx.history, ctx.paths.data_dir, source)

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
        history = self._ctx.history
        items = history.with_descendants(item_id)
        if not items:
            raise InputError(f"There is no item {item_id} in History (already deleted?).")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        trash = self.trash_root / stamp
        history.delete(item_id)  # children and file rows go with it (ON DELETE CASCADE)
        data_dir = self._ctx.paths.data_dir.resolve()
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
        self._ctx.history.restore(deletion.items)
        shutil.rmtree(deletion.trash, ignore_errors=True)
