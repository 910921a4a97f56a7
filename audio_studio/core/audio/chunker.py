"""Cut a long file into upload-sized chunks at silences in one streaming pass, from any offset.

``split.split_for_upload`` reads a file twice (levels first, then the cuts), so nothing can be
sent before the whole file was decoded once. Here the file is read once: audio is converted to
the upload rate as it is decoded, and a chunk is cut and encoded as soon as enough audio is
buffered to choose its end, so the first upload starts after one chunk's worth of work. Cuts
use the same rule as ``split.plan_chunks`` (the latest pause of ``min_silence_s`` below
``silence_db`` in the last half of the allowed span, else the quietest 10 ms), and the last two
chunks are balanced so the final one is never a sliver. FLAC is the default: lossless, about
fifty times faster to encode than MP3 and no bigger than 128 kb/s MP3 for 16 kHz speech.

Blocking: call via asyncio.to_thread (one ``next()`` per chunk keeps cancel responsive).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio.codec import AudioData, StreamResampler, encode
from audio_studio.core.audio.reading import iter_blocks
from audio_studio.core.audio.split import Chunk, EncodedChunk, bytes_per_second, encode_within
from audio_studio.core.errors import InputError
from audio_studio.core.models import AudioFormat

__all__ = ["PartChunk", "chunk_seconds", "encode_cut", "iter_chunks", "iter_cuts"]

WINDOW_S = 0.01
HEADROOM = 0.95  # a byte limit is only estimated before encoding
RATE_MARGIN = 1.1  # on the encoded rate seen so far: the audio ahead may compress worse
SAMPLE_S = 60.0  # audio encoded to measure the rate before the first piece is cut


@dataclass(frozen=True, eq=False)
class PartChunk(EncodedChunk):
    """An encoded chunk and its peak level (0..1), so silent ones need not be sent."""

    peak: float = 0.0


def chunk_seconds(
    max_bytes: int | None, max_seconds: float | None, fmt: AudioFormat, sample_rate: int
) -> float:
    """The longest chunk allowed by a byte and/or duration limit (inf without limits)."""
    limits = [max_seconds] if max_seconds else []
    if max_bytes:
        limits.append(max_bytes * HEADROOM / bytes_per_second(fmt, sample_rate, 1))
    limit = min(limits) if limits else math.inf
    if limit < 2.0:
        raise InputError(f"An upload limit of {limit:.2f} s of audio is too short to cut into.")
    return limit


def _levels(samples: npt.NDArray[np.float32], window: int) -> npt.NDArray[np.float32]:
    """dBFS of the mean square of every whole ``window`` of mono ``samples``."""
    n = len(samples) // window * window
    x = samples[:n, 0]
    ms = (x * x).reshape(-1, window).mean(axis=1, dtype=np.float32)
    return np.asarray(10 * np.log10(np.maximum(ms, np.float32(1e-20))), dtype=np.float32)


def _pick_cut(
    levels: npt.NDArray[np.float32],
    lo: int,
    hi: int,
    need: int,
    silence_db: float,
    target: int | None,
) -> int:
    """A window index in [lo, hi] to cut at: in a long enough pause (the latest one, or the one
    nearest ``target``), else after the quietest window."""
    span = levels[lo:hi]
    quiet = span < silence_db
    edges = np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    ok = (stops - starts) >= need
    if ok.any():
        middles = (starts[ok] + stops[ok]) // 2
        if target is None:
            return lo + int(middles[-1])
        return lo + int(middles[np.argmin(np.abs(middles + lo - target))])
    return lo + int(np.argmin(span)) + 1


def iter_chunks(
    path: Path,
    *,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
    fmt: AudioFormat = AudioFormat.FLAC,
    sample_rate: int = 16_000,
    start_s: float = 0.0,
    min_silence_s: float = 0.3,
    silence_db: float = -40.0,
) -> Generator[PartChunk, None, None]:
    """Encoded mono ``sample_rate`` chunks of ``path`` from ``start_s`` on, under the limits.

    ``iter_cuts`` followed by ``encode_cut`` for each; callers that want the encoding of one
    chunk to overlap the cutting of the next use those two directly.
    """
    cuts = iter_cuts(
        path,
        max_bytes=max_bytes,
        max_seconds=max_seconds,
        fmt=fmt,
        sample_rate=sample_rate,
        start_s=start_s,
        min_silence_s=min_silence_s,
        silence_db=silence_db,
    )
    index = 0
    for chunk, audio in cuts:
        for part in encode_cut(chunk, audio, fmt, max_bytes):
            yield PartChunk(
                Chunk(index, part.chunk.start_s, part.chunk.end_s), part.data, fmt, part.peak
            )
            index += 1


def iter_cuts(
    path: Path,
    *,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
    fmt: AudioFormat = AudioFormat.FLAC,
    sample_rate: int = 16_000,
    start_s: float = 0.0,
    min_silence_s: float = 0.3,
    silence_db: float = -40.0,
    encoded_rate: Callable[[], float | None] | None = None,
) -> Generator[tuple[Chunk, AudioData], None, None]:
    """Mono ``sample_rate`` pieces of ``path`` from ``start_s`` on, not encoded yet.

    Offsets (``chunk.start_s``) are exact in the original's time: sample counts at the upload
    rate. Without limits the rest of the file is one piece.

    Args:
        encoded_rate: the encoded bytes per second seen so far (None before any). With a
            byte limit, pieces are sized to what this audio really costs (with a margin)
            instead of a cautious guess: FLAC of speech with pauses is often half the guess,
            so there are fewer, longer parts. Before the first report, a sample of the
            first minute is encoded to measure it.

    Raises:
        UnsupportedFormatError: the file is not audio, or is damaged (possibly after some
            pieces were yielded); InputError: limits too small.
    """
    window = max(1, round(sample_rate * WINDOW_S))
    guess_s = chunk_seconds(max_bytes, max_seconds, fmt, sample_rate)

    guess_rate = bytes_per_second(fmt, sample_rate, 1)
    sampled: list[float] = []  # the first minute's encoded rate, once measured

    def limits() -> tuple[float, float]:
        """The next piece's limit and the look-ahead margin past it, in frames."""
        limit_s = guess_s
        seen = encoded_rate() if encoded_rate is not None else None
        rate = seen or (sampled[0] if sampled else None)
        if max_bytes and rate:
            # Never more than twice the cautious length: a quiet start can flatter the rate.
            rate = max(rate * RATE_MARGIN, guess_rate / 2)
            limit_s = max_bytes * HEADROOM / rate  # shorter too, when it costs more than guessed
            if max_seconds:
                limit_s = min(limit_s, max_seconds)
        if math.isinf(limit_s):
            return math.inf, 0
        # Hold a little more than one chunk, so the next cut never leaves a sliver behind it.
        margin = int(min(60.0, limit_s / 2) / WINDOW_S) * window
        return int(limit_s / WINDOW_S) * window, margin

    limit, margin = limits()
    need = max(1, round(min_silence_s / WINDOW_S))
    sample = round(SAMPLE_S * sample_rate)
    skip = round(start_s * sample_rate)
    position = skip  # frames (at sample_rate) of the original before the buffer
    buf = _Buffer(window)
    index = 0
    resampler: StreamResampler | None = None

    def cut(final: bool) -> int:
        levels = buf.levels()
        windows = len(levels)
        top = int(limit // window)
        if final:  # two pieces left: balance them around the middle
            lo, hi, target = max(top // 2, windows - top), top, windows // 2
        else:
            lo, hi, target = top // 2, top, None
        return _pick_cut(levels, lo, max(lo + 1, hi), need, silence_db, target) * window

    def emit(frames: int) -> tuple[Chunk, AudioData]:
        nonlocal position, index
        samples = buf.take(frames)
        start = position / sample_rate
        position += len(samples)
        index += 1
        return Chunk(index - 1, start, position / sample_rate), AudioData(samples, sample_rate)

    for block in iter_blocks(path):
        mono = block.mono().samples
        if block.sample_rate != sample_rate:
            if resampler is None:
                resampler = StreamResampler(block.sample_rate, sample_rate, 1)
            mono = resampler.push(mono)
        if skip:
            dropped = min(skip, len(mono))
            mono, skip = mono[dropped:], skip - dropped
        buf.add(mono)
        if not sampled and max_bytes and fmt is AudioFormat.FLAC and buf.held >= sample:
            sampled.append(len(_flac(AudioData(buf.head(sample), sample_rate))) / SAMPLE_S)
        # Asked again for every block: the encoder reports its first rate while the cutter
        # already reads the next piece.
        limit, margin = limits()
        while buf.held >= limit + margin + window:
            yield emit(cut(final=False))
            limit, margin = limits()
    if resampler is not None:
        tail = resampler.flush()
        buf.add(tail[min(skip, len(tail)) :] if skip else tail)
    if buf.held > limit:
        yield emit(cut(final=True))
    if buf.held > 0:
        yield emit(buf.held)


class _Buffer:
    """Samples waiting to be cut, and the level of every whole window of them (kept as they
    arrive, so choosing a cut never measures the same audio twice)."""

    def __init__(self, window: int) -> None:
        self.window = window
        self.blocks: list[npt.NDArray[np.float32]] = []
        self.held = 0
        self._levels: list[npt.NDArray[np.float32]] = []
        self._measured = 0  # frames covered by _levels

    def add(self, samples: npt.NDArray[np.float32]) -> None:
        if not len(samples):
            return
        self.blocks.append(samples)
        self.held += len(samples)
        whole = (self.held - self._measured) // self.window * self.window
        if whole:
            fresh = self._last(self.held - self._measured)[:whole]
            self._levels.append(_levels(fresh, self.window))
            self._measured += whole

    def head(self, frames: int) -> npt.NDArray[np.float32]:
        """A copy-free look at the first ``frames`` held, when they lie in the first block."""
        first = self.blocks[0] if self.blocks else np.zeros((0, 1), np.float32)
        if len(first) >= frames:
            return first[:frames]
        return np.concatenate(self.blocks)[:frames]

    def _last(self, frames: int) -> npt.NDArray[np.float32]:
        """The last ``frames`` held (they lie in the last few blocks)."""
        out: list[npt.NDArray[np.float32]] = []
        need = frames
        for block in reversed(self.blocks):
            if need <= 0:
                break
            out.append(block[-need:] if need < len(block) else block)
            need -= len(block)
        out.reverse()
        return out[0] if len(out) == 1 else np.concatenate(out)

    def levels(self) -> npt.NDArray[np.float32]:
        if len(self._levels) > 1:
            self._levels = [np.concatenate(self._levels)]
        return self._levels[0] if self._levels else np.zeros(0, np.float32)

    def take(self, frames: int) -> npt.NDArray[np.float32]:
        """The first ``frames`` (a whole number of windows, or everything)."""
        joined = self.blocks[0] if len(self.blocks) == 1 else np.concatenate(self.blocks)
        taken, rest = joined[:frames], joined[frames:]
        self.blocks = [rest] if len(rest) else []
        self.held -= frames
        done = min(frames, self._measured) // self.window
        self._levels = [self.levels()[done:]]
        self._measured -= done * self.window
        return taken


def encode_cut(
    chunk: Chunk,
    audio: AudioData,
    fmt: AudioFormat = AudioFormat.FLAC,
    max_bytes: int | None = None,
) -> list[PartChunk]:
    """Encode one piece from ``iter_cuts`` (more than one when it came out over ``max_bytes``)."""
    x = audio.samples
    peak = max(float(x.max()), -float(x.min())) if audio.frames else 0.0  # no |x| copy
    return [
        PartChunk(c.chunk, c.data, fmt, peak)
        for c in encode_within(chunk, audio, fmt, max_bytes, _fast_encode)
    ]


def _fast_encode(audio: AudioData, fmt: AudioFormat) -> bytes:
    return _flac(audio) if fmt is AudioFormat.FLAC and audio.channels == 1 else encode(audio, fmt)


def _flac(audio: AudioData) -> bytes:
    """16-bit FLAC in one write of int16 samples: a quarter faster than codec.encode's float
    blocks, which matters when a two-hour file is encoded while its first parts upload."""
    import io

    import soundfile as sf

    # In place on one scratch array: a part holds ~25 million samples.
    scratch = np.multiply(audio.samples, np.float32(32767.0), dtype=np.float32)
    np.clip(scratch, -32767.0, 32767.0, out=scratch)
    np.rint(scratch, out=scratch)
    ints = scratch.astype(np.int16)
    del scratch
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", audio.sample_rate, 1, "PCM_16", format="FLAC") as out:
        out.write(ints)
    return buf.getvalue()
