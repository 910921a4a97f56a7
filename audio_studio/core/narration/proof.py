"""Proof-listening: the offline recogniser hears each take and says whether it says its text.

A take is flagged *check* when the words heard differ too much from the words sent (word error
rate over normalised words, by jiwer), or when its length is implausible for its text: far too
short or too long, or with a long silence inside. The recogniser is reached through the
provider layer (the local provider's transcription, in its own engine worker), never through
the Transcription feature, so listening runs beside synthesis and off the GUI thread.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audio_studio.core.audio import codec
from audio_studio.core.errors import StudioError
from audio_studio.core.models import Capability, TranscriptionRequest
from audio_studio.core.narration.project import Chunk, NarrationProject, Take

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

log = logging.getLogger(__name__)

__all__ = [
    "PROOF_PROVIDER",
    "Proof",
    "ProofListener",
    "ProofRound",
    "best_take",
    "flagged",
    "judge",
    "normalise",
    "words_diff",
]

PROOF_PROVIDER = "local"
WER_LIMIT = 0.34  # share of words clearly wrong above which a take is flagged
NEAR_CER = 0.5  # a substitution this close in letters is the recogniser's slip, not the voice's
LONGEST_SILENCE_S = 1.6  # inside a take; [pause] markup is silence between takes, not in them
# Speaking rates that are still speech: characters of text per second of audio.
FASTEST_CPS, SLOWEST_CPS = 40.0, 4.0
_SILENT_DB = -45.0
_FRAME_S = 0.05


def normalise(text: str) -> list[str]:
    """Words to compare: lower case, no accents or punctuation, numbers as words."""
    flat = unicodedata.normalize("NFKD", text)
    flat = "".join(c for c in flat if not unicodedata.combining(c)).lower()
    flat = re.sub(r"(?<=\d),(?=\d{3})", "", flat)  # 1,200
    from num2words import num2words  # imported when first needed: the tab starts faster

    flat = re.sub(r"\d+", lambda m: num2words(int(m.group(0))), flat)
    flat = flat.replace("’", "'").replace("-", " ")
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", flat)


@dataclass(frozen=True)
class Proof:
    """What proof-listening found for one take."""

    heard: str
    wer: float
    flagged: bool
    reason: str | None = None  # why it is flagged, in words for the table and the CLI
    diff: tuple[tuple[str, str, str], ...] = ()  # (op, expected words, heard words), in order

    def to_json(self) -> dict[str, Any]:
        return {
            "heard": self.heard,
            "wer": round(self.wer, 3),
            "flagged": self.flagged,
            "reason": self.reason,
            "diff": [list(d) for d in self.diff],
        }

    @classmethod
    def from_json(cls, data: Any) -> Proof | None:
        if not isinstance(data, dict):
            return None
        return cls(
            heard=str(data.get("heard") or ""),
            wer=float(data.get("wer") or 0.0),
            flagged=bool(data.get("flagged")),
            reason=data.get("reason"),
            diff=tuple((str(d[0]), str(d[1]), str(d[2])) for d in data.get("diff") or ()),
        )


def words_diff(expected: list[str], heard: list[str]) -> tuple[tuple[str, str, str], ...]:
    """The alignment of two word lists: ("equal" | "substitute" | "delete" | "insert", …)."""
    import jiwer

    if not expected and not heard:
        return ()
    if not expected:
        return (("insert", "", " ".join(heard)),)
    if not heard:
        return (("delete", " ".join(expected), ""),)
    out = jiwer.process_words(" ".join(expected), " ".join(heard))
    parts = []
    for chunk in out.alignments[0]:
        ref = " ".join(expected[chunk.ref_start_idx : chunk.ref_end_idx])
        hyp = " ".join(heard[chunk.hyp_start_idx : chunk.hyp_end_idx])
        parts.append((chunk.type, ref, hyp))
    return tuple(parts)


def _far_errors(diff: tuple[tuple[str, str, str], ...]) -> int:
    """Words wrong in a way a listener would notice. Each run of differences is compared
    letter by letter without spaces: "win opened" heard as "when open", or "sea lit" as
    "seedlet" (a small recogniser's slips, not the voice's) are not counted."""
    import jiwer

    errors = 0
    runs: list[tuple[list[str], list[str]]] = []
    open_run = False
    for op, ref, hyp in diff:
        if op == "equal":
            open_run = False
            continue
        if not open_run:
            runs.append(([], []))
            open_run = True
        runs[-1][0].extend(ref.split())
        runs[-1][1].extend(hyp.split())
    for ref_words, hyp_words in runs:
        ref, hyp = "".join(ref_words), "".join(hyp_words)
        if ref and hyp and jiwer.cer(ref, hyp) <= NEAR_CER:
            continue
        errors += len(ref_words) or len(hyp_words)
    return errors


def judge(text: str, heard: str, duration_s: float, longest_silence_s: float = 0.0) -> Proof:
    """Whether a take of ``text`` that was heard as ``heard`` needs a look."""
    import jiwer

    expected, got = normalise(text), normalise(heard)
    diff = words_diff(expected, got)
    if not expected:
        wer = 0.0
    elif not got:
        wer = 1.0
    else:
        wer = float(jiwer.wer(" ".join(expected), " ".join(got)))
    errors = _far_errors(diff)
    chars = max(1, len("".join(expected)))
    reason = None
    if expected and errors / len(expected) > WER_LIMIT and errors >= min(2, len(expected)):
        reason = "the words heard differ from the text"
    elif duration_s < chars / FASTEST_CPS:
        reason = "too short for its text"
    elif duration_s > chars / SLOWEST_CPS + 2.0:
        reason = "too long for its text"
    elif longest_silence_s > LONGEST_SILENCE_S:
        reason = f"a silence of {longest_silence_s:.1f} s inside"
    return Proof(heard.strip(), wer, reason is not None, reason, diff)


def longest_silence(audio: codec.AudioData) -> float:
    """The longest quiet stretch between the first and last sound, in seconds."""
    samples = audio.samples
    mono = samples.mean(axis=1) if samples.ndim > 1 else samples
    frame = max(1, int(audio.sample_rate * _FRAME_S))
    n = len(mono) // frame
    if n < 3:
        return 0.0
    rms = np.sqrt(np.mean(np.square(mono[: n * frame].reshape(n, frame), dtype=np.float64), axis=1))
    loud = 20 * np.log10(np.maximum(rms, 1e-9)) > _SILENT_DB
    idx = np.flatnonzero(loud)
    if len(idx) < 2:
        return 0.0
    gaps = np.diff(idx) - 1
    return float(gaps.max() * _FRAME_S) if len(gaps) else 0.0


def _measure(path: Path) -> tuple[float, float]:
    audio = codec.decode(path)
    return audio.duration_s, longest_silence(audio)


class ProofListener:
    """Transcribes takes with the offline recogniser and judges them (one per run)."""

    def __init__(self, ctx: StudioContext, *, provider_id: str = PROOF_PROVIDER) -> None:
        self.ctx = ctx
        self.provider_id = provider_id
        self._provider: Any = None

    async def listen(self, path: Path, text: str) -> Proof:
        """Hear the take at ``path`` and judge it against ``text`` (as it was sent).

        Raises:
            StudioError: the recogniser could not run (not installed, the file unreadable).
        """
        if self._provider is None:
            self._provider = await self.ctx.provider(self.provider_id, Capability.TRANSCRIPTION)
        request = TranscriptionRequest(audio=path, language="en", word_timestamps=False)
        transcript, (duration, silence) = await asyncio.gather(
            self._provider.transcribe(request), asyncio.to_thread(_measure, path)
        )
        return judge(text, transcript.text, duration, silence)


class ProofRound:
    """Proof-listening for one generate run: each take is heard as it is kept (a task of the
    run, beside the next requests); flagged chunks are collected for one remake."""

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

    def _heard_before(self, take: Take) -> Proof | None:
        """The verdict on the same audio for the same words, when the project has one (a take
        from the cache is not heard twice)."""
        if not take.cache_hit or self.project is None:
            return None
        for chunk in self.project.chunks:
            for other in chunk.takes:
                if other.sha256 == take.sha256 and other.spoken == take.spoken and other.proof:
                    return Proof.from_json(other.proof)
        return None

    async def after(self, chunk: Chunk, take: Take) -> None:
        """Hear ``take`` of ``chunk``, keep the verdict on the take and its History row."""
        heard_before = self._heard_before(take)
        try:
            proof = heard_before or await self.listener.listen(Path(take.path), take.spoken)
        except StudioError as exc:
            log.info("proof-listening skipped a take: %s", exc.message)
            if exc.message not in self.errors:
                self.errors.append(exc.message)
            return
        self.heard += 1
        verdict = proof.to_json()
        for i, t in enumerate(chunk.takes):
            if t.id == take.id:
                chunk.takes[i] = replace(t, proof=verdict)
        if proof.flagged:
            self.flagged[chunk.id] = chunk
        else:
            self.flagged.pop(chunk.id, None)
        if take.item_id is not None:
            await asyncio.to_thread(_record, self.ctx, take.item_id, verdict)
        if self.on_change is not None:
            self.on_change(chunk)


def best_take(chunk: Chunk) -> None:
    """After a remake: the current take is the newest one heard right, else the one heard
    closest to its text (a remake that came out worse does not replace a better take)."""
    heard = [
        (i, Proof.from_json(t.proof)) for i, t in enumerate(chunk.takes) if t.text == chunk.text
    ]
    judged = [(i, p) for i, p in heard if p is not None]
    if not judged:
        return
    right = [i for i, p in judged if not p.flagged]
    chunk.current = right[-1] if right else min(judged, key=lambda ip: (ip[1].wer, -ip[0]))[0]


def flagged(chunk: Chunk) -> Proof | None:
    """The proof of the chunk's current take when it is flagged, else None."""
    take = chunk.take
    proof = Proof.from_json(take.proof) if take is not None else None
    return proof if proof is not None and proof.flagged else None


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
