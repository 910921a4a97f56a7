"""Usage per provider and month, summed from History, for the usage report and budgets.

Joined narration exports repeat what their takes already used, so they are left out.
Blocking: SQLite; call via asyncio.to_thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from audio_studio.core.store.history import HistoryStore

__all__ = ["MonthUsage", "usage_by_month"]

# Items that only assemble other items' work (so counting them would count twice).
AGGREGATE_KINDS = ("narration",)


@dataclass(frozen=True)
class MonthUsage:
    provider: str
    month: str  # "2026-11"
    items: int
    requests: int
    characters: int
    audio_seconds: float
    credits: float
    cost_usd: float
    unknown_cost_items: int  # items whose cost nobody knew


def usage_by_month(history: HistoryStore, *, months: int = 12) -> list[MonthUsage]:
    """Newest month first, then by provider; only providers that were used."""
    marks = ", ".join("?" * len(AGGREGATE_KINDS))
    rows = history.db.query(
        "SELECT provider, substr(created_at, 1, 7) AS month, count(*), sum(requests), "
        "sum(characters), sum(audio_seconds), sum(credits), coalesce(sum(cost_usd), 0), "
        "sum(cost_usd IS NULL) FROM items "
        f"WHERE provider IS NOT NULL AND kind NOT IN ({marks}) "
        "GROUP BY provider, month ORDER BY month DESC, provider",
        AGGREGATE_KINDS,
    )
    usage = [
        MonthUsage(
            provider=str(r[0]),
            month=str(r[1]),
            items=int(r[2]),
            requests=int(r[3] or 0),
            characters=int(r[4] or 0),
            audio_seconds=float(r[5] or 0.0),
            credits=float(r[6] or 0.0),
            cost_usd=float(r[7] or 0.0),
            unknown_cost_items=int(r[8] or 0),
        )
        for r in rows
    ]
    recent = sorted({u.month for u in usage}, reverse=True)[:months]
    return [u for u in usage if u.month in recent]
