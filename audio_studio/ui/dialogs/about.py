"""Help → About: the version, the studio's licence, and the licences of what it is built from."""

from __future__ import annotations

import asyncio
import importlib.metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audio_studio import __version__
from audio_studio.core.providers.local.models import installed_models
from audio_studio.core.studio import Studio

# The distributions the studio ships with or uses at run time, and what each is for.
COMPONENTS = (
    ("PySide6-Essentials", "Qt for Python: the window"),
    ("PySide6-Addons", "Qt for Python: multimedia"),
    ("qasync", "asyncio on Qt's event loop"),
    ("httpx", "HTTP to cloud providers"),
    ("keyring", "API keys in the system keyring"),
    ("platformdirs", "where data and settings live"),
    ("sounddevice", "PortAudio: record and play"),
    ("soundfile", "libsndfile: WAV, FLAC, Ogg, MP3"),
    ("av", "FFmpeg libraries: m4a, webm, opus"),
    ("numpy", "signal processing"),
    ("piper-tts", "offline text to speech (includes espeak-ng)"),
    ("onnxruntime", "runs the offline voice"),
    ("faster-whisper", "offline speech to text"),
    ("ctranslate2", "runs the offline Whisper model"),
)


def component_rows() -> list[tuple[str, str, str, str]]:
    """(name, version, licence, purpose) of every installed component. Blocking: reads metadata."""
    rows = []
    for name, purpose in COMPONENTS:
        try:
            meta = importlib.metadata.metadata(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        licence = meta.get("License-Expression") or meta.get("License") or ""
        if not licence or len(licence) > 40:
            classifiers = [
                c.split(" :: ")[-1]
                for c in meta.get_all("Classifier") or []
                if c.startswith("License ::")
            ]
            licence = ", ".join(classifiers) or licence[:40]
        rows.append((name, meta.get("Version", ""), licence, purpose))
    return rows


class AboutDialog(QDialog):
    def __init__(self, studio: Studio, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Audio Studio")
        self.resize(720, 520)
        self.studio = studio
        title = QLabel(f"<h2>Audio Studio {__version__}</h2>")
        text = QLabel(
            "Narration, transcription, sound effects and music, with cloud providers or fully "
            "offline.<br>Licence: GNU General Public License v3.0 or later. "
            "It uses the components and models below under their own licences."
        )
        text.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Component", "Version", "Licence", "Used for"])
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    async def load(self) -> None:
        rows = await asyncio.to_thread(component_rows)
        models = await asyncio.to_thread(installed_models, self.studio.paths.models_dir)
        rows += [(m.name, "model", m.licence, f"offline {m.kind}") for m in models]
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
