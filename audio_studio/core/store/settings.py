"""All settings in one frozen dataclass with defaults, validated field by field, saved atomically.

To add a setting: add a field with its default to ``Settings`` (or ``ProviderSettings``), add its
check to ``_FIELD_CHECKS`` if it has a range, and show it in the Settings dialog.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audio_studio.core.errors import StorageError
from audio_studio.core.models import frozen_mapping
from audio_studio.core.store.atomic import atomic_write_text

__all__ = ["Budget", "ProviderSettings", "Settings", "load_settings", "save_settings"]

log = logging.getLogger(__name__)


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
    """A monthly spending limit for one provider, in US dollars."""

    monthly_usd: float = 0.0  # 0 = no budget
    warn_at: float = 0.8  # share of the budget
    block_at: float = 1.0


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


_FIELD_CHECKS: dict[str, Callable[[Any], bool]] = {
    "retry_limit": _in_range(0, 10),
    "connect_timeout_s": _in_range(1, 300),
    "read_timeout_s": _in_range(5, 3600),
    "music_read_timeout_s": _in_range(30, 7200),
    "loudness_target_lufs": _in_range(-40, -5),
    "paragraph_pause_s": _in_range(0, 10),
    "narration_concurrency": _in_range(1, 16),
    "transcription_concurrency": _in_range(1, 16),
    "max_concurrency": _in_range(1, 64),
    "monthly_usd": _in_range(0, 1_000_000),
    "warn_at": _in_range(0, 10),
    "block_at": _in_range(0, 10),
}


def load_settings(path: Path) -> tuple[Settings, list[str]]:
    """Read settings; anything missing or invalid falls back to its default with a warning.

    Blocking: call via asyncio.to_thread from async code.

    Returns:
        The settings and the warnings to show the user (empty when all was well).
    """
    if not path.exists():
        return Settings(), []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        warning = (
            f"The settings file {path} could not be read ({exc.__class__.__name__}); "
            "the studio started with default settings. Saving settings will replace the file."
        )
        log.warning("%s", warning)
        return Settings(), [warning]
    if not isinstance(raw, dict):
        warning = f"The settings file {path} holds no settings; defaults are used."
        log.warning("%s", warning)
        return Settings(), [warning]
    warnings: list[str] = []
    settings = _build(Settings, raw, warnings, "")
    for w in warnings:
        log.warning("settings: %s", w)
    return settings, warnings


def save_settings(path: Path, settings: Settings) -> None:
    """Write settings atomically. Blocking: call via asyncio.to_thread."""
    try:
        atomic_write_text(path, json.dumps(_to_json(settings), indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise StorageError(
            f"Could not save settings to {path} ({exc.strerror or exc}). "
            "Check the folder's permissions and free space."
        ) from exc


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _to_json(v) for k, v in value.items()}
    return value


_NESTED: dict[str, type[Any]] = {"providers": ProviderSettings, "budgets": Budget}


def _build(cls: type[Any], raw: Mapping[str, Any], warnings: list[str], prefix: str) -> Any:
    defaults = cls()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw:
            continue
        name = f"{prefix}{f.name}"
        value = raw[f.name]
        default = getattr(defaults, f.name)
        if f.name in _NESTED:
            if not isinstance(value, dict):
                warnings.append(f"'{name}' is not a table; its defaults are used.")
                continue
            nested = {}
            for key, sub in value.items():
                if isinstance(sub, dict):
                    nested[str(key)] = _build(_NESTED[f.name], sub, warnings, f"{name}.{key}.")
                else:
                    warnings.append(f"'{name}.{key}' is not a table; it was ignored.")
            values[f.name] = frozen_mapping(nested)
            continue
        checked = _check(f.name, value, default, f.type)
        if checked is _INVALID:
            warnings.append(f"'{name}' has an invalid value {value!r}; the default is used.")
            continue
        values[f.name] = checked
    return cls(**values)


_INVALID = object()


_TYPE_OK: dict[type[Any], Callable[[Any], bool]] = {
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    str: lambda v: isinstance(v, str),
}


def _check(name: str, value: Any, default: Any, annotation: Any) -> Any:
    if value is None:
        return None if "None" in str(annotation) else _INVALID
    kind = type(default) if default is not None else _optional_base(str(annotation))
    type_ok = _TYPE_OK.get(kind) if kind is not None else None
    if type_ok is None or not type_ok(value):
        return _INVALID
    if kind is float:
        value = float(value)
    if name in _FIELD_CHECKS and not _FIELD_CHECKS[name](value):
        return _INVALID
    return value


def _optional_base(annotation: str) -> type[Any] | None:
    for name, kind in (("str", str), ("int", int), ("float", float), ("bool", bool)):
        if annotation.startswith(name):
            return kind
    return None
