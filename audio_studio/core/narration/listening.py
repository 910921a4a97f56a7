"""Proof-listening's ears: takes heard by the offline recogniser, several at a time.

The recogniser is reached through the provider layer (the local provider's transcription, in
its own engine worker), never through the Transcription feature, so it runs beside synthesis
and off the GUI thread. Whisper reads audio in 30-second windows whatever its length, so takes
are packed into windows: each take without its silent ends, played a quarter faster, between
short silences, no take split between windows; about a minute of them is handed to the engine
as samples (no file between) and its windows are decoded together, with word times, each word
given back to the take it falls in. A run hears its takes as they are kept and waits for the
last batch only at its end; the preview never waits for any of it. The word times heard are
kept on a take whose voice gave none (offline voices, OpenAI), so its captions are cut where
words are said.
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
from audio_studio.core.narration.proof import PROOF_PROVIDER, Proof, judge, longest_silence

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
# Audio per batch: about two windows, decoded together (a batch of two costs a take ~7% less
# than one window at a time); the last batch of a run is heard after its last take, so not
# much more than that.
BATCH_S = 60.0
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


def _join(
    parts: list[_Heard],
) -> tuple[np.ndarray, list[tuple[float, float]], list[tuple[float, float]]]:
    """The takes packed into windows, with silence before and after each; each take's span
    and each window's (s). No windows when a take is longer than one (it is heard the plain
    way, Whisper moving through it)."""
    gap = np.zeros(int(GAP_S * RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    windows: list[tuple[float, float]] = []
    at = start = 0.0
    for part in parts:
        length = part.heard_s
        if at > start and at - start + length + GAP_S > WINDOW_S:
            windows.append((start, at))
            start = at
        if at == start:
            pieces.append(gap)
            at += GAP_S
        pieces += [part.samples, gap]
        spans.append((at, at + length))
        at += length + GAP_S
    windows.append((start, at))
    if any(b - a > WINDOW_S for a, b in windows):
        windows = []
    return np.concatenate(pieces), spans, windows


class ProofListener:
    """Hears takes with the offline recogniser and judges them."""

    def __init__(self, ctx: StudioContext, *, provider_id: str = PROOF_PROVIDER) -> None:
        self.ctx = ctx
        self.provider_id = provider_id
        self._provider: Any = None

    async def hear(self, takes: list[tuple[Path, str]]) -> list[tuple[Proof, tuple[Word, ...]]]:
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
            samples, words=True, windows=windows
        )
        heard: list[list[Word]] = [[] for _ in takes]
        # Cut halfway through each silence; what is heard before the first take or after the
        # last (word times drift at the ends of a file) belongs to that take.
        cuts = [(spans[i][1] + spans[i + 1][0]) / 2 for i in range(len(spans) - 1)]
        for start, end, text in found:
            k = bisect.bisect_right(cuts, (start + end) / 2)
            at, part = spans[k][0], parts[k]
            heard[k].append(Word(text, _take_time(part, start - at), _take_time(part, end - at)))
        return [
            (
                judge(text, " ".join(w.text for w in words), part.duration_s, part.silence_s),
                tuple(words),
            )
            for (_, text), words, part in zip(takes, heard, parts, strict=True)
        ]


def _take_time(part: _Heard, heard_s: float) -> float:
    """A time heard in a take (from its heard start) as a time in the take as made."""
    return min(max(round(part.lead_s + heard_s * PACE, 3), 0.0), part.duration_s)


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
        self._batch_s = 0.0
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
        self._batch_s += take.duration_s / PACE + GAP_S
        if self._batch_s >= BATCH_S:
            self._start()

    async def finish(self) -> None:
        """Hear what is left and wait for every batch."""
        self._start()
        while self._hearing:
            await asyncio.gather(*self._hearing)

    def cancel(self) -> None:
        """Stop hearing (the run was stopped); verdicts already given stay."""
        self._batch, self._batch_s = [], 0.0
        for task in list(self._hearing):
            task.cancel()

    def _start(self) -> None:
        if not self._batch:
            return
        batch, self._batch, self._batch_s = self._batch, [], 0.0
        task = asyncio.get_running_loop().create_task(self._hear(batch))
        self._hearing.add(task)
        task.add_done_callback(self._hearing.discard)

    async def _hear(self, batch: list[tuple[Chunk, Take]]) -> None:
        try:
            proofs = await self.listener.hear([(Path(t.path), t.spoken) for _, t in batch])
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
