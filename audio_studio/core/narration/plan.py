"""What a narration run would do (the preflight line) and what it did (the run's report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from audio_studio.core.preflight import Preflight

__all__ = ["BIG_JOB_CREDITS", "BIG_JOB_USD", "GenerationReport", "NarrationPlan"]

BIG_JOB_USD = 1.0  # the preflight says so plainly above these (surprise costs)
BIG_JOB_CREDITS = 20_000.0


@dataclass
class GenerationReport:
    """What one generate run did."""

    targets: int = 0
    made: int = 0  # sentences a provider call gave a take (remakes of misheard ones: remade)
    cached: int = 0
    failed: int = 0
    cost_usd: float = 0.0
    credits: float = 0.0
    ttfa_ms: float | None = None  # run start -> first audio to the preview
    total_ms: float = 0.0
    cancelled: bool = False
    errors: list[str] = field(default_factory=list)
    proofed: int = 0  # takes proof-listening heard
    flagged: int = 0  # chunks whose current take is still flagged at the end
    remade: int = 0  # flagged takes made again

    def summary(self) -> dict[str, Any]:
        return {
            "targets": self.targets,
            "made": self.made,
            "cached": self.cached,
            "failed": self.failed,
            "cost_usd": round(self.cost_usd, 6),
            "credits": self.credits,
            "time_to_first_audio_ms": None if self.ttfa_ms is None else round(self.ttfa_ms, 1),
            "total_ms": round(self.total_ms, 1),
            "cancelled": self.cancelled,
            "proofed": self.proofed,
            "flagged": self.flagged,
            "remade": self.remade,
        }


@dataclass(frozen=True)
class NarrationPlan:
    """What Generate would do now: shown on the preflight line before the user presses it."""

    chunks: int
    paragraphs: int
    characters: int  # of the whole script, as spoken
    to_make: int  # chunks that need a provider call
    to_make_characters: int
    cached: int  # chunks that need audio but will come from the cache
    locked: int
    max_chars: int | None
    preflight: Preflight
    warnings: tuple[str, ...]
    script_characters: int = 0  # as typed, with spaces between sentences and markup
    other_voice: int = 0  # unlocked sentences whose take is in another voice (kept as is)
    other_voice_cost: str = ""  # what remaking those in this voice would cost, e.g. "≈ $0.01"
    # A cast: one preflight per provider and model its roles use (``preflight`` is the first).
    preflights: tuple[Preflight, ...] = ()
    problems: tuple[str, ...] = ()  # roles the script names that the cast lacks

    @property
    def checks(self) -> tuple[Preflight, ...]:
        return self.preflights or (self.preflight,)

    @property
    def warning(self) -> str | None:
        """The budget's warning, or a plain one when the job is large (surprise costs)."""
        warned = next((p.warning for p in self.checks if p.warning), None)
        if warned:
            return warned
        est = self.preflight.estimate
        big = (est.usd or 0) >= BIG_JOB_USD or (est.credits or 0) >= BIG_JOB_CREDITS
        if big and not est.free:
            return (
                f"A large job: {self.to_make_characters:,} characters to make, {est.text()} "
                f"with {self.preflight.provider}. Generate only what you need, or try a "
                "paragraph first."
            )
        return None

    @property
    def blocked(self) -> str | None:
        if self.problems:
            return self.problems[0]
        return next((p.blocked for p in self.checks if p.blocked), None)

    def _characters(self) -> str:
        """The count that is paid for; the script's own (shown above the editor) when they
        differ, so two numbers are never shown unexplained."""
        if self.script_characters and self.script_characters != self.characters:
            return (
                f"{self.characters:,} characters spoken ({self.script_characters:,} in the script)"
            )
        return f"{self.characters:,} characters"

    def text(self) -> str:
        parts = [
            f"{self.chunks:,} sentence{'s' if self.chunks != 1 else ''} in "
            f"{self.paragraphs:,} paragraph{'s' if self.paragraphs != 1 else ''}",
            self._characters(),
        ]
        if self.to_make or self.cached:
            parts.append(f"to make: {self.to_make:,} ({self.to_make_characters:,} characters)")
        else:
            parts.append("nothing to make")
        cost = self.preflight.text()
        if self.cached:
            # "free" once: the estimate says it already when nothing is paid for.
            free = "" if cost.startswith("free") else ", free"
            parts.append(f"{self.cached:,} from the cache{free}")
        if len(self.checks) > 1:
            parts.append(" + ".join(f"{p.provider} {p.text()}" for p in self.checks))
        else:
            parts.append(cost)
        if self.max_chars:
            parts.append(f"limit {self.max_chars:,} characters per request")
        return " · ".join(parts)
