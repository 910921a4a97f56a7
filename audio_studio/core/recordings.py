"""Recordings: a take from the microphone becomes a History RECORDING row with its audio.

A take's History row is created RUNNING when recording starts (its id goes into the spool's
sidecar), so a take a crash interrupted is found again: at start-up ``repair_takes`` fixes the
spool, moves it into the audio store and marks the row done (tagged "recovered"), or makes a
row if there was none. A take whose device went away mid-way is kept the same way, with the
reason in the row's ``error``.

Threads: async methods run on the loop and push device and disk work to threads;
``repair_takes`` is blocking and runs inside ``open_studio`` before the loop starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from audio_studio.core.audio.recorder import Levels, Recorder, Take
from audio_studio.core.audio.spool import repair_take, sidecar_path
from audio_studio.core.errors import AudioError, StudioError
from audio_studio.core.models import HistoryKind, HistoryStatus
from audio_studio.core.store.files import FileStore
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem, HistoryStore
from audio_studio.core.store.history import now_iso as _now

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["RecordingRequest", "RecordingService", "RecordingSession", "repair_takes"]

log = logging.getLogger(__name__)

RECOVERED_NOTE = (
    "Recovered after the studio stopped unexpectedly while recording; at most the last "
    "half second is missing."
)


@dataclass(frozen=True)
class RecordingRequest:
    title: str = ""
    device: str | None = None  # None: the microphone chosen in Settings (or the default)
    sample_rate: int | None = 48000
    channels: int = 1
    max_seconds: float | None = None  # the take ends by itself at this length


class RecordingSession:
    """A take being recorded: levels for the meter, pause and resume."""

    def __init__(self, recorder: Recorder, item_id: int, title: str) -> None:
        self.recorder = recorder
        self.item_id = item_id
        self.title = title

    def levels(self) -> Levels:
        return self.recorder.levels()

    def pause(self) -> None:
        self.recorder.pause()

    def resume(self) -> None:
        self.recorder.resume()

    @property
    def error(self) -> StudioError | None:
        """Set when the device went away; the take so far is kept."""
        return self.recorder.error


class RecordingService:
    """Starts takes on the studio's audio backend and files them in History."""

    def __init__(self, ctx: StudioContext) -> None:
        self.ctx = ctx

    async def start(self, request: RecordingRequest | None = None) -> RecordingSession:
        """Open the microphone and start a take.

        Raises:
            DeviceUnavailableError: no microphone, or it refused to open (the message says why).
            StorageError: the recordings folder cannot be written.
        """
        request = request or RecordingRequest()
        ctx = self.ctx
        title = request.title or f"Recording {datetime.now().strftime('%Y-%m-%d %H:%M:%S')}"
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = ctx.paths.recordings_dir / f"{stamp}-{uuid.uuid4().hex[:8]}.wav"
        device = request.device if request.device is not None else ctx.settings.input_device
        entry = HistoryEntry(
            kind=HistoryKind.RECORDING,
            title=title,
            status=HistoryStatus.RUNNING,
            params={"device": device or "default", "spool": path.name},
        )
        item_id = await asyncio.to_thread(ctx.history.add, entry)
        recorder = Recorder(
            ctx.audio_backend,
            path,
            device=device,
            sample_rate=request.sample_rate,
            channels=request.channels,
            info={"item_id": item_id, "title": title},
            limit_s=request.max_seconds,
        )
        try:
            await asyncio.to_thread(recorder.start)
            # Return once audio flows, so "recording" is never shown before it is true. A
            # device that never delivers is caught by the recorder's stall watchdog.
            await asyncio.to_thread(recorder.wait_live, 5.0)
        except BaseException as exc:
            message = exc.message if isinstance(exc, StudioError) else "Recording did not start."
            await asyncio.to_thread(
                ctx.history.update,
                item_id,
                status=HistoryStatus.FAILED,
                error=message,
                finished_at=_now(),
            )
            raise
        return RecordingSession(recorder, item_id, title)

    async def finish(self, session: RecordingSession) -> HistoryItem:
        """Stop the take, store its audio and complete its History row; returns the row.

        Raises:
            AudioError: no audio at all was recorded (the row is marked failed).
            StorageError: the take could not be moved into the audio store (it stays in the
                recordings folder and is repaired at the next start).
        """
        take = await asyncio.to_thread(session.recorder.stop)
        return await asyncio.to_thread(self._file_take, session, take)

    def _file_take(self, session: RecordingSession, take: Take) -> HistoryItem:
        history, files = self.ctx.history, self.ctx.files
        if take.frames == 0:
            _remove(take.path)
            message = (take.error.message + " ") if take.error else ""
            history.update(
                session.item_id,
                status=HistoryStatus.FAILED,
                error=f"{message}No audio was recorded.",
                finished_at=_now(),
            )
            raise AudioError(f"{message}No audio was recorded, so nothing was kept.")
        stored = files.put_file(take.path, "wav", move=True)
        record = FileRecord.of("audio", stored, take.duration_s, take.sample_rate, take.channels)
        params = {
            "device": take.device,
            "sample_rate": take.sample_rate,
            "channels": take.channels,
            "overflows": take.overflows,
            "dropped_s": round(take.dropped_frames / take.sample_rate, 3),
            "clipped_samples": take.clipped_samples,
            "pauses": list(take.pauses),
            "notices": list(take.notices),
        }
        history.update(
            session.item_id,
            status=HistoryStatus.DONE,
            duration_s=take.duration_s,
            params=params,
            error=take.error.message if take.error else None,
            finished_at=_now(),
        )
        history.add_files(session.item_id, [record])
        _remove(sidecar_path(take.path))
        item = history.get(session.item_id)
        assert item is not None
        log.info("recording #%d stored: %.1f s", session.item_id, take.duration_s)
        return item

    async def discard(self, session: RecordingSession) -> None:
        """Stop and throw the take away (the user cancelled it)."""
        take = await asyncio.to_thread(session.recorder.stop)
        _remove(take.path)
        _remove(sidecar_path(take.path))
        await asyncio.to_thread(self.ctx.history.delete, session.item_id)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def repair_takes(history: HistoryStore, files: FileStore, recordings_dir: Path) -> list[str]:
    """Repair takes left by a crash and offer them in History; returns notices for the user.

    A take still being recorded by another studio process is locked and left alone. Blocking.
    """
    notices: list[str] = []
    for spool in sorted(recordings_dir.glob("*.wav")):
        try:
            notice = _repair_one(history, files, spool)
        except (OSError, StudioError) as exc:
            reason = exc.message if isinstance(exc, StudioError) else str(exc)
            log.warning("could not recover the take %s: %s", spool, reason)
            notices.append(
                f"A recording interrupted by a crash could not be recovered yet ({reason}). "
                f"It is kept in {spool.parent}; the studio tries again at the next start."
            )
            continue
        if notice:
            notices.append(notice)
    return notices


def _repair_one(history: HistoryStore, files: FileStore, spool: Path) -> str | None:
    repaired = repair_take(spool)
    if repaired is None:
        return None
    meta = repaired.sidecar
    item_id = meta.get("item_id")
    row = history.get(int(item_id)) if isinstance(item_id, int) else None
    if repaired.frames == 0:
        _remove(spool)
        _remove(sidecar_path(spool))
        if row is not None:
            history.update(
                row.id,
                status=HistoryStatus.FAILED,
                error="The studio stopped before any audio was recorded.",
                finished_at=_now(),
            )
        return None
    stored = files.put_file(spool, "wav", move=True)
    record = FileRecord.of(
        "audio", stored, repaired.duration_s, repaired.sample_rate, repaired.channels
    )
    title = str(meta.get("title") or f"Recovered recording {spool.stem}")
    if row is None:
        item = history.add(
            HistoryEntry(
                kind=HistoryKind.RECORDING,
                title=title,
                duration_s=repaired.duration_s,
                error=RECOVERED_NOTE,
                files=(record,),
                tags=("recovered",),
                params={"device": meta.get("device"), "sample_rate": repaired.sample_rate},
                created_at=meta.get("started_at"),
            )
        )
    else:
        item = row.id
        history.update(
            item,
            status=HistoryStatus.DONE,
            duration_s=repaired.duration_s,
            error=RECOVERED_NOTE,
            tags=(*row.tags, "recovered"),
            finished_at=_now(),
        )
        history.add_files(item, [record])
    _remove(sidecar_path(spool))
    log.info("recovered take %s as History #%d (%.1f s)", spool.name, item, repaired.duration_s)
    return (
        f"A recording interrupted when the studio stopped was recovered: “{title}”, "
        f"{repaired.duration_s:.1f} s. It is in History, tagged “recovered”."
    )
