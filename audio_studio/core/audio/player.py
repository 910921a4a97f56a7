"""Play audio to an output device: play, pause, stop, seek, a loop region, volume, streaming.

A Player plays one ``PlaybackBuffer``: a whole decoded file, or a buffer that is still being
filled (streamed TTS: ``open_stream`` returns it, the producer ``append``s and finally calls
``end``). When playback catches up with a growing buffer it plays silence and waits until
``preroll_s`` more audio has arrived, so the speech itself never has holes; the number of such
waits is ``underruns``.

Threads: the audio callback copies the next frames (times the volume) into the device's buffer
and applies requests (seek, loop, pause) that other threads left as single attribute writes;
it never locks, logs or allocates beyond that copy. ``play()`` and ``stop()`` open and close
the device, which blocks for milliseconds: from async code call them via asyncio.to_thread.
The UI polls ``position``, ``state`` and ``error`` on a QTimer.

``speed`` (0.5–2.0) plays faster or slower with the pitch kept: a Stretcher (stretch.py)
renders ahead on its own thread and the callback copies its blocks; ``position`` stays in the
audio's own time.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading

import numpy as np

from audio_studio.core.audio.backend import AudioBackend, AudioStream, Samples, choose_rate
from audio_studio.core.audio.codec import AudioData, StreamResampler, resample
from audio_studio.core.audio.stretch import MAX_SPEED, MIN_SPEED, StretchBlock, Stretcher
from audio_studio.core.errors import DeviceUnavailableError, StudioError

__all__ = ["PlaybackBuffer", "Player", "PlayerState"]

log = logging.getLogger(__name__)


class PlayerState(enum.StrEnum):
    STOPPED = "stopped"
    PLAYING = "playing"
    PAUSED = "paused"


class PlaybackBuffer:
    """Samples to play, complete or still growing. ``append``/``end`` from one producer thread."""

    def __init__(
        self, sample_rate: int, channels: int = 1, *, source_rate: int | None = None
    ) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self._data: Samples = np.zeros((sample_rate * 4, channels), np.float32)
        self._frames = 0
        self.ended = False
        self._resampler = (
            StreamResampler(source_rate, sample_rate, channels)
            if source_rate and source_rate != sample_rate
            else None
        )

    @classmethod
    def of(cls, audio: AudioData) -> PlaybackBuffer:
        buffer = cls(audio.sample_rate, audio.channels)
        buffer._data = np.ascontiguousarray(audio.samples, dtype=np.float32)
        buffer._frames = audio.frames
        buffer.ended = True
        return buffer

    @property
    def frames(self) -> int:
        return self._frames

    @property
    def duration_s(self) -> float:
        return self._frames / self.sample_rate

    def view(self) -> tuple[Samples, int]:
        """The array and how many frames of it are valid (read in this order: never torn)."""
        frames = self._frames
        return self._data, frames

    def append(self, samples: Samples) -> None:
        """Add frames shaped (n, channels) at the source rate; resampled if the device needs."""
        if self.ended:
            raise ValueError("append after end()")
        if self._resampler is not None:
            samples = self._resampler.push(samples)
        self._put(np.asarray(samples, dtype=np.float32).reshape(-1, self.channels))

    def end(self) -> None:
        """No more audio will come; the player stops at the end instead of waiting."""
        if self._resampler is not None and not self.ended:
            self._put(self._resampler.flush())
        self.ended = True

    def _put(self, samples: Samples) -> None:
        n, have = len(samples), self._frames
        if have + n > len(self._data):
            # Grow into a new array and publish it before the new length, so the audio thread
            # (which reads the length first) never sees frames beyond the array it holds.
            bigger = np.zeros((max(2 * len(self._data), have + n), self.channels), np.float32)
            bigger[:have] = self._data[:have]
            bigger[have : have + n] = samples
            self._data = bigger
        else:
            self._data[have : have + n] = samples
        self._frames = have + n


class Player:
    """Plays a PlaybackBuffer on an output device chosen by name (None = system default)."""

    def __init__(
        self,
        backend: AudioBackend,
        *,
        device: str | None = None,
        preroll_s: float = 0.25,
    ) -> None:
        self.backend = backend
        self.device_name = device
        self.preroll_s = preroll_s
        self._buffer: PlaybackBuffer | None = None
        self._stream: AudioStream | None = None
        self._lock = threading.Lock()  # control calls only; the callback never takes it
        self._pos = 0  # frames; owned by the callback while playing
        self._seek: tuple[int, int] = (0, 0)  # (serial, frame) requested by control threads
        self._seek_done = 0
        self._loop: tuple[int, int] | None = None
        self._looping = False
        self._paused = False
        self._waiting = False
        self._state = PlayerState.STOPPED
        self.volume = 1.0
        self._speed = 1.0
        self._stretcher: Stretcher | None = None
        self._block: StretchBlock | None = None
        self._block_pos = 0
        self.underruns = 0
        self.error: StudioError | None = None
        self.notices: list[str] = []

    # -- loading -----------------------------------------------------------------------------

    def load(self, audio: AudioData | PlaybackBuffer) -> None:
        """Play this from now on (stops what was playing). Blocking (may resample)."""
        self.stop()
        self._drop_stretcher()
        self._buffer = audio if isinstance(audio, PlaybackBuffer) else PlaybackBuffer.of(audio)
        self._pos = 0
        self._loop = None

    def open_stream(self, sample_rate: int, channels: int = 1) -> PlaybackBuffer:
        """Load an empty, growing buffer for streamed audio at ``sample_rate``; returns it.

        Raises:
            DeviceUnavailableError: no output device.
        """
        device = self.backend.devices().find(self.device_name, "output")
        rate = choose_rate(self.backend, device, "output", sample_rate, min(2, channels))
        buffer = PlaybackBuffer(rate, channels, source_rate=sample_rate)
        self.load(buffer)
        return buffer

    @property
    def buffer(self) -> PlaybackBuffer | None:
        return self._buffer

    # -- control -----------------------------------------------------------------------------

    def play(self) -> None:
        """Start or resume. Blocking while the device opens.

        Raises:
            DeviceUnavailableError: no output device, or it refused to open.
        """
        buffer = self._buffer
        if buffer is None:
            return
        with self._lock:
            self.error = None
            if self._stream is not None and self._stream.active:
                self._paused = False
                self._state = PlayerState.PLAYING
                return
            self._close_stream()
            if buffer.ended and self._pos >= buffer.frames:
                self._pos = 0
            self._stream = self._open(buffer)
            self._start_stretcher()
            self._paused = False
            self._waiting = not buffer.ended
            self._state = PlayerState.PLAYING
            self._stream.start()

    def pause(self) -> None:
        if self._state is PlayerState.PLAYING:
            self._paused = True
            self._state = PlayerState.PAUSED

    def toggle(self) -> None:
        """Play when paused or stopped, pause when playing (blocking like play)."""
        if self._state is PlayerState.PLAYING:
            self.pause()
        else:
            self.play()

    def stop(self) -> None:
        """Stop and rewind to the start (of the loop region when looping). Blocking."""
        with self._lock:
            self._close_stream()
            self._state = PlayerState.STOPPED
            self._paused = False
            self._pos = self._loop[0] if self._loop and self._looping else 0
            self._seek_done = self._seek[0]

    def seek(self, seconds: float) -> None:
        buffer = self._buffer
        if buffer is None:
            return
        frame = int(max(0.0, seconds) * buffer.sample_rate)
        frame = min(frame, buffer.frames) if buffer.ended else frame
        if self._state is PlayerState.STOPPED or self._stream is None:
            self._pos = frame
        self._seek = (self._seek[0] + 1, frame)

    def set_loop(self, start_s: float | None, end_s: float | None) -> None:
        """The loop region (both None = the whole file); ``looping`` turns looping on and off."""
        buffer = self._buffer
        if buffer is None or start_s is None or end_s is None:
            self._loop = None
            return
        a, b = sorted((start_s, end_s))
        rate = buffer.sample_rate
        self._loop = (int(a * rate), max(int(a * rate) + 1, int(b * rate)))

    @property
    def loop_region(self) -> tuple[float, float] | None:
        if self._loop is None or self._buffer is None:
            return None
        rate = self._buffer.sample_rate
        return self._loop[0] / rate, self._loop[1] / rate

    @property
    def looping(self) -> bool:
        return self._looping

    @looping.setter
    def looping(self, on: bool) -> None:
        self._looping = on

    @property
    def state(self) -> PlayerState:
        return self._state

    @property
    def waiting(self) -> bool:
        """True while playback waits for a growing buffer to fill (streaming)."""
        return self._waiting and self._state is PlayerState.PLAYING

    @property
    def position(self) -> float:
        buffer = self._buffer
        if buffer is None:
            return 0.0
        serial, frame = self._seek
        pending = serial != self._seek_done and self._stream is not None
        return (frame if pending else self._pos) / buffer.sample_rate

    @property
    def duration(self) -> float:
        return self._buffer.duration_s if self._buffer is not None else 0.0

    async def wait(self, poll_s: float = 0.05) -> None:
        """Return when playback stops (the end, stop(), or a lost device)."""
        # The state changes on the audio thread, which must not touch the loop: poll, as the
        # meters do.
        while self._state is not PlayerState.STOPPED:  # noqa: ASYNC110
            await asyncio.sleep(poll_s)

    def close(self) -> None:
        self.stop()
        self._drop_stretcher()

    # -- speed -------------------------------------------------------------------------------

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        """Play ``value`` times as fast (0.5–2.0), pitch kept; takes effect at once."""
        value = round(min(MAX_SPEED, max(MIN_SPEED, float(value))), 3)
        if value == self._speed:
            return
        with self._lock:
            self._speed = value
            if value == 1.0:
                self._drop_stretcher()
            elif self._stream is not None:
                self._start_stretcher()

    def _start_stretcher(self) -> None:
        """Render from the playhead at the current speed (control threads, under the lock)."""
        buffer = self._buffer
        if self._speed == 1.0 or buffer is None:
            return
        stretcher = self._stretcher
        if stretcher is None or stretcher.rate != buffer.sample_rate:
            self._drop_stretcher()

            def source() -> tuple[Samples, int, bool]:
                current = self._buffer or buffer
                data, frames = current.view()
                return data, frames, current.ended

            def loop() -> tuple[int, int] | None:
                if not self._looping:
                    return None
                if self._loop is not None:
                    return self._loop
                current = self._buffer or buffer
                return (0, current.frames) if current.ended else None

            stretcher = Stretcher(source, buffer.sample_rate, self._speed, loop)
        stretcher.speed = self._speed
        stretcher.restart(self._pos)
        self._block = None
        self._stretcher = stretcher

    def _drop_stretcher(self) -> None:
        stretcher, self._stretcher = self._stretcher, None
        self._block = None
        if stretcher is not None:
            stretcher.close()

    # -- the device --------------------------------------------------------------------------

    def _open(self, buffer: PlaybackBuffer) -> AudioStream:
        device = self.backend.devices().find(self.device_name, "output")
        channels = max(1, min(buffer.channels, 2, device.max_output_channels))
        rate = choose_rate(self.backend, device, "output", buffer.sample_rate, channels)
        if rate != buffer.sample_rate:
            if not buffer.ended:
                raise DeviceUnavailableError(
                    f"{device.name} cannot play {buffer.sample_rate} Hz; open the stream with "
                    "Player.open_stream so it is resampled as it arrives."
                )
            data, frames = buffer.view()
            converted = resample(AudioData(data[:frames], buffer.sample_rate), rate)
            self.notices.append(f"{device.name} plays at {rate} Hz; the audio was resampled.")
            self._pos = int(self._pos * rate / buffer.sample_rate)
            self._loop = None
            buffer = self._buffer = PlaybackBuffer.of(converted)
        self._seek_done = self._seek[0]
        return self.backend.open_output(
            device,
            sample_rate=rate,
            channels=channels,
            callback=self._fill,
            finished=self._on_finished,
            blocksize=max(64, rate // 50),
        )

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()

    def _on_finished(self, reason: str | None) -> None:
        # Audio thread (or PortAudio's): attribute writes only.
        if reason is not None:
            self.error = DeviceUnavailableError(
                f"Playback stopped: {reason}. Check the output device in Settings → Audio "
                "or Tools → Device doctor."
            )
        self._state = PlayerState.STOPPED

    # -- audio thread ------------------------------------------------------------------------

    def _fill(self, out: Samples) -> bool:
        buffer = self._buffer
        if buffer is None or self._paused:
            out.fill(0)
            return buffer is not None
        serial, frame = self._seek
        stretcher = self._stretcher
        if serial != self._seek_done:
            self._pos, self._seek_done = frame, serial
            if stretcher is not None:
                stretcher.restart(frame)
        if stretcher is not None:
            return self._fill_stretched(out, stretcher)
        data, avail = buffer.view()
        if self._waiting:
            preroll = int(self.preroll_s * buffer.sample_rate)
            if avail - self._pos < preroll and not buffer.ended:
                out.fill(0)
                return True
            self._waiting = False
        loop = self._loop if self._looping else None
        if self._looping and loop is None and buffer.ended:
            loop = (0, avail)
        volume = self.volume
        n, done = len(out), 0
        while done < n:
            end = min(loop[1], avail) if loop else avail
            if loop and self._pos >= loop[1] and avail >= loop[1]:
                self._pos = loop[0]
                continue
            if self._pos >= end:
                out[done:].fill(0)
                if buffer.ended and not loop:
                    self._pos = 0  # rewind, as a stopped player does
                    self._state = PlayerState.STOPPED
                    return False
                self._waiting = True  # caught up with a growing buffer: wait for more
                self.underruns += 1
                return True
            take = min(n - done, end - self._pos)
            _copy(data[self._pos : self._pos + take], out[done : done + take], volume)
            done += take
            self._pos += take
        return True

    def _fill_stretched(self, out: Samples, stretcher: Stretcher) -> bool:
        """Copy rendered blocks of the current generation; position in source frames."""
        generation = stretcher.generation
        volume = self.volume
        n, done = len(out), 0
        while done < n:
            block = self._block
            if block is None or block.generation != generation:
                block = None
                while stretcher.blocks:
                    candidate = stretcher.blocks.popleft()
                    if candidate.generation == generation:
                        block = candidate
                        break
                self._block, self._block_pos = block, 0
                if block is None:  # rendering lags behind (just after a seek): silence
                    out[done:].fill(0)
                    self.underruns += done == 0
                    stretcher.wake()
                    return True
            left = len(block.samples) - self._block_pos
            if left <= 0:
                if block.last:
                    out[done:].fill(0)
                    self._block = None
                    self._pos = 0
                    self._state = PlayerState.STOPPED
                    stretcher.restart(0)
                    return False
                self._block = None
                continue
            take = min(n - done, left)
            at = self._block_pos
            _copy(block.samples[at : at + take], out[done : done + take], volume)
            done += take
            self._block_pos = at + take
            self._pos = block.src_start + int(self._block_pos * block.ratio)
        stretcher.wake()
        return True


def _copy(chunk: Samples, target: Samples, volume: float) -> None:
    """``chunk`` times ``volume`` into ``target``, mixing or spreading channels to fit."""
    if chunk.shape[1] == target.shape[1]:
        np.multiply(chunk, volume, out=target)
    elif target.shape[1] > chunk.shape[1]:
        target[:] = chunk[:, :1] * volume
    else:
        target[:, 0] = chunk.mean(axis=1) * volume
