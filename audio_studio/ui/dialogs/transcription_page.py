"""Settings → Transcription: caption norms, document timestamps, file names, watch folders."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.settings import Settings
from audio_studio.core.transcription.captions import PRESET_NAMES
from audio_studio.core.transcription.exports import EXPORT_FORMATS

SPEAKER_STYLES = {
    "dash": "“- ” dialogue dash",
    "name": "“Name:” before the words",
    "none": "not marked",
}
TIMESTAMPS = {
    "paragraph": "at every paragraph",
    "minutes": "every few minutes",
    "off": "off",
}


def _combo(choices: dict[str, str], current: str) -> QComboBox:
    combo = QComboBox()
    for key, label in choices.items():
        combo.addItem(label, key)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class TranscriptionPage(QScrollArea):
    """Edits the transcription settings of a Settings value (``apply_to``)."""

    def __init__(self, settings: Settings, default_output: str) -> None:
        super().__init__()
        self.setObjectName("transcriptionSettings")
        self.setWidgetResizable(True)
        body = QWidget()
        self.setWidget(body)

        self.preset = _combo(PRESET_NAMES, settings.caption_preset)
        self.max_chars = QSpinBox()
        self.max_chars.setRange(19, 80)  # 19 shows as "as the preset" (0 in Settings)
        self.max_chars.setSpecialValueText("as the preset")
        self.max_chars.setValue(settings.caption_max_chars or 19)
        self.max_chars.setSuffix(" characters")
        self.max_lines = QSpinBox()
        self.max_lines.setRange(0, 3)
        self.max_lines.setSpecialValueText("as the preset")
        self.max_lines.setValue(settings.caption_max_lines)
        self.speakers = _combo(SPEAKER_STYLES, settings.caption_speakers)
        captions = QGroupBox("Captions (SRT, VTT, ASS, TTML)")
        form = QFormLayout(captions)
        form.addRow("Norms", self.preset)
        form.addRow("Line length", self.max_chars)
        form.addRow("Lines per caption", self.max_lines)
        form.addRow("Speaker changes", self.speakers)

        self.timestamps = _combo(TIMESTAMPS, settings.document_timestamps)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 120)
        self.minutes.setValue(settings.document_timestamp_minutes)
        self.minutes.setSuffix(" min")
        self.minutes.setEnabled(settings.document_timestamps == "minutes")
        self.timestamps.currentIndexChanged.connect(self._on_timestamps_changed)
        self.template = QLineEdit(settings.export_name_template)
        self.template.setObjectName("exportNameTemplate")
        self.template.setToolTip("{title}, {date} and {provider} are filled in")
        documents = QGroupBox("Documents and file names")
        form = QFormLayout(documents)
        stamps = QHBoxLayout()
        stamps.addWidget(self.timestamps, 1)
        stamps.addWidget(self.minutes)
        form.addRow("Timestamps", stamps)
        form.addRow("File names", self.template)
        form.addRow(QLabel("For example “{date} {title}”: {title}, {date} and {provider}."))

        self.folders = QListWidget()
        self.folders.setObjectName("watchFolders")
        self.folders.addItems(list(settings.watch_folders))
        self.folders.setMaximumHeight(90)
        add, remove = QPushButton("Add…"), QPushButton("Remove")
        add.clicked.connect(self._on_add_clicked)
        remove.clicked.connect(self._on_remove_clicked)
        self.output = QLineEdit(settings.watch_output_dir or "")
        self.output.setPlaceholderText(default_output)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        self.formats = {fmt: QCheckBox(fmt.upper()) for fmt in EXPORT_FORMATS}
        for fmt, box in self.formats.items():
            box.setChecked(fmt in settings.watch_formats)
        watch = QGroupBox("Watch folders")
        layout = QVBoxLayout(watch)
        layout.addWidget(
            QLabel(
                "While the studio is open, every audio or video file that appears in these "
                "folders is transcribed once it is complete (see the Jobs list)."
            )
        )
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folders, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        folder_row.addLayout(buttons)
        layout.addLayout(folder_row)
        out_row = QHBoxLayout()
        out_row.addWidget(QLabel("Write to"))
        out_row.addWidget(self.output, 1)
        out_row.addWidget(browse)
        layout.addLayout(out_row)
        grid = QGridLayout()
        for n, box in enumerate(self.formats.values()):
            grid.addWidget(box, n // 6, n % 6)
        layout.addLayout(grid)
        for child in watch.findChildren(QLabel):
            child.setWordWrap(True)

        page = QVBoxLayout(body)
        page.addWidget(captions)
        page.addWidget(documents)
        page.addWidget(watch)
        page.addStretch(1)

    @Slot(int)
    def _on_timestamps_changed(self, _index: int) -> None:
        self.minutes.setEnabled(self.timestamps.currentData() == "minutes")

    @Slot()
    def _on_add_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Watch this folder")
        if chosen and not self.folders.findItems(chosen, Qt.MatchFlag.MatchExactly):
            self.folders.addItem(chosen)

    @Slot()
    def _on_remove_clicked(self) -> None:
        for item in self.folders.selectedItems():
            self.folders.takeItem(self.folders.row(item))

    @Slot()
    def _on_browse_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Write transcripts to", self.output.text())
        if chosen:
            self.output.setText(chosen)

    def apply_to(self, settings: Settings) -> Settings:
        chars = self.max_chars.value()
        return dataclasses.replace(
            settings,
            caption_preset=str(self.preset.currentData()),
            caption_max_chars=0 if chars == self.max_chars.minimum() else chars,
            caption_max_lines=self.max_lines.value(),
            caption_speakers=str(self.speakers.currentData()),
            document_timestamps=str(self.timestamps.currentData()),
            document_timestamp_minutes=self.minutes.value(),
            export_name_template=self.template.text().strip() or "{title}",
            watch_folders=tuple(self.folders.item(n).text() for n in range(self.folders.count())),
            watch_output_dir=self.output.text().strip() or None,
            watch_formats=tuple(f for f, box in self.formats.items() if box.isChecked()),
        )
