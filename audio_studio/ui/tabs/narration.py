"""Narration tab: a script in, finished audio out, sentence by sentence."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.models import AudioFormat, Capability
from audio_studio.core.services.studio import StudioService
from audio_studio.ui.bridge import JobController
from audio_studio.ui.tabs.base import NeedsBanner, provider_need


class NarrationTab(QWidget):
    def __init__(
        self, service: StudioService, controller: JobController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.controller = controller
        self.banner = NeedsBanner()

        self.open_button = QPushButton("Open script…")
        self.char_count = QLabel("0 characters")
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(
            "Paste or type your script. Blank lines start paragraphs; [pause 1.5s] adds a pause."
        )
        self.editor.textChanged.connect(self._on_editor_text_changed)
        self.preflight = QLabel("")
        self.preflight.setWordWrap(True)

        self.provider = QComboBox()
        self.model = QComboBox()
        self.voice = QComboBox()
        self.speed = QDoubleSpinBox()
        self.speed.setRange(0.25, 4.0)
        self.speed.setSingleStep(0.05)
        self.speed.setValue(1.0)
        self.format = QComboBox()
        self.format.addItems(
            [
                f.value
                for f in (AudioFormat.WAV, AudioFormat.MP3, AudioFormat.FLAC, AudioFormat.OPUS)
            ]
        )
        self.generate_button = QPushButton("Generate")
        self.export_button = QPushButton("Export…")

        self.chunks = QTableWidget(0, 4)
        self.chunks.setHorizontalHeaderLabels(["#", "Sentence", "Take", "Status"])
        self.chunks.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.chunks.verticalHeader().setVisible(False)

        form = QFormLayout()
        form.addRow("Provider", self.provider)
        form.addRow("Model", self.model)
        form.addRow("Voice", self.voice)
        form.addRow("Speed", self.speed)
        form.addRow("Format", self.format)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addWidget(self.generate_button)
        side.addWidget(self.export_button)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)

        script_bar = QHBoxLayout()
        script_bar.addWidget(self.open_button)
        script_bar.addStretch(1)
        script_bar.addWidget(self.char_count)
        script = QVBoxLayout()
        script.addLayout(script_bar)
        script.addWidget(self.editor, 1)
        script.addWidget(self.preflight)
        script_widget = QWidget()
        script_widget.setLayout(script)

        top = QSplitter()
        top.addWidget(script_widget)
        top.addWidget(side_widget)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.chunks)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.refresh_availability()

    def refresh_availability(self) -> None:
        need = provider_need(self.service, Capability.SPEECH, "Narration")
        self.banner.show_need(need)
        for widget in (
            self.provider,
            self.model,
            self.voice,
            self.speed,
            self.format,
            self.generate_button,
            self.export_button,
            self.open_button,
            self.chunks,
        ):
            widget.setEnabled(need is None)

    def set_script(self, text: str, *, title: str | None = None) -> None:
        """Put ``text`` in the editor (e.g. a transcript summary sent by "Read back")."""
        self.editor.setPlainText(text)

    @Slot()
    def _on_editor_text_changed(self) -> None:
        self.char_count.setText(f"{len(self.editor.toPlainText()):,} characters")
