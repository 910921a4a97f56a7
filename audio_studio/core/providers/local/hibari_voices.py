"""Where hibari's voices are: the one inside the ``hibari-tts`` package and downloaded ones.

Read from the package's own registry (``assets/voices.json``: file, bytes, sha256, accent)
without importing hibari, so looking for models stays cheap. Downloaded voices live in the
models folder as ``hibari/<file>.onnx``.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ENGINE",
    "FOLDER",
    "LICENCE",
    "PACKAGE",
    "PREFIX",
    "FoundVoice",
    "found_voices",
    "is_hibari_voice",
    "registry",
]

ENGINE = "hibari"
PREFIX = "hibari-"  # voice ids: "hibari-heart", "hibari-emma"…
FOLDER = "hibari"
LICENCE = "Apache-2.0 (hibari; distilled from Kokoro-82M, Apache-2.0)"
PACKAGE = "hibari-tts"


@dataclass(frozen=True)
class FoundVoice:
    id: str
    title: str
    path: Path
    size_bytes: int
    bundled: bool


def is_hibari_voice(voice_id: str | None) -> bool:
    return bool(voice_id) and str(voice_id).startswith(PREFIX)


def _assets() -> Path | None:
    spec = importlib.util.find_spec("hibari")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "assets"


def registry() -> dict[str, dict[str, Any]]:
    """The package's voices (name → file, sha256, bytes, language, gender, bundled), or {}
    when hibari is not installed. Blocking (reads a file)."""
    assets = _assets()
    if assets is None:
        return {}
    try:
        raw = json.loads((assets / "voices.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): dict(v) for k, v in raw.items() if isinstance(v, dict)}


def title(name: str, info: dict[str, Any]) -> str:
    accent = {"en-US": "US English", "en-GB": "British English"}.get(
        str(info.get("language")), str(info.get("language") or "English")
    )
    return f"hibari {name.capitalize()} ({accent}, {info.get('gender', 'voice')})"


def found_voices(models_dir: Path) -> list[FoundVoice]:
    """hibari voices on this machine. Blocking (reads the registry, looks at files)."""
    assets = _assets()
    found: list[FoundVoice] = []
    for name, info in registry().items():
        vid = f"{PREFIX}{name}"
        if info.get("bundled"):
            path = assets / str(info.get("file")) if assets is not None else None
            bundled = True
        else:
            path = models_dir / FOLDER / str(info.get("file"))
            bundled = False
        if path is not None and path.is_file():
            found.append(FoundVoice(vid, title(name, info), path, path.stat().st_size, bundled))
    return found
