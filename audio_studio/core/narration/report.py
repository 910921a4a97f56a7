"""The sentence-by-sentence report of a narration (``narrate --json``): who said what, with
which voice, every take and what proof-listening heard in it."""

from __future__ import annotations

from typing import Any

from audio_studio.core.narration.project import NarrationProject, Take
from audio_studio.core.narration.proof import Proof, flagged

__all__ = ["flagged_lines", "sentence_report"]


def _take(take: Take, number: int) -> dict[str, Any]:
    proof = Proof.from_json(take.proof)
    return {
        "take": number,
        "id": take.id,
        "provider": take.provider,
        "model": take.model,
        "voice": take.voice,
        "role": take.role,
        "cache_hit": take.cache_hit,
        "duration_s": round(take.duration_s, 3),
        "history_id": take.item_id,
        "proof": None
        if proof is None
        else {"heard": proof.heard, "wer": round(proof.wer, 3), "flagged": proof.flagged},
    }


def sentence_report(project: NarrationProject) -> list[dict[str, Any]]:
    """Every sentence with its text, role, voice, the take used and all its takes."""
    out = []
    for i, chunk in enumerate(project.chunks):
        take = chunk.take
        out.append(
            {
                "sentence": i + 1,
                "text": chunk.text,
                "role": project.role_of(chunk),
                "voice": take.voice if take else None,
                "provider": take.provider if take else None,
                "take": None if chunk.current is None else chunk.current + 1,
                "takes": [_take(t, n + 1) for n, t in enumerate(chunk.takes)],
            }
        )
    return out


def flagged_lines(project: NarrationProject) -> list[str]:
    """One line per sentence whose take is still flagged: where, what, and what was heard."""
    lines = []
    for i, chunk in enumerate(project.chunks):
        proof = flagged(chunk)
        if proof is not None:
            lines.append(
                f"sentence {i + 1} ({project.role_of(chunk)}): “{chunk.text}” was heard as "
                f"“{proof.heard}” ({proof.reason}; word error rate {proof.wer:.2f})"
            )
    return lines
