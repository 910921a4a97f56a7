"""Preflight: what a job will cost, this month's spend with the provider, and the budget's verdict.

Every workflow asks for a preflight before its first provider call, and the tabs show its text
before the user presses Generate. Spend is summed from History: cost is recorded on the items
that made provider calls (takes, effects, transcripts), never again on joined exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from audio_studio.core.costs import Estimate, estimate
from audio_studio.core.errors import BudgetExceededError
from audio_studio.core.models import Capability
from audio_studio.core.settings import Budget
from audio_studio.core.store.history import HistoryStore

__all__ = ["Preflight", "month_spend", "month_start", "preflight"]


@dataclass(frozen=True)
class Preflight:
    provider: str
    estimate: Estimate
    spent_usd: float  # this calendar month (UTC) with this provider, before the job
    budget: Budget | None  # None when the provider has no monthly budget
    warning: str | None = None
    blocked: str | None = None  # why the job must not start

    def text(self) -> str:
        """One line for the UI, e.g. "≈ $0.06 · $3.20 of $20.00 this month"."""
        parts = [self.estimate.text()]
        if self.budget is not None:
            parts.append(f"${self.spent_usd:,.2f} of ${self.budget.monthly_usd:,.2f} this month")
        return " · ".join(parts)

    def raise_if_blocked(self) -> None:
        if self.blocked:
            raise BudgetExceededError(self.blocked, provider=self.provider)


def month_start(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0).isoformat()


def month_spend(history: HistoryStore, provider: str, since: str | None = None) -> float:
    """Dollars recorded for ``provider`` since the start of this month. Blocking (SQLite)."""
    # Joined narration exports only repeat their takes' cost (see store/usage.py).
    row = history.db.query_one(
        "SELECT coalesce(sum(cost_usd), 0) FROM items WHERE provider = ? AND created_at >= ? "
        "AND kind != 'narration'",
        (provider, since or month_start()),
    )
    return float(row[0]) if row else 0.0


def preflight(
    provider: str,
    capability: Capability,
    spent_usd: float,
    budget: Budget,
    model: str | None = None,
    *,
    characters: int = 0,
    seconds: float | None = None,
) -> Preflight:
    """Estimate the job and judge it against the provider's monthly budget (0 = no budget)."""
    est = estimate(provider, capability, model, characters=characters, seconds=seconds)
    if budget.monthly_usd <= 0 or est.free:
        return Preflight(provider, est, spent_usd, None)
    limit = budget.monthly_usd
    after = spent_usd + (est.usd or 0.0)
    block_at, warn_at = budget.block_at * limit, budget.warn_at * limit
    if after > block_at or (est.usd is None and spent_usd >= block_at):
        reason = (
            f"This would take {provider} to ${after:,.2f} this month, past the ${block_at:,.2f} "
            f"limit of its ${limit:,.2f} budget ({est.text()} for this job). Raise the budget "
            "in Settings → Budgets, or use the offline engine."
        )
        return Preflight(provider, est, spent_usd, budget, blocked=reason)
    warning = None
    if after >= warn_at:
        warning = f"{provider}: ${after:,.2f} of the ${limit:,.2f} monthly budget after this job."
    elif est.usd is None:
        warning = f"{provider}: the cost of this job is unknown; ${spent_usd:,.2f} spent so far."
    return Preflight(provider, est, spent_usd, budget, warning=warning)
