"""Settings on disk: read field by field (a bad field falls back alone), saved atomically.

What the settings are is core/settings.py.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from audio_studio.core.errors import StorageError
from audio_studio.core.fileio import atomic_write_text
from audio_studio.core.models import frozen_mapping
from audio_studio.core.settings import FIELD_CHECKS, Budget, ProviderSettings, Settings

__all__ = ["load_settings", "save_settings"]

log = logging.getLogger(__name__)


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
    if isinstance(default, tuple):  # a list of strings (folders, formats)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return _INVALID
        return tuple(value)
    if value is None:
        return None if "None" in str(annotation) else _INVALID
    kind = type(default) if default is not None else _optional_base(str(annotation))
    type_ok = _TYPE_OK.get(kind) if kind is not None else None
    if type_ok is None or not type_ok(value):
        return _INVALID
    if kind is float:
        value = float(value)
    if name in FIELD_CHECKS and not FIELD_CHECKS[name](value):
        return _INVALID
    return value


def _optional_base(annotation: str) -> type[Any] | None:
    for name, kind in (("str", str), ("int", int), ("float", float), ("bool", bool)):
        if annotation.startswith(name):
            return kind
    return None
