"""The Settings dialog: providers and keys, audio devices, output folder, models, network."""

from __future__ import annotations

import asyncio
import dataclasses

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.errors import StudioError
from audio_studio.core.settings import Settings
from audio_studio.core.studio import Studio
from audio_studio.ui import messages
from audio_studio.ui.dialogs.audio_page import AudioPage
from audio_studio.ui.dialogs.budgets_page import BudgetsPage
from audio_studio.ui.dialogs.models_page import ModelsPage
from audio_studio.ui.dialogs.provider_page import ProvidersPage
from audio_studio.ui.dialogs.transcription_page import TranscriptionPage
from audio_studio.ui.tasks import asyncSlot


class SettingsDialog(QDialog):
    """Edits a copy of the settings; Save writes them atomically, Cancel drops the changes.

    API keys are the exception: "Save key" stores a key at once, in the SecretStore.
    """

    PAGES = ("Providers", "Budgets", "Audio", "Output", "Transcription", "Models", "Network")

    def __init__(self, studio: Studio, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self.resize(820, 520)
        self.studio = studio
        self.nav = QListWidget()
        self.nav.addItems(self.PAGES)
        self.nav.setMaximumWidth(140)
        self.stack = QStackedWidget()
        self.providers = ProvidersPage(studio)
        self.audio = AudioPage(studio)
        self.output = _OutputPage(studio)
        self.transcription = TranscriptionPage(
            studio.settings, studio.settings.output_dir or str(studio.paths.default_output_dir)
        )
        self.models = ModelsPage()
        self.network = _NetworkPage(studio.settings)
        self.budgets = BudgetsPage(studio)
        pages = (
            self.providers, self.budgets, self.audio, self.output, self.transcription,
            self.models, self.network,
        )  # fmt: skip
        for page in pages:
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    async def load(self) -> None:
        """Fill what needs blocking work (devices, models, key status) off the GUI thread."""
        await asyncio.gather(
            self.providers.refresh_key_state(),
            self.budgets.load(),
            self.audio.load(),
            self.models.load(self.studio),
        )

    def edited_settings(self) -> Settings:
        settings = self.providers.apply_to(self.studio.settings)
        settings = self.audio.apply_to(settings)
        settings = self.output.apply_to(settings)
        settings = self.transcription.apply_to(settings)
        settings = self.budgets.apply_to(settings)
        return self.network.apply_to(settings)

    async def save(self) -> bool:
        try:
            await self.studio.update_settings(self.edited_settings())
        except StudioError as exc:
            self.error_label.setText(messages.status_text(exc))
            return False
        return True

    @asyncSlot()
    async def _on_buttons_accepted(self) -> None:
        if await self.save():
            self.accept()


class _OutputPage(QWidget):
    def __init__(self, studio: Studio) -> None:
        super().__init__()
        self.folder = QLineEdit(studio.settings.output_dir or "")
        self.folder.setPlaceholderText(str(studio.paths.default_output_dir))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        note = QLabel(
            "Exports are written here. Everything the studio makes is also kept in History, "
            f"under {studio.paths.data_dir}."
        )
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Export folder", row)
        form.addRow(note)

    @Slot()
    def _on_browse_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export folder", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def apply_to(self, settings: Settings) -> Settings:
        return dataclasses.replace(settings, output_dir=self.folder.text().strip() or None)


class _NetworkPage(QWidget):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.retries = QSpinBox()
        self.retries.setRange(0, 2)  # one request is sent at most 3 times (README "Retries")
        self.retries.setValue(settings.retry_limit)
        self.connect_timeout = QDoubleSpinBox()
        self.connect_timeout.setRange(1, 300)
        self.connect_timeout.setSuffix(" s")
        self.connect_timeout.setValue(settings.connect_timeout_s)
        self.read_timeout = QDoubleSpinBox()
        self.read_timeout.setRange(5, 3600)
        self.read_timeout.setSuffix(" s")
        self.read_timeout.setValue(settings.read_timeout_s)
        form = QFormLayout(self)
        form.addRow("Retries after a failure", self.retries)
        form.addRow("Connect timeout", self.connect_timeout)
        form.addRow("Read timeout", self.read_timeout)

    def apply_to(self, settings: Settings) -> Settings:
        return dataclasses.replace(
            settings,
            retry_limit=self.retries.value(),
            connect_timeout_s=self.connect_timeout.value(),
            read_timeout_s=self.read_timeout.value(),
        )
