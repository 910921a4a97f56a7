"""The dated price table and the estimator."""

from __future__ import annotations

import pytest

from audio_studio.core.costs import PRICES, estimate, estimate_speech, estimate_transcription
from audio_studio.core.models import Capability


def test_every_price_is_dated_and_sourced_or_marked_unknown():
    for price in PRICES:
        assert len(price.as_of) == 10 and price.as_of[4] == "-"
        assert price.source or (price.usd is None and price.credits is None and price.note)


def test_openai_speech_per_character():
    est = estimate_speech("openai", "tts-1", "x" * 1000)
    assert est.usd == pytest.approx(0.015) and est.credits is None
    assert "1,000 characters" in est.basis and "$15 per 1M characters" in est.basis
    assert estimate_speech("openai", "tts-1-hd", "x" * 1000).usd == pytest.approx(0.03)
    assert estimate_speech("openai", "gpt-4o-mini-tts", "x" * 1000).usd == pytest.approx(0.0159)


def test_transcription_per_minute_and_hour():
    assert estimate_transcription("openai", "whisper-1", 600).usd == pytest.approx(0.06)
    assert estimate_transcription("groq", "whisper-large-v3-turbo", 3600).usd == pytest.approx(0.04)
    assert estimate_transcription("elevenlabs", "scribe_v1", 1800).usd == pytest.approx(0.2)
    unknown = estimate_transcription("openai", "gpt-4o-transcribe-diarize", 60)
    assert not unknown.known and "not published" in unknown.basis
    assert not estimate_transcription("openai", "whisper-1", None).known


def test_elevenlabs_credits():
    assert estimate_speech("elevenlabs", "eleven_flash_v2_5", "x" * 100).credits == 50
    assert estimate_speech("elevenlabs", "eleven_multilingual_v2", "x" * 100).credits == 100
    sfx = estimate("elevenlabs", Capability.SFX, None, seconds=5)
    assert sfx.credits == 200 and sfx.text() == "≈ 200 credits"


def test_free_and_unknown():
    assert estimate_speech("kokoro", "kokoro", "x" * 10**6).text() == "free"
    assert estimate("replicate", Capability.MUSIC, None, seconds=8).text() == "cost unknown"
    assert estimate_speech("openai", "tts-1", "x" * 100).text() == "< $0.01"


def test_the_gateways_pages_units_are_kept_and_their_missing_prices_said() -> None:
    from audio_studio.core.costs import Unit, find_price
    from audio_studio.core.models import Capability

    units = {
        c: find_price("imarouter", c, None).unit  # type: ignore[union-attr]
        for c in (Capability.SPEECH, Capability.TRANSCRIPTION, Capability.MUSIC)
    }
    assert units == {
        Capability.SPEECH: Unit.THOUSAND_CHARACTERS,
        Capability.TRANSCRIPTION: Unit.MINUTE,
        Capability.MUSIC: Unit.SECOND,
    }
    speech = estimate_speech("imarouter", "tts-1-hd", "x" * 2000)
    assert not speech.known and speech.text() == "cost unknown"
    assert "per 1,000 characters" in speech.basis and "gives no amount" in speech.basis
    assert speech.as_of == "2026-12-06"
    crazy = estimate_speech("crazyrouter", "tts-1", "hello")
    assert not crazy.known and "publishes no prices" in crazy.basis
