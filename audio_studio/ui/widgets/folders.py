"""The folder a file dialog showed last, per purpose (open a script, export narration, …).

Kept with QSettings in an INI file in the data folder: Qt writes it later, off the click, and a
new dialog for the same purpose starts where the user was, not in the launch folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from audio_studio.core.context import StudioContext


class RecentFolders:
    """``start(purpose, fallback)`` before a dialog, ``remember(purpose, chosen)`` after it."""

    def __init__(self, ctx: StudioContext) -> None:
        self._settings = QSettings(
            str(ctx.paths.data_dir / "folders.ini"), QSettings.Format.IniFormat
        )

    def start(self, purpose: str, fallback: Path | str | None = None) -> Path:
        """The folder to open a dialog for ``purpose`` in: the last one used, if it still
        exists; else ``fallback`` (made if missing: the studio's export folder); else home."""
        last = self._settings.value(f"folders/{purpose}")
        if isinstance(last, str) and last and Path(last).is_dir():
            return Path(last)
        if fallback:
            try:
                Path(fallback).mkdir(parents=True, exist_ok=True)
                return Path(fallback)
            except OSError:
                pass  # not writable here: home will do
        return Path.home()

    def remember(self, purpose: str, chosen: Path | str) -> None:
        """``chosen`` (a file or a folder) was picked for ``purpose``."""
        path = Path(chosen)
        folder = path if path.is_dir() else path.parent
        self._settings.setValue(f"folders/{purpose}", str(folder))
