"""Preflight: what a job will cost, this month's spend with the provider, and the budget's verdict.

Every workflow asks for a preflight before its first provider call, and the tabs show its text
before the user presses Generate. Spend is summed from History: cost is recorded on the items
that made provider calls (takes, effects, transcripts), never again on joined exports.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

from audio_studio.core.costs import Estimate, estimate
from audio_studio.core.errors import BudgetExceededError
from audio_studio.core.models import Capability, Usage
from audio_studio.core.settings import Budget
from audio_studio.core.store.history import HistoryStore

__all__ = ["Preflight", "month_spend", "month_start", "month_usage", "preflight"]


@dataclass(frozen=True)
class Preflight:
    provider: str
    estimate: Estimate
    spent_usd: float  # this calendar month (UTC) with this provider, before the job
    budget: Budget | None  # None when the provider has no monthly budget
    warning: str | None = None
    blocked: str | None = None  # why the job must not start
    spent_credits: float = 0.0  # this month, for providers that bill credits
    confirm: str | None = None  # the cost is unknown and a budget is set: ask before starting

    def text(self) -> str:
        """One line for the UI, e.g. "≈ $0.06 · $3.20 of $20.00 this month"."""
        parts = [self.estimate.text()]
        if self.budget is not None and self.budget.monthly_usd > 0:
            parts.append(f"${self.spent_usd:,.2f} of ${self.budget.monthly_usd:,.2f} this month")
        if self.budget is not None and self.budget.monthly_credits > 0:
            parts.append(
                f"{self.spent_credits:,.0f} of {self.budget.monthly_credits:,.0f} credits "
                "this month"
            )
        return " · ".join(parts)

    def raise_if_blocked(self) -> None:
        """Raises BudgetExceededError when the job would pass the budget, or when its cost is
        unknown, a budget is set and nobody agreed to go ahead (StudioContext.accept_unknown_cost:
        the window asks, the CLI takes ``--yes``)."""
        if self.blocked:
            raise BudgetExceededError(self.blocked, provider=self.provider)
        if self.confirm:
            raise BudgetExceededError(
                f"{self.confirm} Agree to go ahead (the window asks; on the command line add "
                "--yes), or choose a provider whose price is known.",
                provider=self.provider,
            )

    def usage(self, usage: Usage) -> Usage:
        """What to record: the provider's own figures, and the estimate where it gave none."""
        return dataclasses.replace(
            usage,
            cost_usd=usage.cost_usd if usage.cost_usd is not None else self.estimate.usd,
            credits=usage.credits or (self.estimate.credits or 0.0),
        )


def month_start(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0).isoformat()


def month_spend(history: HistoryStore, provider: str, since: str | None = None) -> float:
    """Dollars recorded for ``provider`` since the start of this month. Blocking (SQLite)."""
    return month_usage(history, provider, since)[0]


def month_usage(
    history: HistoryStore, provider: str, since: str | None = None
) -> tuple[float, float]:
    """(dollars, credits) recorded for ``provider`` since the start of this month. Blocking."""
    # Joined narration exports only repeat their takes' cost (see store/usage.py).
    row = history.db.query_one(
        "SELECT coalesce(sum(cost_usd), 0), coalesce(sum(credits), 0) FROM items "
        "WHERE provider = ? AND created_at >= ? AND kind != 'narration'",
        (provider, since or month_start()),
    )
    return (float(row[0]), float(row[1])) if row else (0.0, 0.0)


def preflight(
    provider: str,
    capability: Capability,
    spent_usd: float,
    budget: Budget,
    model: str | None = None,
    *,
    characters: int = 0,
    seconds: float | None = None,
    spent_credits: float = 0.0,
    unknown_cost_ok: bool = False,
) -> Preflight:
    """Estimate the job and judge it against the provider's monthly budget, in each unit the
    budget sets (dollars, credits; 0 = none). A job whose cost in a budgeted unit is unknown
    needs ``unknown_cost_ok`` (someone agreed) to start."""
    est = estimate(provider, capability, model, characters=characters, seconds=seconds)
    base = Preflight(provider, est, spent_usd, None, spent_credits=spent_credits)
    if not budget.active or est.free:
        return base
    checks = []
    if budget.monthly_usd > 0:
        checks.append((budget.monthly_usd, spent_usd, est.usd, _usd))
    if budget.monthly_credits > 0:
        checks.append((budget.monthly_credits, spent_credits, est.credits, _credits))
    warning = None
    unknown = []
    for limit, spent, cost, fmt in checks:
        after = spent + (cost or 0.0)
        block_at, warn_at = budget.block_at * limit, budget.warn_at * limit
        if after > block_at or (cost is None and spent >= block_at):
            reason = (
                f"This would take {provider} to {fmt(after)} this month, past the "
                f"{fmt(block_at)} limit of its {fmt(limit)} budget ({est.text()} for this job). "
                "Raise the budget in Settings → Budgets, or use the offline engine."
            )
            return dataclasses.replace(base, budget=budget, blocked=reason)
        if after >= warn_at:
            warning = f"{provider}: {fmt(after)} of the {fmt(limit)} monthly budget after this job."
        if cost is None:
            unknown.append(f"{fmt(spent)} of {fmt(limit)} spent so far")
    confirm = None
    if unknown:
        text = f"{provider}: the cost of this job is unknown ({'; '.join(unknown)})."
        warning = warning or text
        if not unknown_cost_ok:
            confirm = text
    return dataclasses.replace(base, budget=budget, warning=warning, confirm=confirm)


def _usd(amount: float) -> str:
    return f"${amount:,.2f}"


def _credits(amount: float) -> str:
    return f"{amount:,.0f} credits"
