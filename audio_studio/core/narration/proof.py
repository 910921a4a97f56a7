"""Proof-listening's judgement: whether what was heard in a take is what it had to say.

A take is flagged *check* when the words heard differ too much from the words sent (word error
rate over normalised words, by jiwer), or when its length is implausible for its text: far too
short or too long, or with a long silence inside. The hearing itself is narration/listening.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np

from audio_studio.core.audio import codec
from audio_studio.core.narration.project import Chunk

__all__ = [
    "PROOF_PROVIDER",
    "Proof",
    "best_take",
    "flagged",
    "judge",
    "longest_silence",
    "normalise",
    "words_diff",
]

PROOF_PROVIDER = "local"
MISHEARD = "the words heard differ from the text"  # the reason a take is flagged for its words
WER_LIMIT = 0.34  # share of words clearly wrong above which a take is flagged
NEAR_CER = 0.5  # a substitution this close in letters is the recogniser's slip, not the voice's
LONGEST_SILENCE_S = 1.6  # inside a take; [pause] markup is silence between takes, not in them
# Speaking rates that are still speech: characters of text per second of audio.
FASTEST_CPS, SLOWEST_CPS = 40.0, 4.0
_SILENT_DB = -45.0
_FRAME_S = 0.05


def normalise(text: str, *, years: bool = False) -> list[str]:
    """Words to compare: lower case, no accents or punctuation, numbers as words (with
    ``years``, four-digit numbers as years are read: "nineteen eighty-seven")."""
    flat = unicodedata.normalize("NFKD", text)
    flat = "".join(c for c in flat if not unicodedata.combining(c)).lower()
    flat = re.sub(r"(?<=\d),(?=\d{3})", "", flat)  # 1,200
    from num2words import num2words  # imported when first needed: the tab starts faster

    if years:
        flat = re.sub(
            r"(?<![\d.])[1-9]\d{3}(?![\d.])", lambda m: num2words(int(m[0]), to="year"), flat
        )
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

    got = normalise(heard)
    # A four-digit number has two readings ("one thousand nine hundred and eighty-seven",
    # "nineteen eighty-seven"); a voice may say either, so the take is judged by the closer.
    plain, as_years = normalise(text), normalise(text, years=True)
    readings = [plain] if as_years == plain else [plain, as_years]
    diffs = [(e, words_diff(e, got)) for e in readings]
    errors, expected, diff = min(((_far_errors(d), e, d) for e, d in diffs), key=lambda j: j[0])
    if not expected:
        wer = 0.0
    elif not got:
        wer = 1.0
    else:
        wer = float(jiwer.wer(" ".join(expected), " ".join(got)))
    chars = max(1, len("".join(expected)))
    reason = None
    if expected and errors / len(expected) > WER_LIMIT and errors >= min(2, len(expected)):
        reason = MISHEARD
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
