"""Live text while recording: the take's spool file is read as it grows and the offline engine
transcribes overlapping windows of it, so words show about a second or two after being said.

Nothing here touches the recorder: the spool is the crash-safe WAV the recorder writes anyway
(core/audio/spool.py), read from the side, so live text can never drop or delay audio. Each
step reads what is new, converts it to 16 kHz mono, and transcribes the stretch since the last
committed point (at most ``WINDOW_S``). Text that ended more than ``SETTLE_S`` before the end
of the window is committed (it will not change); the rest is shown as tentative and read again
in the next, overlapping window. ``finish`` commits everything left when recording stops.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio.codec import StreamResampler
from audio_studio.core.audio.speech_stream import SPEECH_RATE
from audio_studio.core.audio.spool import HEADER_BYTES

__all__ = ["LiveText"]

Floats = npt.NDArray[np.float32]
Engine = Callable[[Floats, str | None], Awaitable[list[tuple[float, float, str]]]]
TextFn = Callable[[str, str], None]  # (committed, tentative)

STEP_S = 0.5  # how often new audio is read and transcribed
WINDOW_S = 8.0  # the longest stretch read again
SETTLE_S = 2.0  # text ending this long before the window's end is final


class LiveText:
    """Transcribes a growing spool WAV; ``on_text(committed, tentative)`` on the loop thread."""

    def __init__(
        self,
        spool: Path,
        sample_rate: int,
        channels: int,
        engine: Engine,
        on_text: TextFn,
    ) -> None:
        self.spool = spool
        self.channels = max(1, channels)
        self.engine = engine
        self.on_text = on_text
        self._read = 0  # bytes of audio data read so far
        self._resampler = StreamResampler(sample_rate, SPEECH_RATE, 1)
        self._window: Floats = np.zeros(0, np.float32)
        self.committed: list[str] = []
        self.tentative = ""
        self.windows = 0  # windows transcribed (for tests and benchmarks)

    @property
    def text(self) -> str:
        return " ".join([*self.committed, self.tentative]).strip()

    def _new_audio(self) -> Floats:
        """What the recorder wrote since the last call, as 16 kHz mono."""
        align = 2 * self.channels
        try:
            size = os.path.getsize(self.spool) - HEADER_BYTES
            with self.spool.open("rb") as f:
                f.seek(HEADER_BYTES + self._read)
                data = f.read(max(0, (size - self._read) // align * align))
        except OSError:
            return np.zeros(0, np.float32)
        self._read += len(data)
        if not data:
            return np.zeros(0, np.float32)
        pcm = np.frombuffer(data, "<i2").reshape(-1, self.channels).astype(np.float32) / 32768
        mono = pcm.mean(axis=1, keepdims=True, dtype=np.float32)
        return np.ascontiguousarray(self._resampler.push(mono)[:, 0])

    async def step(self, *, final: bool = False) -> None:
        """Read what is new and transcribe the window; commit what has settled."""
        fresh = await asyncio.to_thread(self._new_audio)
        self._window = np.concatenate([self._window, fresh]) if len(fresh) else self._window
        length = len(self._window) / SPEECH_RATE
        if length < 0.5 and not final:
            return
        prompt = self.committed[-1] if self.committed else None
        found = await self.engine(self._window, prompt) if length >= 0.3 else []
        self.windows += 1
        settled = length if final else length - SETTLE_S
        keep_from = 0.0
        done = [t for t in found if t[1] <= settled]
        if done and (final or length >= WINDOW_S - SETTLE_S or len(found) > len(done)):
            self.committed += [t[2] for t in done]
            keep_from = done[-1][1]
        elif length > WINDOW_S:
            # Nothing settled in a long stretch (noise, one long sentence): commit all of it
            # rather than read an ever longer window.
            self.committed += [t[2] for t in found]
            keep_from = length
        rest = [t for t in found if t[1] > keep_from]
        self.tentative = "" if final else " ".join(t[2] for t in rest)
        if keep_from > 0:
            self._window = self._window[int(keep_from * SPEECH_RATE) :]
        self.on_text(" ".join(self.committed), self.tentative)

    async def run(self, stop: asyncio.Event) -> None:
        """Step every ``STEP_S`` until ``stop`` is set, then once more to commit the rest."""
        while not stop.is_set():
            await self.step()
            try:
                await asyncio.wait_for(stop.wait(), STEP_S)
            except TimeoutError:
                pass
        await self.step(final=True)
