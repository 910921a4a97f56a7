"""Watch folders: every audio or video file that appears is transcribed once, its exports written.

A FolderWatcher polls its folders (polling works the same on every system and on network
shares, where file-change notifications often do not arrive). A file is taken only once its
size and modification time have stayed the same for ``settle_s``: something still copying or
recording into the folder is left alone until it is complete. Files whose content was already
transcribed (same SHA-256 as a recording with a transcript in History) are skipped, so a
second copy or a restart does no work twice. Each file is a TRANSCRIPTION job on the studio's
runner (the Jobs dock shows it in the window), its transcript goes to History like any other,
and the chosen formats are written to the output folder. A file that cannot be transcribed
is reported once (one event) and the watch goes on; it is tried again only if it changes.

Threads: async on the loop; stat calls and hashing go through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from audio_studio.core.errors import InputError, StudioError
from audio_studio.core.fileio import inside, sha256_file
from audio_studio.core.jobs.runner import JobContext
from audio_studio.core.models import HistoryKind, JobKind, TranscriptionRequest
from audio_studio.core.transcription.exports import (
    EXPORT_FORMATS,
    ExportOptions,
    export_file,
    export_name,
)

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext
    from audio_studio.core.transcription.service import TranscriptionService
    from audio_studio.core.transcription.transcribe import TranscriptionOutcome

__all__ = [
    "MEDIA_EXTENSIONS",
    "FolderWatcher",
    "WatchEvent",
    "WatchEventKind",
    "WatchFolders",
    "media_files",
]

log = logging.getLogger(__name__)

MEDIA_EXTENSIONS = frozenset(
    {
        ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".wav", ".webm", ".ogg", ".oga", ".opus",
        ".flac", ".aac", ".mkv", ".mov", ".avi", ".wma", ".aiff", ".aif",
    }
)  # fmt: skip
# Names that download managers and recorders use while a file is still being written.
_PARTIAL = (".part", ".partial", ".crdownload", ".download", ".tmp", "~")


def _is_media(path: Path) -> bool:
    name = path.name
    return (
        path.suffix.lower() in MEDIA_EXTENSIONS
        and not name.startswith(".")
        and not name.lower().endswith(_PARTIAL)
    )


def media_files(folder: Path, *, recursive: bool = False) -> list[Path]:
    """The audio and video files in ``folder`` (sorted; hidden and partial files left out).

    Blocking: call via asyncio.to_thread.
    """
    found: list[Path] = []
    if recursive:
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(Path(root) / f for f in files)
    else:
        found = [p for p in folder.iterdir() if p.is_file()]
    return sorted(p for p in found if _is_media(p))


class WatchEventKind(enum.StrEnum):
    SEEN = "seen"  # appeared; waits until it stops growing
    STARTED = "started"
    DONE = "done"
    SKIPPED = "skipped"  # the same content was transcribed before
    FAILED = "failed"


@dataclass(frozen=True)
class WatchEvent:
    kind: WatchEventKind
    path: Path
    message: str = ""
    outputs: tuple[Path, ...] = ()
    item_id: int | None = None


@dataclass
class _Seen:
    size: int
    mtime: float
    since: float  # loop time when size and mtime were last seen to change
    state: str = "waiting"  # "waiting", "done" (or skipped or failed: until it changes)


@dataclass
class FolderWatcher:
    """Serves watch folders until cancelled.

    Args:
        ctx / transcription: the studio's context and transcription service.
        folders: the folders to watch. output: where exports go (None: the output folder).
        formats: export formats (see exports.EXPORT_FORMATS). provider_id: None = Settings'.
        on_event: told of every file seen, started, done, skipped or failed.
    """

    ctx: StudioContext
    transcription: TranscriptionService
    folders: Sequence[Path]
    output: Path | None = None
    formats: Sequence[str] = ("txt",)
    provider_id: str | None = None
    on_event: Callable[[WatchEvent], None] = lambda _e: None
    recursive: bool = False
    poll_s: float = 1.0
    settle_s: float = 2.0
    _seen: dict[Path, _Seen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f.lower() not in EXPORT_FORMATS]
        if unknown:
            raise InputError(
                f"Watch folders can write {', '.join(EXPORT_FORMATS)}; not {', '.join(unknown)}."
            )

    async def run(self) -> None:
        """Watch until cancelled (Ctrl+C, or the studio closing)."""
        for folder in self.folders:
            if not await asyncio.to_thread(folder.is_dir):
                raise InputError(f"{folder} is not a folder; choose a folder to watch.")
        while True:
            await self.poll()
            await asyncio.sleep(self.poll_s)

    async def poll(self) -> list[WatchEvent]:
        """One look at the folders: transcribe what is ready, one file at a time."""
        events: list[WatchEvent] = []
        for path in await self._ready():
            event = await self.process(path)
            events.append(event)
        return events

    async def _ready(self) -> list[Path]:
        now = asyncio.get_running_loop().time()
        listed = await asyncio.to_thread(self._stat_all)
        ready = []
        for path, (size, mtime) in listed.items():
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime) != (size, mtime):
                if seen is None or seen.state != "waiting":
                    self.on_event(WatchEvent(WatchEventKind.SEEN, path))
                self._seen[path] = _Seen(size, mtime, now)
                continue
            if seen.state == "waiting" and size > 0 and now - seen.since >= self.settle_s:
                ready.append(path)
        for gone in set(self._seen) - set(listed):
            del self._seen[gone]
        return ready

    def _stat_all(self) -> dict[Path, tuple[int, float]]:
        out: dict[Path, tuple[int, float]] = {}
        for folder in self.folders:
            try:
                files = media_files(folder, recursive=self.recursive)
            except OSError as exc:
                log.info("watch: cannot list %s: %s", folder, exc)
                continue
            for path in files:
                try:
                    st = path.stat()
                except OSError:
                    continue  # removed between listing and stat
                out[path] = (st.st_size, st.st_mtime)
        return out

    async def process(self, path: Path) -> WatchEvent:
        """Transcribe ``path`` (unless its content was done before) and write its exports."""
        seen = self._seen.get(path)
        try:
            digest = await asyncio.to_thread(sha256_file, path)
        except OSError as exc:
            event = WatchEvent(WatchEventKind.FAILED, path, f"cannot be read ({exc.strerror})")
            return self._finish(path, seen, event)
        if await self._already_done(digest):
            event = WatchEvent(WatchEventKind.SKIPPED, path, "already transcribed (same content)")
            return self._finish(path, seen, event)
        self.on_event(WatchEvent(WatchEventKind.STARTED, path))
        try:
            outcome = await self._transcribe(path)
            outputs = await self._export(path, outcome)
        except StudioError as exc:
            event = WatchEvent(WatchEventKind.FAILED, path, exc.message)
            return self._finish(path, seen, event)
        event = WatchEvent(WatchEventKind.DONE, path, "", tuple(outputs), outcome.item.id)
        return self._finish(path, seen, event)

    def _finish(self, path: Path, seen: _Seen | None, event: WatchEvent) -> WatchEvent:
        if seen is not None:
            seen.state = event.kind.value
        self.on_event(event)
        return event

    async def _already_done(self, digest: str) -> bool:
        rows = await asyncio.to_thread(
            self.ctx.db.query,
            "SELECT 1 FROM items AS r JOIN files AS f ON f.item_id = r.id "
            "JOIN items AS t ON t.parent_id = r.id "
            "WHERE r.kind = ? AND f.sha256 = ? AND t.kind = ? LIMIT 1",
            (HistoryKind.RECORDING.value, digest, HistoryKind.TRANSCRIPT.value),
        )
        return bool(rows)

    async def _transcribe(self, path: Path) -> TranscriptionOutcome:
        request = TranscriptionRequest(audio=path)

        async def work(job: JobContext) -> TranscriptionOutcome:
            return await self.transcription.transcribe(
                request, provider_id=self.provider_id, progress=job.report
            )

        pid = self.provider_id or self.ctx.settings.transcription_provider or "local"
        job = self.ctx.runner.submit(
            JobKind.TRANSCRIPTION, f"Watch: {path.name}", work, provider=pid
        )
        return await job.result()

    async def _export(self, path: Path, outcome: TranscriptionOutcome) -> list[Path]:
        settings = self.ctx.settings
        folder = self.output or Path(settings.output_dir or self.ctx.paths.default_output_dir)
        recording = outcome.recording.file("audio")
        options = ExportOptions.from_settings(
            settings,
            title=path.stem,
            provider=outcome.item.provider or "",
            audio=recording.path if recording is not None else path,
        )
        written = []
        for fmt in self.formats:
            name = export_name(settings.export_name_template, fmt, title=path.stem,
                               provider=options.provider)  # fmt: skip
            target = inside(folder, name, what="export name")
            written.append(
                await asyncio.to_thread(export_file, outcome.transcript, fmt, target, options)
            )
        return written


class WatchFolders:
    """The watch folders in Settings, served while the studio is open (``apply`` after a change).

    Args:
        on_event: told of every file seen, started, done, skipped or failed, and of folders
            that cannot be watched (as a FAILED event for the folder).
    """

    def __init__(
        self,
        ctx: StudioContext,
        transcription: TranscriptionService,
        on_event: Callable[[WatchEvent], None] = lambda _e: None,
    ) -> None:
        self.ctx = ctx
        self.transcription = transcription
        self.on_event = on_event
        self.watcher: FolderWatcher | None = None
        self._task: asyncio.Task[None] | None = None
        self._key: tuple[object, ...] = ()

    @property
    def folders(self) -> tuple[Path, ...]:
        return tuple(self.watcher.folders) if self.watcher is not None else ()

    async def apply(self) -> None:
        """Serve what Settings say now (restarting only if something changed)."""
        settings = self.ctx.settings
        key = (
            settings.watch_folders, settings.watch_output_dir, settings.watch_formats,
            settings.transcription_provider,
        )  # fmt: skip
        if key == self._key and (self._task is None or not self._task.done()):
            return
        await self.stop()
        self._key = key
        folders = []
        for name in settings.watch_folders:
            folder = Path(name)
            if await asyncio.to_thread(folder.is_dir):
                folders.append(folder)
            else:
                message = "is not a folder (any more): not watched; check Settings → Transcription"
                self.on_event(WatchEvent(WatchEventKind.FAILED, folder, message))
        formats = [f for f in settings.watch_formats if f in EXPORT_FORMATS] or ["txt"]
        if not folders:
            return
        output = Path(settings.watch_output_dir) if settings.watch_output_dir else None
        self.watcher = FolderWatcher(
            self.ctx, self.transcription, folders, output=output, formats=formats,
            on_event=self.on_event,
        )  # fmt: skip
        self._task = asyncio.ensure_future(self._serve(self.watcher))

    async def _serve(self, watcher: FolderWatcher) -> None:
        try:
            await watcher.run()
        except StudioError as exc:
            folder = watcher.folders[0] if watcher.folders else Path()
            self.on_event(WatchEvent(WatchEventKind.FAILED, folder, exc.message))

    async def stop(self) -> None:
        task, self._task = self._task, None
        self.watcher = None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                if not task.cancelled():
                    raise
