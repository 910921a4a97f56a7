"""Proof-listening's ears: takes heard by the offline recogniser, several at a time.

The recogniser is reached through the provider layer (the local provider's transcription, in
its own engine worker), never through the Transcription feature, so it runs beside synthesis
and off the GUI thread. Whisper reads audio in 30-second windows whatever its length, so takes
are heard in batches: about a minute of takes joined with short silences and handed to the
engine as samples (no file between), transcribed once with word times, each word given back to
the take it falls in. A run hears its takes as they are kept and waits for the last batch only
at its end; the preview never waits for any of it. The word times heard are kept on a take
whose voice gave none (offline voices, OpenAI), so its captions are cut where words are said.
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
GAP_S = 0.8  # silence between takes in a batch: long enough that no word spans two takes
# Audio per batch: each request costs the recogniser a fixed part (reading, loading, the
# first window), so two windows' worth costs a take ~0.13 s of CPU where one costs ~0.2 s;
# the last batch of a run is heard after its last take, so not much more than that.
BATCH_S = 60.0


@dataclass(frozen=True)
class _Heard:
    samples: np.ndarray  # mono, RATE
    duration_s: float
    silence_s: float


def _load(path: Path) -> _Heard:
    """A take as the recogniser hears it, and its own measures. Blocking (decodes)."""
    audio = codec.decode(path)
    mono = codec.resample(audio.mono(), RATE).samples[:, 0]
    return _Heard(mono.astype(np.float32), audio.duration_s, longest_silence(audio))


def _join(parts: list[_Heard]) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The takes one after another with silence between; each take's span (s)."""
    gap = np.zeros(int(GAP_S * RATE), dtype=np.float32)
    pieces, spans, at = [gap], [], GAP_S
    for part in parts:
        pieces += [part.samples, gap]
        length = len(part.samples) / RATE
        spans.append((at, at + length))
        at += length + GAP_S
    return np.concatenate(pieces), spans


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
        samples, spans = await asyncio.to_thread(_join, parts)
        found = await self._provider.whisper.transcribe_samples(samples, words=True)
        heard: list[list[Word]] = [[] for _ in takes]
        # Cut halfway through each silence; what is heard before the first take or after the
        # last (word times drift at the ends of a file) belongs to that take.
        cuts = [(spans[i][1] + spans[i + 1][0]) / 2 for i in range(len(spans) - 1)]
        for start, end, text in found:
            k = bisect.bisect_right(cuts, (start + end) / 2)
            at, length = spans[k][0], parts[k].duration_s
            heard[k].append(Word(text, _clamp(start - at, length), _clamp(end - at, length)))
        return [
            (
                judge(text, " ".join(w.text for w in words), part.duration_s, part.silence_s),
                tuple(words),
            )
            for (_, text), words, part in zip(takes, heard, parts, strict=True)
        ]


def _clamp(seconds: float, length: float) -> float:
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
        self._batch_s += take.duration_s + GAP_S
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
