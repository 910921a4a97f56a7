"""Proof-listening's ears: takes heard by the offline recogniser, several at a time.

The recogniser is reached through the provider layer (the local provider's transcription, in
its own engine worker), never through the Transcription feature, so it runs beside synthesis
and off the GUI thread. Whisper reads audio in 30-second windows whatever its length, so takes
are packed into windows: each take without its silent ends, played a quarter faster, between
short silences, no take split between windows; four windows of them are handed to the engine
as samples (no file between) and decoded together, with word times, each word given back to
the take it falls in; a take heard wrong there is heard again alone before it is flagged. A
run hears its takes as they are kept and waits for the last batch only at its end; the
preview never waits for any of it. The word times heard are kept on a take whose voice gave
none (offline voices, OpenAI), so its captions are cut where words are said.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audio_studio.core.audio import codec
from audio_studio.core.errors import StudioError
from audio_studio.core.models import Capability, Word
from audio_studio.core.narration.project import Chunk, NarrationProject, Take
from audio_studio.core.narration.proof import (
    MISHEARD,
    PROOF_PROVIDER,
    Proof,
    judge,
    longest_silence,
)

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["ProofListener", "ProofRound"]

log = logging.getLogger(__name__)

RATE = 16_000  # what the recogniser hears at
# Takes are heard this much faster (resampled, so a little higher too). Whisper tiny.en hears
# a narrator at 1.25× as well as at 1× (on 40 narrated sentences: 4.1% of words wrong against
# 4.5%, the same one wrong take flagged), and the recogniser's cost is mostly its windows.
PACE = 1.25
GAP_S = 0.4  # silence between takes in a window (heard time): no word spans two takes
WINDOW_S = 30.0  # the recogniser's window; a window holds whole takes only
# A batch is four full windows, decoded together (a take costs ~15% less than in windows
# decoded one at a time); takes that would open a fifth wait for the next batch, so no window
# is heard half empty while the run goes on; the run's end hears what is left.
BATCH_WINDOWS = 4
_QUIET = 0.03  # of the take's peak: below it, the start and end of a take are silence
_MARGIN_S = 0.05  # kept around the sound, so no consonant is cut


@dataclass(frozen=True)
class _Heard:
    samples: np.ndarray  # mono, at RATE once played PACE times faster
    duration_s: float  # of the take as made
    silence_s: float
    lead_s: float  # silence cut from its start (take time)

    @property
    def heard_s(self) -> float:
        return len(self.samples) / RATE


def _load(path: Path) -> _Heard:
    """A take as the recogniser hears it, and its own measures. Blocking (decodes)."""
    audio = codec.decode(path)
    mono = audio.mono()
    start, end = _sound(mono.samples[:, 0], mono.sample_rate)
    sound = codec.AudioData(mono.samples[start:end], mono.sample_rate)
    # Resampled to RATE / PACE and heard at RATE: PACE times faster.
    fast = codec.resample(sound, round(RATE / PACE)).samples[:, 0]
    return _Heard(
        fast.astype(np.float32), audio.duration_s, longest_silence(audio), start / mono.sample_rate
    )


def _sound(samples: np.ndarray, rate: int) -> tuple[int, int]:
    """Where the take's sound starts and ends (samples), with a margin."""
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    loud = np.flatnonzero(np.abs(samples) > peak * _QUIET) if peak > 0 else np.array([], int)
    if not len(loud):
        return 0, len(samples)
    margin = int(_MARGIN_S * rate)
    return max(0, int(loud[0]) - margin), min(len(samples), int(loud[-1]) + margin + 1)


def _pack(lengths: list[float]) -> list[int]:
    """The window each take goes in, in order (heard seconds each): whole takes only, with
    silence before and after each."""
    windows: list[int] = []
    used = 0.0
    for length in lengths:
        if used > 0 and used + length + GAP_S > WINDOW_S:
            used = 0.0
        if used == 0.0:
            used = GAP_S
            windows.append(windows[-1] + 1 if windows else 0)
        else:
            windows.append(windows[-1])
        used += length + GAP_S
    return windows


def _join(
    parts: list[_Heard],
) -> tuple[np.ndarray, list[tuple[float, float]], list[tuple[float, float]]]:
    """The takes packed into windows (``_pack``); each take's span and each window's (s). No
    windows when a take is longer than one (it is heard the plain way, Whisper moving through
    it)."""
    gap = np.zeros(int(GAP_S * RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    windows: list[tuple[float, float]] = []
    at = 0.0
    for part, window in zip(parts, _pack([p.heard_s for p in parts]), strict=True):
        if window == len(windows):  # the first take of a window
            windows.append((at, at))
            pieces.append(gap)
            at += GAP_S
        pieces += [part.samples, gap]
        spans.append((at, at + part.heard_s))
        at += part.heard_s + GAP_S
        windows[-1] = (windows[-1][0], at)
    if any(b - a > WINDOW_S for a, b in windows):
        windows = []
    return np.concatenate(pieces), spans, windows


class ProofListener:
    """Hears takes with the offline recogniser and judges them."""

    def __init__(self, ctx: StudioContext, *, provider_id: str = PROOF_PROVIDER) -> None:
        self.ctx = ctx
        self.provider_id = provider_id
        self._provider: Any = None

    async def hear(
        self, takes: list[tuple[Path, str]], *, all_cores: bool = False
    ) -> list[tuple[Proof, tuple[Word, ...]]]:
        """Hear each take at its path and judge it against its text (as it was sent); with the
        words heard in it, timed from the take's start.

        Raises:
            StudioError: the recogniser could not run (not installed, a file unreadable).
        """
        if not takes:
            return []
        if self._provider is None:
            self._provider = await self.ctx.provider(self.provider_id, Capability.TRANSCRIPTION)
        parts = await asyncio.to_thread(lambda: [_load(path) for path, _ in takes])
        samples, spans, windows = await asyncio.to_thread(_join, parts)
        found = await self._provider.whisper.transcribe_samples(
            samples, words=True, windows=windows, all_cores=all_cores
        )
        heard: list[list[Word]] = [[] for _ in takes]
        # Cut halfway through each silence; what is heard before the first take or after the
        # last (word times drift at the ends of a file) belongs to that take.
        cuts = [(spans[i][1] + spans[i + 1][0]) / 2 for i in range(len(spans) - 1)]
        for start, end, text in found:
            k = bisect.bisect_right(cuts, (start + end) / 2)
            at, part = spans[k][0], parts[k]
            heard[k].append(Word(text, _take_time(part, start - at), _take_time(part, end - at)))
        verdicts = [
            (
                judge(text, " ".join(w.text for w in words), part.duration_s, part.silence_s),
                tuple(words),
            )
            for (_, text), words, part in zip(takes, heard, parts, strict=True)
        ]
        for i, (proof, _) in enumerate(verdicts):
            if proof.reason == MISHEARD:
                verdicts[i] = await self._hear_alone(*takes[i], parts[i])
        return verdicts

    async def _hear_alone(
        self, path: Path, text: str, part: _Heard
    ) -> tuple[Proof, tuple[Word, ...]]:
        """A second hearing of a take heard wrong in its window: alone, as it was made, Whisper
        moving through it the plain way. A packed window's decoding can stop early and leave
        its last takes half heard (2 takes in 300 in the bench); a take wrong alone is wrong."""
        audio = await asyncio.to_thread(codec.decode, path, sample_rate=RATE, mono=True)
        found = await self._provider.whisper.transcribe_samples(audio.samples[:, 0], words=True)
        length = part.duration_s
        words = tuple(
            Word(said, _within(start, length), _within(end, length)) for start, end, said in found
        )
        heard = " ".join(w.text for w in words)
        return judge(text, heard, part.duration_s, part.silence_s), words


def _take_time(part: _Heard, heard_s: float) -> float:
    """A time heard in a take (from its heard start) as a time in the take as made."""
    return _within(part.lead_s + heard_s * PACE, part.duration_s)


def _within(seconds: float, length: float) -> float:
    return min(max(round(seconds, 3), 0.0), length)


class ProofRound:
    """Proof-listening for one generate run: takes are collected as they are kept and heard a
    batch at a time (tasks of the run, beside the next requests); ``finish`` hears the rest.
    Flagged chunks are collected for one remake."""

    def __init__(
        self,
        ctx: StudioContext,
        listener: ProofListener,
        on_change: Callable[[Chunk], None] | None = None,
        project: NarrationProject | None = None,
    ) -> None:
        self.ctx = ctx
        self.project = project
        self.listener = listener
        self.on_change = on_change
        self.flagged: dict[str, Chunk] = {}
        self.heard = 0
        self.errors: list[str] = []
        self._batch: list[tuple[Chunk, Take]] = []
        self._lengths: list[float] = []
        self._hearing: set[asyncio.Task[None]] = set()

    async def after(self, chunk: Chunk, take: Take) -> None:
        """A take was kept: its verdict when the project heard this audio before, else it
        joins the batch, which is heard once it holds enough audio."""
        known = self._heard_before(take)
        if known is not None:
            proof = Proof.from_json(known.proof)
            if proof is not None:
                await self._keep(chunk, take, proof, known.words)
                return
        self._batch.append((chunk, take))
        # The take's length as heard, about (its silent ends are cut only when it is heard).
        self._lengths.append(take.duration_s / PACE)
        windows = _pack(self._lengths)
        if windows[-1] >= BATCH_WINDOWS:  # the batch's windows are full
            self._start(windows.index(BATCH_WINDOWS))

    async def finish(self) -> None:
        """Hear what is left (on every core: the voice is done) and wait for every batch."""
        self._start(all_cores=True)
        while self._hearing:
            await asyncio.gather(*self._hearing)

    def cancel(self) -> None:
        """Stop hearing (the run was stopped); verdicts already given stay."""
        self._batch, self._lengths = [], []
        for task in list(self._hearing):
            task.cancel()

    def _start(self, count: int | None = None, *, all_cores: bool = False) -> None:
        """Hear the first ``count`` takes collected (all of them when None)."""
        if not self._batch:
            return
        count = len(self._batch) if count is None else count
        batch, self._batch = self._batch[:count], self._batch[count:]
        self._lengths = self._lengths[count:]
        task = asyncio.get_running_loop().create_task(self._hear(batch, all_cores))
        self._hearing.add(task)
        task.add_done_callback(self._hearing.discard)

    async def _hear(self, batch: list[tuple[Chunk, Take]], all_cores: bool) -> None:
        try:
            takes = [(Path(t.path), t.spoken) for _, t in batch]
            proofs = await self.listener.hear(takes, all_cores=all_cores)
        except StudioError as exc:
            log.info("proof-listening skipped %d takes: %s", len(batch), exc.message)
            if exc.message not in self.errors:
                self.errors.append(exc.message)
            return
        for (chunk, take), (proof, words) in zip(batch, proofs, strict=True):
            await self._keep(chunk, take, proof, words)

    async def _keep(
        self, chunk: Chunk, take: Take, proof: Proof, words: tuple[Word, ...] = ()
    ) -> None:
        """The verdict on the take (in the project and on its History row), and the word times
        heard when its voice reported none."""
        self.heard += 1
        verdict = proof.to_json()
        for i, t in enumerate(chunk.takes):
            if t.id == take.id:
                chunk.takes[i] = replace(t, proof=verdict, words=t.words or words)
        if proof.flagged:
            self.flagged[chunk.id] = chunk
        else:
            self.flagged.pop(chunk.id, None)
        if take.item_id is not None:
            await asyncio.to_thread(_record, self.ctx, take.item_id, verdict)
        if self.on_change is not None:
            self.on_change(chunk)

    def _heard_before(self, take: Take) -> Take | None:
        """The take of the same audio for the same words that has a verdict, when the project
        has one (a take from the cache is not heard twice)."""
        if not take.cache_hit or self.project is None:
            return None
        for chunk in self.project.chunks:
            for other in chunk.takes:
                if other.sha256 == take.sha256 and other.spoken == take.spoken and other.proof:
                    return other
        return None


def _record(ctx: StudioContext, item_id: int, verdict: dict[str, Any]) -> None:
    item = ctx.history.get(item_id)
    if item is None:
        return
    tags = tuple(t for t in item.tags if t != "proof-check")
    ctx.history.update(
        item_id,
        params={**item.params, "proof": verdict},
        tags=(*tags, "proof-check") if verdict["flagged"] else tags,
    )
