"""History → Upkeep: disk used, removing old files, moving the library to another machine."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import StudioError
from audio_studio.core.jobs.runner import JobContext
from audio_studio.core.library import Library
from audio_studio.core.models import JobKind
from audio_studio.ui import messages
from audio_studio.ui.bridge import JobController
from audio_studio.ui.tasks import asyncSlot, spawn
from audio_studio.ui.widgets.folders import RecentFolders


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size < 1e9 else f"{size / 1e9:,.2f} GB"


class MaintenanceView(QWidget):
    def __init__(
        self,
        ctx: StudioContext,
        library: Library,
        controller: JobController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.library = library
        self.controller = controller
        self.disk = {
            name: QLabel("…")
            for name in ("audio", "database", "recordings", "models", "other", "total")
        }
        self.days = QSpinBox()
        self.days.setRange(1, 3650)
        self.days.setValue(90)
        self.days.setSuffix(" days")
        self.cleanup_button = QPushButton("Remove files older than this…")
        self.cleanup_button.setToolTip(
            "Starred items keep their files; every row keeps how it "
            "was made, so it can be made again."
        )
        self.export_button = QPushButton("Export library…")
        self.import_button = QPushButton("Import library…")
        self.export_button.setToolTip("Save History and its audio as one zip file")
        self.import_button.setToolTip("Add the items of a library zip to this History")
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.cleanup_button.clicked.connect(self._on_cleanup_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)

        form = QFormLayout()
        for name, label in (
            ("audio", "Audio files"),
            ("database", "History database"),
            ("recordings", "Takes being recorded"),
            ("models", "Offline models"),
            ("other", "Other"),
            ("total", "Total"),
        ):
            form.addRow(label, self.disk[name])
        cleanup = QHBoxLayout()
        cleanup.addWidget(self.days)
        cleanup.addWidget(self.cleanup_button)
        cleanup.addStretch(1)
        moving = QHBoxLayout()
        moving.addWidget(self.export_button)
        moving.addWidget(self.import_button)
        moving.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Library folder: {ctx.paths.data_dir}"))
        layout.addLayout(form)
        layout.addLayout(cleanup)
        layout.addWidget(
            QLabel(
                "Move the library to another machine: export it to one file, "
                "then import that file there."
            )
        )
        layout.addLayout(moving)
        layout.addWidget(self.result)
        layout.addStretch(1)

    async def refresh(self) -> None:
        try:
            usage = await self.library.disk_usage()
        except StudioError as exc:
            self.result.setText(messages.status_text(exc))
            return
        for name, size in (
            ("audio", usage.audio_bytes),
            ("database", usage.database_bytes),
            ("recordings", usage.recordings_bytes),
            ("models", usage.models_bytes),
            ("other", usage.other_bytes),
            ("total", usage.total_bytes),
        ):
            self.disk[name].setText(_mb(size))

    async def cleanup(self, days: int) -> None:
        try:
            report = await self.library.cleanup_older_than(days)
        except StudioError as exc:
            self.result.setText(messages.status_text(exc))
            return
        self.result.setText(
            f"Removed {report.files} file(s) from {report.items} item(s), "
            f"{_mb(report.bytes_freed)} freed. Starred items were kept."
        )
        self.controller.history_changed.emit()
        await self.refresh()

    async def export(self, target: Path) -> int | None:
        async def work(ctx: JobContext) -> int:
            ctx.report(None, f"Writing {target.name}…")
            return await self.library.export(target)

        job = self.controller.submit(JobKind.MAINTENANCE, f"Export library to {target.name}", work)
        try:
            count = await job.result()
        except StudioError as exc:
            self.result.setText(messages.status_text(exc))
            return None
        self.result.setText(f"Exported the library ({count} files) to {target}.")
        return count

    async def import_(self, source: Path) -> None:
        async def work(ctx: JobContext) -> object:
            ctx.report(None, f"Reading {source.name}…")
            return await self.library.import_(source)

        job = self.controller.submit(JobKind.MAINTENANCE, f"Import library {source.name}", work)
        try:
            report = await job.result()
        except StudioError as exc:
            self.result.setText(messages.status_text(exc))
            return
        self.result.setText(f"Imported {report.items} item(s) and {report.files} file(s).")  # type: ignore[attr-defined]
        self.controller.history_changed.emit()
        await self.refresh()

    @asyncSlot()
    async def _on_cleanup_clicked(self) -> None:
        days = self.days.value()
        answer = QMessageBox.question(
            self,
            "Remove old files?",
            f"Remove the audio files of items older than {days} days? Starred items keep "
            "theirs, and every item keeps its settings so it can be made again.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            await self.cleanup(days)

    # Plain slots: a modal dialog inside a task would stop every other task meanwhile.
    @Slot()
    def _on_export_clicked(self) -> None:
        folders = RecentFolders(self.ctx)
        start = folders.start("library", self.ctx.paths.default_output_dir)
        target, _ = QFileDialog.getSaveFileName(
            self, "Export library", str(start / "audio-studio-library.zip"), "Library (*.zip)"
        )
        if target:
            folders.remember("library", target)
            spawn(self.export(Path(target)), owner=self)

    @Slot()
    def _on_import_clicked(self) -> None:
        folders = RecentFolders(self.ctx)
        start = str(folders.start("library"))
        source, _ = QFileDialog.getOpenFileName(self, "Import library", start, "Library (*.zip)")
        if source:
            folders.remember("library", source)
            spawn(self.import_(Path(source)), owner=self)
