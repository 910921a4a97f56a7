"""Streaming preview: chunks' audio in script order, as it arrives, to a growing playback buffer.

Chunks are synthesised several at a time and finish in any order; the sequencer forwards the
audio of the chunk whose turn it is the moment it arrives (a streaming endpoint's first bytes,
or the offline engine's sentence) and holds later chunks until their turn, with the silence
that follows each chunk in the export. ``PlayerSink`` opens the player's stream on the first
audio and starts playback then, so listening begins while the rest is still being made.

Threads: the sequencer runs on the event loop; PlayerSink opens the device through
asyncio.to_thread and appends to the player's buffer in its own thread.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio.codec import StreamResampler
from audio_studio.core.audio.player import PlaybackBuffer, Player
from audio_studio.core.errors import StudioError

__all__ = ["AudioSink", "PcmDecoder", "PlayerSink", "PreviewSequencer"]

log = logging.getLogger(__name__)

Samples = npt.NDArray[np.float32]
_BLOCK_S = 0.2
PREVIEW_MAX_S = 600.0  # ten minutes of preview (about 115 MB at 48 kHz)


class AudioSink(Protocol):
    def begin(self, sample_rate: int, channels: int) -> None: ...

    def write(self, samples: Samples) -> None: ...

    def end(self) -> None: ...


class PcmDecoder:
    """16-bit PCM bytes to float samples, keeping an odd byte for the next piece."""

    def __init__(self, channels: int = 1) -> None:
        self.channels = channels
        self._rest = b""

    def push(self, data: bytes) -> Samples:
        data = self._rest + data
        usable = len(data) - len(data) % (2 * self.channels)
        self._rest = data[usable:]
        ints = np.frombuffer(data[:usable], dtype="<i2").reshape(-1, self.channels)
        return ints.astype(np.float32) / 32768.0


class PreviewSequencer:
    """Writes each chunk's audio to ``sink`` in ``order``, followed by its gap of silence."""

    def __init__(self, sink: AudioSink, order: Sequence[str], gaps: dict[str, float]) -> None:
        self.sink = sink
        self._order = list(order)
        self._gaps = gaps
        self._head = 0
        self._held: dict[str, list[tuple[Samples, int]]] = {}
        self._finished: set[str] = set()
        self._rate: int | None = None
        self._channels = 1
        self._resamplers: dict[str, StreamResampler] = {}
        self.first_audio_at: float | None = None  # time.perf_counter() of the first write
        self.closed = False
        self._pending: list[Samples] = []
        self._pending_frames = 0

    def piece(self, chunk_id: str, samples: Samples, rate: int) -> None:
        """Audio for ``chunk_id`` (float32, shaped (frames, channels)) at ``rate``."""
        if self.closed or not len(samples):
            return
        if self._head < len(self._order) and self._order[self._head] == chunk_id:
            self._write(chunk_id, samples, rate)
        else:
            self._held.setdefault(chunk_id, []).append((samples, rate))

    def done(self, chunk_id: str) -> None:
        """``chunk_id`` will send nothing more (it finished, or failed)."""
        self._finished.add(chunk_id)
        while self._head < len(self._order) and self._order[self._head] in self._finished:
            head = self._order[self._head]
            if head in self._resamplers:
                tail = self._resamplers.pop(head).flush()
                if len(tail):
                    self._emit(tail)
            if self._rate is not None and self._head < len(self._order) - 1:
                gap = int(self._gaps.get(head, 0.0) * self._rate)
                if gap:
                    self._emit(np.zeros((gap, self._channels), np.float32))
            self._flush()
            self._head += 1
            if self._head < len(self._order):
                for samples, rate in self._held.pop(self._order[self._head], []):
                    self._write(self._order[self._head], samples, rate)

    def close(self) -> None:
        """No more audio will come (the job ended, was cancelled, or failed)."""
        if self.closed:
            return
        self.closed = True
        if self._rate is not None:
            self._flush()
            self.sink.end()

    def _write(self, chunk_id: str, samples: Samples, rate: int) -> None:
        if self._rate is None:
            self._rate, self._channels = rate, samples.shape[1]
            self.sink.begin(rate, self._channels)
        if samples.shape[1] != self._channels:
            mono = samples.mean(axis=1, keepdims=True, dtype=np.float32)
            samples = np.repeat(mono, self._channels, axis=1) if self._channels > 1 else mono
        if rate != self._rate:
            resampler = self._resamplers.get(chunk_id)
            if resampler is None:
                resampler = self._resamplers[chunk_id] = StreamResampler(
                    rate, self._rate, self._channels
                )
            samples = resampler.push(samples)
        self._emit(samples)

    def _emit(self, samples: Samples) -> None:
        if self.first_audio_at is None:
            # The very first audio goes out at once: that is when listening can start.
            self.first_audio_at = time.perf_counter()
            self.sink.write(np.ascontiguousarray(samples, dtype=np.float32))
            return
        # Later pieces (a streamed sentence arrives in many small ones) go out in blocks of
        # about 0.2 s: far fewer resampler and buffer calls on the GUI thread, and the player
        # keeps a larger lead than that anyway.
        self._pending.append(samples)
        self._pending_frames += len(samples)
        if self._rate is not None and self._pending_frames >= self._rate * _BLOCK_S:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending, self._pending_frames = self._pending, [], 0
        joined = pending[0] if len(pending) == 1 else np.concatenate(pending)
        self.sink.write(np.ascontiguousarray(joined, dtype=np.float32))


class PlayerSink:
    """An AudioSink that plays on a Player: the stream opens and playback starts on first audio.

    Opening the device happens in a thread (it can take a moment), and so does appending to
    the player's buffer (resampling to the device's rate, and copying minutes of audio when
    the buffer grows, would stall the GUI); ``write`` only queues. A missing or busy output
    device does not stop generation: the error is kept in ``error`` and reported through
    ``on_error``; the audio is still made and saved. The preview keeps at most
    ``max_seconds`` (the buffer lives in memory; the takes are on disk anyway), then
    ``truncated`` is set and ``on_full`` is called once, on the loop.
    """

    def __init__(
        self,
        player: Player,
        *,
        on_open: Callable[[PlaybackBuffer], None] | None = None,
        on_error: Callable[[StudioError], None] | None = None,
        on_full: Callable[[float], None] | None = None,
        autoplay: bool = True,
        max_seconds: float = PREVIEW_MAX_S,
    ) -> None:
        self.player = player
        self.on_open = on_open
        self.on_error = on_error
        self.on_full = on_full
        self.autoplay = autoplay
        self.max_seconds = max_seconds
        self.truncated = False
        self.buffer: PlaybackBuffer | None = None
        self.error: StudioError | None = None
        self.first_buffered_at: float | None = None  # perf_counter() of the first playable audio
        self.buffered = threading.Event()  # set with first_buffered_at
        self._queue: queue.SimpleQueue[Samples | None] = queue.SimpleQueue()
        self._ended = False
        self._opening: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def begin(self, sample_rate: int, channels: int) -> None:
        self._loop = asyncio.get_running_loop()
        self._opening = self._loop.create_task(self._open(sample_rate, channels))

    async def _open(self, sample_rate: int, channels: int) -> None:
        try:
            buffer = await asyncio.to_thread(self.player.open_stream, sample_rate, channels)
        except StudioError as exc:
            self._fail(exc)
            return
        self.buffer = buffer
        threading.Thread(target=self._feed, args=(buffer,), name="preview", daemon=True).start()
        if self.on_open is not None:
            self.on_open(buffer)
        if self.autoplay:
            try:
                await asyncio.to_thread(self.player.play)
            except StudioError as exc:
                self._fail(exc)

    def write(self, samples: Samples) -> None:
        if self.error is None and not self._ended:
            self._queue.put(samples)

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            self._queue.put(None)

    def _feed(self, buffer: PlaybackBuffer) -> None:
        """The preview thread: the only producer of ``buffer`` (PlaybackBuffer's rule)."""
        while (samples := self._queue.get()) is not None:
            if self.truncated:
                continue
            if buffer.duration_s >= self.max_seconds:
                self.truncated = True
                buffer.end()
                if self.on_full is not None and self._loop is not None:
                    self._loop.call_soon_threadsafe(self.on_full, self.max_seconds)
                continue
            buffer.append(samples)
            if self.first_buffered_at is None and buffer.frames:
                self.first_buffered_at = time.perf_counter()
                self.buffered.set()
        if not buffer.ended:
            buffer.end()

    async def started(self) -> None:
        """Wait until the stream is open and playback has started (or failed to)."""
        if self._opening is not None:
            await asyncio.shield(self._opening)

    def _fail(self, exc: StudioError) -> None:
        self.error = exc
        log.info("preview: %s", exc.message)
        if self.on_error is not None:
            self.on_error(exc)
