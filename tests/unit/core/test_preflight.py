"""Preflight: estimates against monthly budgets, spend summed from History, and the block."""

from __future__ import annotations

import dataclasses

import pytest

from audio_studio.core.errors import BudgetExceededError
from audio_studio.core.models import Capability, HistoryKind, SpeechRequest, Usage
from audio_studio.core.preflight import month_spend, month_start, preflight
from audio_studio.core.settings import Budget
from audio_studio.core.store.history import HistoryEntry


def test_no_budget_and_free_providers_never_block() -> None:
    free = preflight("local", Capability.SPEECH, 1e9, Budget(monthly_usd=1.0), characters=10**6)
    assert free.blocked is None and free.budget is None and free.text() == "free"
    unbudgeted = preflight(
        "openai", Capability.SPEECH, 500.0, Budget(), "tts-1", characters=1_000_000
    )
    assert unbudgeted.blocked is None and unbudgeted.estimate.usd == pytest.approx(15.0)


def test_warn_then_block_thresholds() -> None:
    budget = Budget(monthly_usd=20.0, warn_at=0.8, block_at=1.0)
    ok = preflight("openai", Capability.SPEECH, 1.0, budget, "tts-1", characters=100_000)
    assert ok.blocked is None and ok.warning is None
    assert ok.text() == "≈ $1.50 · $1.00 of $20.00 this month"
    warned = preflight("openai", Capability.SPEECH, 15.0, budget, "tts-1", characters=100_000)
    assert warned.blocked is None and warned.warning and "$16.50" in warned.warning
    blocked = preflight("openai", Capability.SPEECH, 19.0, budget, "tts-1", characters=100_000)
    assert blocked.blocked and "Settings" in blocked.blocked and "$20.50" in blocked.blocked
    with pytest.raises(BudgetExceededError):
        blocked.raise_if_blocked()


def test_month_spend_counts_this_month_only(service) -> None:  # type: ignore[no-untyped-def]
    add = service.history.add
    add(HistoryEntry(kind=HistoryKind.SPEECH, provider="openai", usage=Usage(cost_usd=2.5)))
    add(HistoryEntry(kind=HistoryKind.SPEECH, provider="openai", usage=Usage(cost_usd=1.0)))
    add(HistoryEntry(kind=HistoryKind.SPEECH, provider="elevenlabs", usage=Usage(cost_usd=9.0)))
    add(
        HistoryEntry(
            kind=HistoryKind.SPEECH,
            provider="openai",
            usage=Usage(cost_usd=7.0),
            created_at="2000-01-01T00:00:00+00:00",
        )
    )
    assert month_spend(service.history, "openai") == pytest.approx(3.5)
    assert month_start().endswith("-01T00:00:00+00:00")


async def test_budget_block_stops_a_job_before_any_provider_call(studio, wire) -> None:  # type: ignore[no-untyped-def]
    settings = studio.settings
    studio.use_settings(dataclasses.replace(settings, budgets={"openai": Budget(monthly_usd=1.0)}))
    studio.history.add(
        HistoryEntry(kind=HistoryKind.SPEECH, provider="openai", usage=Usage(cost_usd=0.99))
    )
    before = len(wire.requests())
    with pytest.raises(BudgetExceededError) as info:
        await studio.narration.speak(
            SpeechRequest(text="x" * 2000, model="tts-1"), provider_id="openai"
        )
    assert "budget" in info.value.message and info.value.provider == "openai"
    assert len(wire.requests()) == before  # nothing was sent


def test_credit_budgets_judge_credit_priced_providers() -> None:
    """ElevenLabs prices in credits: a dollar budget could never stop it, a credit one does."""
    budget = Budget(monthly_credits=10_000)
    ok = preflight("elevenlabs", Capability.SPEECH, 0.0, budget, "eleven_multilingual_v2",
                   characters=2_000, spent_credits=7_000)  # fmt: skip
    assert ok.blocked is None and ok.warning and "9,000 credits" in ok.warning
    assert "7,000 of 10,000 credits this month" in ok.text()
    over = preflight("elevenlabs", Capability.SPEECH, 0.0, budget, "eleven_multilingual_v2",
                     characters=4_000, spent_credits=7_000)  # fmt: skip
    assert over.blocked and "11,000 credits" in over.blocked
    with pytest.raises(BudgetExceededError):
        over.raise_if_blocked()


def test_unknown_cost_needs_agreement_when_a_budget_is_set() -> None:
    budget = Budget(monthly_usd=5.0)
    check = preflight("imarouter", Capability.SPEECH, 1.0, budget, characters=100)
    assert check.estimate.usd is None and check.confirm and "unknown" in check.confirm
    with pytest.raises(BudgetExceededError, match="--yes"):
        check.raise_if_blocked()
    agreed = preflight("imarouter", Capability.SPEECH, 1.0, budget, characters=100,
                       unknown_cost_ok=True)  # fmt: skip
    agreed.raise_if_blocked()
    assert agreed.warning and "unknown" in agreed.warning
    no_budget = preflight("imarouter", Capability.SPEECH, 1.0, Budget(), characters=100)
    assert no_budget.confirm is None
    no_budget.raise_if_blocked()


def test_usage_records_credits_from_the_estimate_when_the_provider_gives_none() -> None:
    check = preflight("elevenlabs", Capability.SFX, 0.0, Budget(), seconds=2.0)
    recorded = check.usage(Usage(audio_seconds=2.0))
    assert recorded.credits == 80.0 and recorded.cost_usd is None
    assert check.usage(Usage(credits=55.0)).credits == 55.0
