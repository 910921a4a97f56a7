"""A dated price table (PROVIDERS.md §7) and the estimator the tabs call before a job starts.

Prices drift: every row carries the date it was seen and where. An estimate says what it is
based on, in words, and is honest when a price is unknown (``usd`` and ``credits`` are None).
Self-hosted servers and the offline engines cost nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from audio_studio.core.models import Capability

__all__ = [
    "FREE_PROVIDERS",
    "PRICES",
    "PRICES_AS_OF",
    "Estimate",
    "Price",
    "Unit",
    "bills_credits",
    "estimate",
    "estimate_music",
    "estimate_sfx",
    "estimate_speech",
    "estimate_transcription",
    "find_price",
]

PRICES_AS_OF = "2026-08-21"  # when the table as a whole was last checked
FREE_PROVIDERS = frozenset({"local", "localai", "speaches", "kokoro"})


class Unit(enum.StrEnum):
    CHARACTER = "character"
    THOUSAND_CHARACTERS = "1,000 characters"
    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"


@dataclass(frozen=True)
class Price:
    """What one unit of work costs on one provider (``model`` "*" = any; "x*" = prefix)."""

    provider: str
    capability: Capability
    model: str
    unit: Unit
    usd: float | None = None
    credits: float | None = None
    as_of: str = PRICES_AS_OF
    source: str = ""
    note: str = ""

    def matches(self, provider: str, capability: Capability, model: str | None) -> bool:
        if (self.provider, self.capability) != (provider, capability):
            return False
        if self.model == "*":
            return True
        if self.model.endswith("*"):
            return bool(model) and str(model).startswith(self.model[:-1])
        return model == self.model


_S, _T, _X, _M = Capability.SPEECH, Capability.TRANSCRIPTION, Capability.SFX, Capability.MUSIC
_SAN = "sanand0/blog posts/2025/openai-tts-cost.md"
_EL_HELP = "help.elevenlabs.io article 21811236079505"
_GROQ = "console.groq.com/docs/speech-text"
# The two gateways' own pages, as kept in ../shared/seeds on this date. ImaRouter's states the
# units it bills in but no amounts; Crazyrouter's guide states neither. Rows without a price
# still say so in every estimate ("cost unknown"), and budgets treat them as unknown.
_SEEN = "2026-12-06"
_IMA = "ImaRouter's Speech & Audio API page (FAQ: how are STT and TTS priced)"
_IMA_NOTE = "ImaRouter's page: {}; it gives no amount"
_CRAZY = "crazyrouter.com/en/blog/ai-audio-generator-api-guide-tts-stt-music"
_CRAZY_NOTE = "Crazyrouter's guide publishes no prices"

# Order matters: the first matching row wins, so specific models come before "*".
PRICES: tuple[Price, ...] = (
    Price("openai", _S, "tts-1-hd*", Unit.CHARACTER, usd=30e-6, as_of="2025-11-02", source=_SAN),
    Price("openai", _S, "tts-1*", Unit.CHARACTER, usd=15e-6, as_of="2025-11-02", source=_SAN),
    Price(
        "openai", _S, "gpt-4o-mini-tts*", Unit.CHARACTER, usd=15.9e-6, as_of="2025-11-02",
        source=_SAN, note="token-priced; measured ≈ $15.9 per 1M characters (≈ $0.015/min)",
    ),
    Price("openai", _T, "whisper-1", Unit.MINUTE, usd=0.006, as_of="2026-01-01",
          source="openrouter.ai/openai/whisper-1"),
    Price("openai", _T, "gpt-4o-mini-transcribe*", Unit.MINUTE, usd=0.003, as_of="2026-04-25",
          source="vercel.com ai-gateway; tokenmix.ai", note="token-priced; approximate"),
    Price("openai", _T, "gpt-4o-transcribe-diarize*", Unit.MINUTE, note="price not published"),
    Price("openai", _T, "gpt-4o-transcribe*", Unit.MINUTE, usd=0.006, as_of="2026-04-25",
          source="developers.openai.com/api/docs/models/gpt-4o-transcribe",
          note="token-priced; approximate"),
    Price("groq", _T, "whisper-large-v3-turbo", Unit.HOUR, usd=0.04, source=_GROQ),
    Price("groq", _T, "whisper-large-v3", Unit.HOUR, usd=0.111, source=_GROQ),
    # ElevenLabs bills credits; what a credit costs depends on the plan.
    Price("elevenlabs", _S, "eleven_flash*", Unit.CHARACTER, credits=0.5, as_of="2025-08-25",
          source=_EL_HELP),
    Price("elevenlabs", _S, "eleven_turbo*", Unit.CHARACTER, credits=0.5, as_of="2025-08-25",
          source=_EL_HELP),
    Price("elevenlabs", _S, "*", Unit.CHARACTER, credits=1.0, as_of="2025-08-25",
          source=_EL_HELP, note="voice multipliers may apply"),
    Price("elevenlabs", _X, "*", Unit.SECOND, credits=40.0, as_of="2025-08-25",
          source="docs capabilities/sound-effects.mdx"),
    Price("elevenlabs", _T, "*", Unit.HOUR, usd=0.40, as_of="2025-08-25",
          source="docs capabilities/speech-to-text.mdx",
          note="Starter plan rate; $0.22–$0.48 per hour depending on plan"),
    # "Text-to-speech is priced per thousand characters of input text."
    Price("imarouter", _S, "*", Unit.THOUSAND_CHARACTERS, as_of=_SEEN, source=_IMA,
          note=_IMA_NOTE.format("priced per 1,000 characters of input text")),
    # "Speech-to-text is priced per minute of audio input."
    Price("imarouter", _T, "*", Unit.MINUTE, as_of=_SEEN, source=_IMA,
          note=_IMA_NOTE.format("priced per minute of audio input")),
    # "Music generation is priced per generated second."
    Price("imarouter", _M, "*", Unit.SECOND, as_of=_SEEN, source=_IMA,
          note=_IMA_NOTE.format("priced per generated second")),
    Price("crazyrouter", _S, "*", Unit.CHARACTER, as_of=_SEEN, source=_CRAZY, note=_CRAZY_NOTE),
    Price("crazyrouter", _T, "*", Unit.MINUTE, as_of=_SEEN, source=_CRAZY, note=_CRAZY_NOTE),
    Price("crazyrouter", _M, "*", Unit.SECOND, as_of=_SEEN, source=_CRAZY, note=_CRAZY_NOTE),
)  # fmt: skip


def bills_credits(provider: str) -> bool:
    """Whether ``provider`` bills in its own credits (ElevenLabs) rather than dollars, so its
    budget is kept in credits."""
    return any(p.provider == provider and p.credits is not None for p in PRICES)


_PER = {
    Unit.CHARACTER: 1.0,
    Unit.THOUSAND_CHARACTERS: 1000.0,
    Unit.SECOND: 1.0,
    Unit.MINUTE: 60.0,
    Unit.HOUR: 3600.0,
}
_TEXT_UNITS = (Unit.CHARACTER, Unit.THOUSAND_CHARACTERS)


@dataclass(frozen=True)
class Estimate:
    """What a job will probably cost, and what that is based on."""

    usd: float | None
    credits: float | None
    basis: str
    as_of: str | None = None
    free: bool = False

    @property
    def known(self) -> bool:
        return self.free or self.usd is not None or self.credits is not None

    def text(self) -> str:
        """A short label for the UI, e.g. "≈ $0.06" or "≈ 1,200 credits"."""
        if self.free:
            return "free"
        if self.usd is not None:
            return f"≈ ${self.usd:.2f}" if self.usd >= 0.01 else "< $0.01"
        if self.credits is not None:
            return f"≈ {self.credits:,.0f} credits"
        return "cost unknown"


def find_price(provider: str, capability: Capability, model: str | None) -> Price | None:
    return next((p for p in PRICES if p.matches(provider, capability, model)), None)


def estimate(
    provider: str,
    capability: Capability,
    model: str | None = None,
    *,
    characters: int = 0,
    seconds: float | None = None,
) -> Estimate:
    """Estimate a job: ``characters`` for speech, ``seconds`` of audio for everything else."""
    if provider in FREE_PROVIDERS:
        return Estimate(0.0, None, "runs on your own computer: no charge", free=True)
    price = find_price(provider, capability, model)
    if price is None or (price.usd is None and price.credits is None):
        why = f" ({price.note}, as of {price.as_of})" if price and price.note else ""
        name = f"{provider} {model or ''}".strip()
        return Estimate(
            None, None, f"no price known for {name}{why}", price.as_of if price else None
        )
    if price.unit in _TEXT_UNITS:
        amount, what = characters / _PER[price.unit], f"{characters:,} characters"
    else:
        if seconds is None:
            return Estimate(
                None, None, f"priced per {price.unit.value}; the length is not known yet"
            )
        amount, what = seconds / _PER[price.unit], f"{seconds:,.0f} s of audio"
    usd = round(amount * price.usd, 6) if price.usd is not None else None
    credits = round(amount * price.credits, 3) if price.credits is not None else None
    rate = (
        f"${price.usd * (1e6 if price.unit is Unit.CHARACTER else 1):g}"
        f" per {'1M characters' if price.unit is Unit.CHARACTER else price.unit.value}"
        if price.usd is not None
        else f"{price.credits:g} credits per {price.unit.value}"
    )
    note = f"; {price.note}" if price.note else ""
    return Estimate(usd, credits, f"{what} × {rate} (as of {price.as_of}){note}", price.as_of)


def estimate_speech(provider: str, model: str | None, text: str) -> Estimate:
    return estimate(provider, Capability.SPEECH, model, characters=len(text))


def estimate_transcription(provider: str, model: str | None, seconds: float | None) -> Estimate:
    return estimate(provider, Capability.TRANSCRIPTION, model, seconds=seconds)


def estimate_sfx(provider: str, model: str | None, seconds: float | None) -> Estimate:
    return estimate(provider, Capability.SFX, model, seconds=seconds)


def estimate_music(provider: str, model: str | None, seconds: float | None) -> Estimate:
    return estimate(provider, Capability.MUSIC, model, seconds=seconds)
