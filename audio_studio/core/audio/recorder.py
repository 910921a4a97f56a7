"""Record from a microphone straight to disk, so a crash never loses more than the last second.

Threads: the audio callback only enqueues a copy of each block (plus two flags); a writer
thread appends the blocks to the spool file, computes the meter values, and watches for a
device that went away. ``levels()`` is cheap and is polled by the UI (about 30 Hz) or the CLI.
``start()`` and ``stop()`` are blocking (device open/close, disk): call via asyncio.to_thread.

The spool is a WAV that stays playable while it grows; spool.py says why that format, and
repairs a take a crash left behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from audio_studio.core.audio.backend import AudioBackend, AudioStream, Samples, choose_rate
from audio_studio.core.audio.levels import CLIP_LEVEL, Levels, Meter, RecorderState, db
from audio_studio.core.audio.spool import WavSpool, sidecar_path, write_sidecar
from audio_studio.core.errors import AudioError, DeviceUnavailableError, StorageError, StudioError

__all__ = ["CLIP_LEVEL", "Levels", "Recorder", "RecorderState", "Take", "db"]

log = logging.getLogger(__name__)

# The README promises that a crash or a pulled plug loses at most the last half second: the
# header and the data reach the disk (fsync) every 0.5 s of wall time and every 0.5 s of audio,
# whichever comes first (so a writer catching up after a stall keeps the promise too).
_HEADER_EVERY_S = 0.5
_SYNC_EVERY_S = 0.5
_STOP, _LOST = object(), object()


@dataclass(frozen=True)
class Take:
    """A finished (or device-interrupted) take on disk."""

    path: Path
    sample_rate: int
    channels: int
    frames: int
    device: str
    started_at: str
    overflows: int = 0
    dropped_frames: int = 0
    clipped_samples: int = 0
    pauses: tuple[float, ...] = ()  # take positions (s) where a pause was made
    error: StudioError | None = None  # why it ended early, if it did
    notices: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


class Recorder:
    """One take from one input device into a WAV spool at ``path``.

    Args:
        backend: the audio system (devices.PortAudioBackend, or fake.FakeBackend in tests).
        path: where the spool goes (``.wav``); a ``.json`` sidecar is written beside it.
        device: a device name from Settings or ``--device``; None = the system default.
        sample_rate: wanted rate; if the device refuses it, a supported one is chosen and
            ``notices`` says so.
        channels: 1 (mono, for voice) or 2; fewer if the device has fewer.
        info: extra sidecar fields (title, History row id...), kept for crash repair.
        stall_s: no audio for this long while recording means the device went away.
        max_queue_s: audio the queue may hold before blocks are dropped (and counted).
        limit_s: stop taking audio after this much (``record --seconds``): exact length.
    """

    def __init__(
        self,
        backend: AudioBackend,
        path: Path,
        *,
        device: str | None = None,
        sample_rate: int | None = 48000,
        channels: int = 1,
        info: Mapping[str, Any] | None = None,
        stall_s: float = 4.0,
        max_queue_s: float = 30.0,
        limit_s: float | None = None,
    ) -> None:
        self.backend = backend
        self.path = path
        self._device_name = device
        self._wanted_rate = sample_rate
        self._wanted_channels = channels
        self._info = dict(info or {})
        self._stall_s = stall_s
        self._max_queue_s = max_queue_s
        self._limit_s = limit_s
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._state = RecorderState.IDLE
        self._paused = False  # read by the audio callback
        self._dropped_total = 0  # written by the audio callback only
        self._max_blocks = 1 << 30
        self._meter = Meter()
        self._overflows = 0
        self._dropped_written = 0
        self._clipped = 0
        self._pauses: list[float] = []
        self._error: StudioError | None = None
        self._notices: list[str] = []
        self._stream: AudioStream | None = None
        self._writer: threading.Thread | None = None
        self._spool: WavSpool | None = None
        self._live = False
        self._settled = threading.Event()  # set by the first audio, or when the take ends
        self.sample_rate = 0
        self.channels = 0
        self.device_label = ""
        self.started_at = ""

    # -- control (any thread but the audio one) ----------------------------------------------

    def start(self) -> None:
        """Open the device, create the spool and start recording. Blocking.

        Raises:
            DeviceUnavailableError: no such device, no usable rate, or it refused to open.
            StorageError: the spool cannot be created.
        """
        if self._state is not RecorderState.IDLE:
            raise AudioError("This recorder was already used; make a new one for a new take.")
        device = self.backend.devices().find(self._device_name, "input")
        self.channels = max(1, min(self._wanted_channels, device.max_input_channels))
        self.sample_rate = choose_rate(
            self.backend, device, "input", self._wanted_rate, self.channels
        )
        if self._wanted_rate and self.sample_rate != self._wanted_rate:
            self._notices.append(
                f"{device.name} does not record at {self._wanted_rate} Hz; "
                f"recording at {self.sample_rate} Hz instead."
            )
        self.device_label = device.name
        self.started_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        block = max(64, self.sample_rate // 50)  # 20 ms blocks: the meter can move at 30 Hz
        self._max_blocks = max(16, int(self._max_queue_s * self.sample_rate / block))
        self._open_spool()
        try:
            self._stream = self.backend.open_input(
                device,
                sample_rate=self.sample_rate,
                channels=self.channels,
                callback=self._on_block,
                finished=self._on_finished,
                blocksize=block,
            )
            self._state = RecorderState.RECORDING
            self._writer = threading.Thread(target=self._write_loop, name="recorder", daemon=True)
            self._writer.start()
            self._stream.start()
        except BaseException:
            self._abort()
            raise
        log.info("recording %s at %d Hz from %s", self.path.name, self.sample_rate, device.name)

    def pause(self) -> None:
        if self._state is RecorderState.RECORDING:
            self._paused = True
            self._state = RecorderState.PAUSED
            self._pauses.append(round(self.frames / self.sample_rate, 3))
            self._write_sidecar()

    def resume(self) -> None:
        if self._state is RecorderState.PAUSED:
            self._paused = False
            self._state = RecorderState.RECORDING

    def stop(self) -> Take:
        """Stop, write out every queued block and close the file; returns the take. Blocking."""
        if self._stream is not None:
            self._stream.close()  # no callback runs after this returns
        self._queue.put(_STOP)
        if self._writer is not None:
            self._writer.join()
        if self._state in (RecorderState.RECORDING, RecorderState.PAUSED):
            self._state = RecorderState.STOPPED
        log.info("take %s: %.1f s", self.path.name, self.frames / max(1, self.sample_rate))
        return self.take()

    def take(self) -> Take:
        return Take(
            path=self.path,
            sample_rate=self.sample_rate,
            channels=self.channels,
            frames=self.frames,
            device=self.device_label,
            started_at=self.started_at,
            overflows=self._overflows,
            dropped_frames=self._dropped_written,
            clipped_samples=self._clipped,
            pauses=tuple(self._pauses),
            error=self._error,
            notices=tuple(self._notices),
        )

    def wait_live(self, timeout: float = 5.0) -> bool:
        """Block until the first audio arrived (devices can take a second to start). Blocking.

        Tell the user "recording" only after this: what they say before it is not captured.
        """
        self._settled.wait(timeout)
        return self._live

    @property
    def live(self) -> bool:
        return self._live

    @property
    def frames(self) -> int:
        return self._spool.frames if self._spool is not None else 0

    @property
    def state(self) -> RecorderState:
        return self._state

    @property
    def error(self) -> StudioError | None:
        """Set when the device went away mid-take (the take so far is kept)."""
        return self._error

    @property
    def notices(self) -> tuple[str, ...]:
        return tuple(self._notices)

    def levels(self) -> Levels:
        """Peak and RMS since the last call (or the last values if no audio came since)."""
        peak, rms, clipped = self._meter.read()
        rate = self.sample_rate or 1
        return Levels(
            peak,
            rms,
            clipped,
            self.frames / rate,
            self._overflows,
            self._dropped_total / rate,  # live: counted by the callback as it drops
            self._state,
        )

    def reset_clip(self) -> None:
        self._meter.reset_clip()

    # -- audio thread: enqueue only ------------------------------------------------------------

    def _on_block(self, block: Samples, overflowed: bool) -> None:
        if self._queue.qsize() >= self._max_blocks:
            self._dropped_total += len(block)  # the writer writes this much silence, and says so
            return
        self._queue.put_nowait((block, overflowed, self._paused, self._dropped_total))

    def _on_finished(self, reason: str | None) -> None:
        if reason is not None:
            self._queue.put_nowait((_LOST, reason))

    # -- writer thread -----------------------------------------------------------------------

    def _write_loop(self) -> None:
        spool = self._spool
        assert spool is not None
        started = last_block = time.monotonic()
        header_due = sync_due = started
        synced_frames = 0
        lost: str | None = None
        try:
            while True:
                try:
                    item = self._queue.get(timeout=0.05)
                except queue.Empty:
                    item = None
                now = time.monotonic()
                if item is _STOP:
                    break
                if isinstance(item, tuple) and item[0] is _LOST:
                    lost = str(item[1])
                    break
                if item is not None:
                    last_block = now
                    if not self._live:
                        self._live = True
                        self._settled.set()
                    if not self._write_block(*item):
                        lost = "limit"
                        break
                elif now - last_block > self._stall_s + (2.0 if last_block == started else 0.0):
                    lost = f"no audio arrived for {self._stall_s:.0f} s"
                    break
                unsynced_s = (spool.frames - synced_frames) / spool.sample_rate
                if now >= header_due or unsynced_s >= _SYNC_EVERY_S:
                    spool.flush_header()
                    header_due = now + _HEADER_EVERY_S
                if now >= sync_due or unsynced_s >= _SYNC_EVERY_S:
                    spool.sync()
                    synced_frames = spool.frames
                    sync_due = now + _SYNC_EVERY_S
        except OSError as exc:
            self._error = StorageError(
                f"Writing the recording {self.path} failed ({exc.strerror or exc}); the audio "
                "up to that moment was kept. Check free disk space."
            )
            self._state = RecorderState.FAILED
        finally:
            if lost is not None:
                self._device_lost(lost)
            elif self._state is not RecorderState.FAILED:
                # Drops after the last block: the stream is closed, so the count is final.
                self._fill_gap(self._dropped_total)
            spool.close()
            self._settled.set()

    def _write_block(
        self, block: Samples, overflowed: bool, paused: bool, dropped_total: int
    ) -> bool:
        over = self._meter.add(block)  # the meter moves while paused too
        self._overflows += int(overflowed)
        if paused:
            return True
        self._clipped += over
        assert self._spool is not None
        if self._limit_s is not None:  # keep exactly limit_s; the rest is not part of the take
            room = int(self._limit_s * self.sample_rate) - self._spool.frames
            block = block[: max(0, room)]
            if not len(block):
                return True
        return self._fill_gap(dropped_total) and self._spool.append(block)

    def _fill_gap(self, dropped_total: int) -> bool:
        """Write silence for blocks the callback had to drop, so the take keeps its timing."""
        gap = dropped_total - self._dropped_written
        if gap <= 0:
            return True
        self._dropped_written += gap
        assert self._spool is not None
        return self._spool.append(np.zeros((gap, self.channels), np.float32))

    def _device_lost(self, reason: str) -> None:
        secs = self.frames / max(1, self.sample_rate)
        if reason == "limit":
            self._error = AudioError(
                f"The take reached the 4 GiB limit of a WAV file after {secs / 3600:.1f} h; "
                "it was stopped and kept. Start a new take to go on."
            )
        else:
            self._error = DeviceUnavailableError(
                f"Recording from {self.device_label} stopped after {secs:.1f} s: {reason}. "
                f"The {secs:.1f} s recorded so far were kept. Reconnect the microphone, "
                "check Tools → Device doctor, and start a new take."
            )
        self._state = RecorderState.FAILED
        if self._stream is not None:
            self._stream.close()

    # -- the spool file ----------------------------------------------------------------------

    def _open_spool(self) -> None:
        try:
            self._spool = WavSpool(self.path, self.sample_rate, self.channels)
            self._write_sidecar()
        except OSError as exc:
            self._abort()
            raise StorageError(
                f"Cannot create the recording file {self.path} ({exc.strerror or exc}). "
                "Check free disk space and the folder's permissions."
            ) from exc

    def _write_sidecar(self) -> None:
        meta = {
            **self._info,
            "version": 1,
            "pid": os.getpid(),
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "device": self.device_label,
            "started_at": self.started_at,
            "pauses": self._pauses,
        }
        write_sidecar(self.path, meta)

    def _abort(self) -> None:
        if self._stream is not None:
            self._stream.close()
        self._queue.put(_STOP)
        if self._writer is not None and self._writer.is_alive():
            self._writer.join()
        elif self._spool is not None:
            self._spool.close()
        for leftover in (self.path, sidecar_path(self.path)):
            with contextlib.suppress(OSError):
                leftover.unlink()
        self._state = RecorderState.FAILED
