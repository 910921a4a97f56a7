"""Playback at another speed with the pitch kept: Rubber Band (pedalboard) ahead of the playhead.

A Stretcher renders the audio after a source position in short chunks on its own thread and
queues them for the player's callback, which only copies (as every audio callback here must).
Each chunk is stretched with some audio either side as context and trimmed, and its first
milliseconds are cross-faded with the end of the previous chunk, so the seams are not heard.
A restart (seek, loop, new speed) bumps a generation number: the callback drops queued chunks
of an older generation, the thread starts again from the new position.

Threads: ``restart``/``close`` from control threads or the audio callback (attribute writes
and an Event); rendering on the Stretcher's own thread; ``blocks`` is a deque, whose append
and popleft are atomic.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from audio_studio.core.audio.backend import Samples

__all__ = ["MAX_SPEED", "MIN_SPEED", "StretchBlock", "Stretcher", "stretch"]

log = logging.getLogger(__name__)

MIN_SPEED = 0.5
MAX_SPEED = 2.0
CHUNK_S = 0.75  # source audio per rendered chunk: short enough for a quick start after a seek
CONTEXT_S = 0.25  # audio either side that the stretcher hears but that is trimmed off
FADE_S = 0.008
AHEAD_S = 1.5  # rendered audio kept queued ahead of the playhead


def stretch(samples: Samples, rate: int, speed: float) -> Samples:
    """``samples`` (frames, channels) played ``speed`` times as fast, same pitch. Blocking."""
    from pedalboard import time_stretch

    data = np.ascontiguousarray(samples.T, dtype=np.float32)
    out = time_stretch(data, float(rate), float(speed), high_quality=True)
    return np.ascontiguousarray(np.asarray(out, dtype=np.float32).T)


@dataclass
class StretchBlock:
    """Rendered audio for source frames [src_start, src_end) of one generation."""

    generation: int
    src_start: int
    src_end: int
    samples: Samples
    last: bool = False  # the end of the audio (or of a non-looping range)

    @property
    def ratio(self) -> float:
        """Source frames per rendered frame."""
        return (self.src_end - self.src_start) / max(1, len(self.samples))


# What the stretcher may read: (array, valid frames, ended) of the buffer being played.
Source = Callable[[], tuple[Samples, int, bool]]
# The loop region in source frames when looping, else None.
LoopFn = Callable[[], tuple[int, int] | None]


class Stretcher:
    """Renders ``source`` at ``speed`` from a position, ahead of the callback that plays it."""

    def __init__(self, source: Source, rate: int, speed: float, loop: LoopFn) -> None:
        self.source = source
        self.rate = rate
        self.speed = speed
        self.loop = loop
        self.blocks: collections.deque[StretchBlock] = collections.deque()
        self.request: tuple[int, int] = (0, 0)  # (generation, source frame)
        self._wake = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="stretcher", daemon=True)
        self._thread.start()

    @property
    def generation(self) -> int:
        return self.request[0]

    def restart(self, frame: int) -> None:
        """Render from source ``frame`` on; queued audio of earlier requests is dropped."""
        self.request = (self.request[0] + 1, max(0, frame))
        self._wake.set()

    def wake(self) -> None:
        """The callback took audio: render more if the queue runs low."""
        self._wake.set()

    def close(self) -> None:
        self._closed = True
        self._wake.set()

    # -- rendering thread --------------------------------------------------------------------

    def _queued(self, generation: int) -> int:
        return sum(len(b.samples) for b in list(self.blocks) if b.generation == generation)

    def _run(self) -> None:
        generation, pos, tail, done = -1, 0, None, False
        fade = max(1, int(FADE_S * self.rate))
        while not self._closed:
            request = self.request
            if request[0] != generation:
                generation, pos = request
                tail, done = None, False
                while self.blocks and self.blocks[0].generation != generation:
                    self.blocks.popleft()
            if done or self._queued(generation) > AHEAD_S * self.rate:
                self._wake.wait(0.05)
                self._wake.clear()
                continue
            try:
                rendered = self._render(pos, fade)
            except Exception:  # a bug, not the user's: log it, play on at normal speed
                log.exception("time stretch failed")
                self.speed = 1.0
                continue
            if rendered is None:  # a growing buffer has no more audio yet
                self._wake.wait(0.05)
                self._wake.clear()
                continue
            samples, start, end, next_tail, last, next_pos = rendered
            if self.request[0] != generation:
                continue  # asked for another place while rendering: this chunk is stale
            if tail is not None and start == pos:
                n = min(fade, len(samples), len(tail))
                ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]
                samples[:n] = samples[:n] * ramp + tail[:n] * (1 - ramp)
            self.blocks.append(StretchBlock(generation, start, end, samples, last))
            tail = next_tail if next_pos == end else None  # no cross-fade across a loop jump
            pos = next_pos
            done = last

    def _render(
        self, pos: int, fade: int
    ) -> tuple[Samples, int, int, Samples | None, bool, int] | None:
        data, avail, ended = self.source()
        loop = self.loop()
        stop = avail
        if loop is not None and ended and loop[1] <= avail:
            stop = loop[1]
            if pos >= stop or pos < loop[0] - 1:
                pos = loop[0]
        if pos >= stop:
            if ended and loop is None:
                empty = np.zeros((0, data.shape[1]), np.float32)
                return empty, pos, pos, None, True, pos
            return None
        chunk = int(CHUNK_S * self.rate)
        end = min(pos + chunk, stop)
        if not ended and end - pos < chunk // 3 and loop is None:
            return None  # wait for more of a growing buffer rather than render crumbs
        context = int(CONTEXT_S * self.rate)
        a, b = max(0, pos - context), min(avail, end + context)
        out = stretch(data[a:b], self.rate, self.speed)
        scale = len(out) / max(1, b - a)
        lead = round((pos - a) * scale)
        keep = max(1, round((end - pos) * scale))
        samples = np.array(out[lead : lead + keep], dtype=np.float32)
        next_tail = out[lead + keep : lead + keep + fade]
        last = end >= stop and ended and loop is None
        next_pos = end
        if loop is not None and end >= stop:
            next_pos = loop[0]
        return samples, pos, end, (next_tail if len(next_tail) else None), last, next_pos
