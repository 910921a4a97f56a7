"""Transcription tab: record or open audio, read along, correct, search and export."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.models import Capability
from audio_studio.core.services.studio import StudioService
from audio_studio.ui.bridge import JobController
from audio_studio.ui.tabs.base import NeedsBanner, provider_need


class TranscriptionTab(QWidget):
    def __init__(
        self, service: StudioService, controller: JobController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.controller = controller
        self.banner = NeedsBanner()

        self.record_button = QPushButton("Record")
        self.pause_button = QPushButton("Pause")
        self.level = QProgressBar()
        self.level.setTextVisible(False)
        self.level.setMaximumHeight(10)
        self.open_button = QPushButton("Open files…")
        self.queue = QListWidget()
        self.queue.setToolTip("Files waiting to be transcribed. Drop audio files here.")

        self.provider = QComboBox()
        self.model = QComboBox()
        self.language = QComboBox()
        self.language.addItem("Detect automatically", None)
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("Names and words to spell right, e.g. Nyquist, PySide")
        self.word_times = QCheckBox("Word timestamps")
        self.diarize = QCheckBox("Tell speakers apart")
        self.speakers = QSpinBox()
        self.speakers.setRange(0, 32)
        self.speakers.setSpecialValueText("Any")
        self.transcribe_button = QPushButton("Transcribe")

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search in the transcript")
        self.segments = QTableWidget(0, 4)
        self.segments.setHorizontalHeaderLabels(["Start", "End", "Speaker", "Text"])
        self.segments.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.segments.verticalHeader().setVisible(False)
        self.export_buttons = [QPushButton(name) for name in ("TXT", "SRT", "VTT", "JSON", "MD")]
        self.copy_button = QPushButton("Copy")
        self.summarise_button = QPushButton("Summarise")

        inputs = QHBoxLayout()
        inputs.addWidget(self.record_button)
        inputs.addWidget(self.pause_button)
        inputs.addWidget(self.level, 1)
        inputs.addWidget(self.open_button)
        form = QFormLayout()
        form.addRow("Provider", self.provider)
        form.addRow("Model", self.model)
        form.addRow("Language", self.language)
        form.addRow("Vocabulary", self.prompt)
        form.addRow(self.word_times)
        form.addRow(self.diarize)
        form.addRow("Speakers", self.speakers)
        left = QVBoxLayout()
        left.addLayout(inputs)
        left.addWidget(self.queue, 1)
        left.addLayout(form)
        left.addWidget(self.transcribe_button)
        left_widget = QWidget()
        left_widget.setLayout(left)

        exports = QHBoxLayout()
        exports.addWidget(self.search, 1)
        for button in (*self.export_buttons, self.copy_button, self.summarise_button):
            exports.addWidget(button)
        right = QVBoxLayout()
        right.addLayout(exports)
        right.addWidget(self.segments, 1)
        right_widget = QWidget()
        right_widget.setLayout(right)

        split = QSplitter()
        split.addWidget(left_widget)
        split.addWidget(right_widget)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.refresh_availability()

    def refresh_availability(self) -> None:
        need = provider_need(self.service, Capability.TRANSCRIPTION, "Transcription")
        self.banner.show_need(need)
        for widget in (
            self.record_button,
            self.pause_button,
            self.open_button,
            self.queue,
            self.provider,
            self.model,
            self.language,
            self.prompt,
            self.word_times,
            self.diarize,
            self.speakers,
            self.transcribe_button,
            self.search,
            self.segments,
            self.copy_button,
            self.summarise_button,
            *self.export_buttons,
        ):
            widget.setEnabled(need is None)
