"""The pack export dialog: folder or zip, name template with a preview, format and loudness."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import InputError
from audio_studio.core.models import AudioFormat
from audio_studio.core.sound.pack import (
    DEFAULT_TEMPLATE,
    PACK_FORMATS,
    TEMPLATE_FIELDS,
    PackOptions,
    file_names,
)
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui.widgets.folders import RecentFolders


class PackExportDialog(QDialog):
    """Asks how to export ``items``; ``await ask()`` gives PackOptions, or None if cancelled."""

    def __init__(
        self, ctx: StudioContext, items: list[HistoryItem], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a sound pack")
        self.setObjectName("packExportDialog")
        self.items = items
        self._overwrite_confirmed = False
        settings = ctx.settings
        self.folders = RecentFolders(ctx)
        folder = self.folders.start("pack", settings.output_dir or ctx.paths.default_output_dir)
        stamp = datetime.now().strftime("%Y-%m-%d")
        self.destination = QLineEdit(str(folder / f"sound-pack-{stamp}"))
        self.destination.setToolTip("A folder, or a file name ending in .zip")
        folder_button = QPushButton("Folder…")
        zip_button = QPushButton("Zip file…")
        self.template = QLineEdit(DEFAULT_TEMPLATE)
        self.template.setToolTip("Fields: " + ", ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS))
        self.preview = QLabel()
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        self.format = QComboBox()
        for fmt in PACK_FORMATS:
            self.format.addItem(fmt.value.upper(), fmt.value)
        self.normalise = QCheckBox("Normalise loudness to")
        self.normalise.setChecked(True)
        self.target = QDoubleSpinBox()
        self.target.setRange(-40.0, -5.0)
        self.target.setSuffix(" LUFS")
        self.target.setValue(settings.loudness_target_lufs)
        self.target.setToolTip(
            "One gain per file, with the peak kept under −1 dBFS; sounds shorter than 0.4 s "
            "(too short for LUFS) are peak-normalised"
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        where = QHBoxLayout()
        where.addWidget(self.destination, 1)
        where.addWidget(folder_button)
        where.addWidget(zip_button)
        loudness = QHBoxLayout()
        loudness.addWidget(self.normalise)
        loudness.addWidget(self.target)
        loudness.addStretch(1)
        form = QFormLayout()
        form.addRow("Export to", where)
        form.addRow("File names", self.template)
        form.addRow("", self.preview)
        form.addRow("Format", self.format)
        form.addRow("Loudness", loudness)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(items)} starred effect(s), with a pack.json sidecar."))
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        folder_button.clicked.connect(self._on_folder_button_clicked)
        zip_button.clicked.connect(self._on_zip_button_clicked)
        self.template.textChanged.connect(self._on_changed)
        self.format.currentIndexChanged.connect(self._on_changed)
        self.destination.textChanged.connect(self._on_destination_text_changed)
        self.normalise.toggled.connect(self.target.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(640, 0)
        self._on_changed()

    def accept(self) -> None:
        destination = Path(self.destination.text().strip()).expanduser()
        self.folders.remember("pack", destination.parent)
        super().accept()

    def options(self) -> PackOptions:
        return PackOptions(
            destination=Path(self.destination.text().strip()).expanduser(),
            template=self.template.text(),
            format=AudioFormat(self.format.currentData()),
            target_lufs=self.target.value() if self.normalise.isChecked() else None,
            overwrite=self._overwrite_confirmed,
        )

    async def ask(self) -> PackOptions | None:
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def finished(result: int) -> None:
            if not done.done():
                done.set_result(result)

        self.finished.connect(finished)
        self.open()
        try:
            result = await done
        finally:
            self.deleteLater()
        return self.options() if result == QDialog.DialogCode.Accepted else None

    @Slot()
    def _on_changed(self) -> None:
        ok = bool(self.destination.text().strip())
        try:
            names = file_names(self.items, self.template.text(), self.format.currentData())
        except InputError as exc:
            self.preview.setText(exc.message)
            ok = False
        else:
            more = f" … ({len(names)} files)" if len(names) > 3 else ""
            self.preview.setText(", ".join(names[:3]) + more)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    @Slot()
    def _on_destination_text_changed(self) -> None:
        self._overwrite_confirmed = False
        self._on_changed()

    @Slot()
    def _on_folder_button_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export the pack into", self._start())
        if chosen:
            self.destination.setText(chosen)

    @Slot()
    def _on_zip_button_clicked(self) -> None:
        start = str(Path(self._start()).with_suffix(".zip"))
        chosen, _ = QFileDialog.getSaveFileName(self, "Export the pack as", start, "Zip (*.zip)")
        if chosen:
            if not chosen.lower().endswith(".zip"):
                chosen += ".zip"
            self.destination.setText(chosen)
            self._overwrite_confirmed = True  # the file dialog asked about replacing it

    def _start(self) -> str:
        return self.destination.text().strip() or str(Path.home())
