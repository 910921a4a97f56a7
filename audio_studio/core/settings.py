"""What the settings are: one frozen dataclass with defaults and the range of each field.

To add a setting: add a field with its default to ``Settings`` (or ``ProviderSettings``), add its
check to ``FIELD_CHECKS`` if it has a range, and show it in the Settings dialog. How they are
read and saved (validated field by field, atomically) is store/settings.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from audio_studio.core.models import frozen_mapping

__all__ = ["FIELD_CHECKS", "Budget", "ProviderSettings", "Settings"]


@dataclass(frozen=True)
class ProviderSettings:
    """Per-provider choices. The API key is not here: it lives in the SecretStore only."""

    enabled: bool = True
    base_url: str | None = None
    model: str | None = None
    voice: str | None = None
    max_concurrency: int = 4


@dataclass(frozen=True)
class Budget:
    """A monthly spending limit for one provider, in the unit it bills: US dollars, or credits
    (ElevenLabs). 0 = no limit in that unit."""

    monthly_usd: float = 0.0
    warn_at: float = 0.8  # share of the budget
    block_at: float = 1.0
    monthly_credits: float = 0.0

    @property
    def active(self) -> bool:
        return self.monthly_usd > 0 or self.monthly_credits > 0


@dataclass(frozen=True)
class Settings:
    providers: Mapping[str, ProviderSettings] = field(default_factory=frozen_mapping)
    speech_provider: str = "local"
    transcription_provider: str = "local"
    sfx_provider: str = "local"
    music_provider: str = ""
    chat_provider: str = ""
    input_device: str | None = None
    output_device: str | None = None
    output_dir: str | None = None  # None = the exports folder in the data dir
    retry_limit: int = 2
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 120.0
    music_read_timeout_s: float = 600.0
    loudness_target_lufs: float = -16.0
    paragraph_pause_s: float = 0.6
    narration_concurrency: int = 4
    transcription_concurrency: int = 4
    # Transcription: correcting, captions, documents, file names and watch folders.
    playback_speed: float = 1.0
    caption_preset: str = "netflix"  # "netflix", "bbc" or "sentence"
    caption_max_chars: int = 0  # 0 = the preset's
    caption_max_lines: int = 0  # 0 = the preset's
    caption_speakers: str = "dash"  # "dash", "name" or "none"
    document_timestamps: str = "paragraph"  # "paragraph", "minutes" or "off"
    document_timestamp_minutes: int = 5
    export_name_template: str = "{title}"
    watch_folders: tuple[str, ...] = ()
    watch_output_dir: str | None = None  # None = the output folder
    watch_formats: tuple[str, ...] = ("txt", "srt")
    budgets: Mapping[str, Budget] = field(default_factory=frozen_mapping)

    def provider(self, provider_id: str) -> ProviderSettings:
        return self.providers.get(provider_id, ProviderSettings())

    def with_provider(self, provider_id: str, **changes: Any) -> Settings:
        updated = dataclasses.replace(self.provider(provider_id), **changes)
        return dataclasses.replace(
            self, providers=frozen_mapping({**self.providers, provider_id: updated})
        )

    def budget(self, provider_id: str) -> Budget:
        return self.budgets.get(provider_id, Budget())


def _in_range(lo: float, hi: float) -> Callable[[Any], bool]:
    return lambda v: lo <= v <= hi


FIELD_CHECKS: dict[str, Callable[[Any], bool]] = {
    "retry_limit": _in_range(0, 10),
    "connect_timeout_s": _in_range(1, 300),
    "read_timeout_s": _in_range(5, 3600),
    "music_read_timeout_s": _in_range(5, 7200),
    "loudness_target_lufs": _in_range(-40, -5),
    "paragraph_pause_s": _in_range(0, 10),
    "narration_concurrency": _in_range(1, 16),
    "transcription_concurrency": _in_range(1, 16),
    "playback_speed": _in_range(0.5, 2.0),
    "caption_preset": lambda v: v in ("netflix", "bbc", "sentence"),
    "caption_max_chars": lambda v: v == 0 or 20 <= v <= 80,
    "caption_max_lines": _in_range(0, 3),
    "caption_speakers": lambda v: v in ("dash", "name", "none"),
    "document_timestamps": lambda v: v in ("paragraph", "minutes", "off"),
    "document_timestamp_minutes": _in_range(1, 120),
    "max_concurrency": _in_range(1, 64),
    "monthly_usd": _in_range(0, 1_000_000),
    "monthly_credits": _in_range(0, 1_000_000_000),
    "warn_at": _in_range(0, 10),
    "block_at": _in_range(0, 10),
}
