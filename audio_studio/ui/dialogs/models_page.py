"""Settings → Models: the offline models on this machine, their size, licence and location."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.providers.local.models import installed_models
from audio_studio.core.services.studio import StudioService


class ModelsPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Model", "For", "Size", "Licence", "Location"])
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    async def load(self, service: StudioService) -> None:
        models = await asyncio.to_thread(installed_models, service.paths.models_dir)
        self.table.setRowCount(len(models))
        for row, m in enumerate(models):
            values = (m.name, m.kind, f"{m.size_bytes / 1e6:.0f} MB", m.licence, str(m.location))
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, col, item)
        self.note.setText(
            f"Models folder: {service.paths.models_dir}. "
            + (
                ""
                if models
                else "No offline models are installed: "
                "pip install 'audio-studio[offline]' adds a voice and a Whisper model."
            )
        )
