"""The batch queue: one row per file being transcribed, with its progress, status and actions.

Each row is a job in the Jobs dock too; this list is the tab's own view of them, with the
actions that belong to transcription: open the result, cancel, or finish a job whose cloud
provider failed with the offline engine (keeping the parts that came back).

Signals:
    open_requested(str): a finished row was activated (its job id).
    cancel_requested(str): Cancel on a waiting or running row.
    finish_offline_requested(str): "Finish offline" on a failed row.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.jobs.runner import JobSnapshot
from audio_studio.core.models import JobStatus
from audio_studio.ui import messages

JOB_ROLE = Qt.ItemDataRole.UserRole + 1
_FAILED = QColor("#b42828")


@dataclass
class _Row:
    item: QTreeWidgetItem
    bar: QProgressBar
    status: JobStatus = JobStatus.PENDING
    can_finish_offline: bool = False


class TranscriptionQueue(QWidget):
    open_requested = Signal(str)
    cancel_requested = Signal(str)
    finish_offline_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setObjectName("transcriptionQueue")
        # Two rows and its header at the least: the options below it keep their room on a
        # 640-pixel screen.
        self.tree.setMinimumHeight(self.tree.fontMetrics().height() * 3 + 8)
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["File", "Provider", "Progress", "Status"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setToolTip(
            "Files being transcribed. Drop audio files on this tab to add them; double-click a "
            "finished one to open it."
        )
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 70)
        header.resizeSection(2, 60)
        header.resizeSection(3, 90)
        self.open_button = QPushButton("Open")
        self.cancel_button = QPushButton("Cancel")
        self.finish_button = QPushButton("Finish offline")
        self.finish_button.setToolTip(
            "The cloud provider failed: transcribe what is missing on this computer, keeping "
            "the parts that came back."
        )
        self.open_button.setToolTip("Show the selected file's transcript")
        self.cancel_button.setToolTip("Stop transcribing the selected file")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove finished files from this list (History keeps them)")
        # Two rows: one row of four would make the tab's left column too wide for a laptop.
        buttons = QGridLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for n, b in enumerate(
            (self.open_button, self.cancel_button, self.finish_button, self.clear_button)
        ):
            buttons.addWidget(b, n // 2, n % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self._rows: dict[str, _Row] = {}
        self.tree.itemSelectionChanged.connect(self._on_tree_item_selection_changed)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.finish_button.clicked.connect(self._on_finish_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self._on_tree_item_selection_changed()

    # -- rows --------------------------------------------------------------------------------

    def add(self, job_id: str, title: str, provider: str) -> None:
        item = QTreeWidgetItem([title, provider, "", "Waiting…"])
        item.setData(0, JOB_ROLE, job_id)
        item.setToolTip(0, title)
        self.tree.addTopLevelItem(item)
        bar = QProgressBar()
        bar.setRange(0, 1000)
        bar.setTextVisible(False)
        bar.setMaximumHeight(12)
        self.tree.setItemWidget(item, 2, bar)
        self._rows[job_id] = _Row(item, bar)
        self.tree.setCurrentItem(item)

    def has(self, job_id: str) -> bool:
        return job_id in self._rows

    def status(self, job_id: str) -> JobStatus | None:
        row = self._rows.get(job_id)
        return row.status if row else None

    def update_job(self, snapshot: JobSnapshot) -> None:
        row = self._rows.get(snapshot.id)
        if row is None:
            return
        row.status = snapshot.status
        if snapshot.progress is None and not snapshot.status.finished:
            row.bar.setRange(0, 0)  # busy, share unknown
        else:
            row.bar.setRange(0, 1000)
            row.bar.setValue(int((snapshot.progress or 0.0) * 1000))
        text = {
            JobStatus.SUCCEEDED: "Done",
            JobStatus.CANCELLED: "Cancelled",
            JobStatus.FAILED: "Failed",
        }.get(snapshot.status, snapshot.message)
        row.item.setText(3, text)
        why = snapshot.message
        if snapshot.status is JobStatus.FAILED and snapshot.error is not None:
            why = messages.describe(snapshot.error).text
        row.item.setToolTip(3, why)
        failed = snapshot.status is JobStatus.FAILED
        row.item.setForeground(3, QBrush(_FAILED) if failed else QBrush())
        if snapshot.status is JobStatus.SUCCEEDED:
            row.bar.setValue(1000)
        self._on_tree_item_selection_changed()

    def set_finish_offline(self, job_id: str, possible: bool, note: str = "") -> None:
        row = self._rows.get(job_id)
        if row is None:
            return
        row.can_finish_offline = possible
        if note:
            # The cell names the state; the provider's words are on hover and in the status.
            row.item.setText(3, "Failed" if row.status is JobStatus.FAILED else note)
            row.item.setToolTip(3, note)
        self._on_tree_item_selection_changed()

    def replace_job(self, old: str, new: str) -> None:
        """The row of ``old`` now follows the job ``new`` (a finish-offline job)."""
        row = self._rows.pop(old, None)
        if row is not None:
            row.item.setData(0, JOB_ROLE, new)
            row.can_finish_offline = False
            self._rows[new] = row

    def selected_job(self) -> str | None:
        item = self.tree.currentItem()
        return str(item.data(0, JOB_ROLE)) if item is not None else None

    def select(self, job_id: str) -> None:
        row = self._rows.get(job_id)
        if row is not None:
            self.tree.setCurrentItem(row.item)

    # -- slots -------------------------------------------------------------------------------

    @Slot()
    def _on_tree_item_selection_changed(self) -> None:
        job = self.selected_job()
        row = self._rows.get(job) if job else None
        status = row.status if row else None
        self.open_button.setEnabled(status is JobStatus.SUCCEEDED)
        self.cancel_button.setEnabled(status in (JobStatus.PENDING, JobStatus.RUNNING))
        self.finish_button.setEnabled(
            bool(row and row.can_finish_offline and status is JobStatus.FAILED)
        )
        self.clear_button.setEnabled(any(r.status.finished for r in self._rows.values()))

    @Slot(QTreeWidgetItem, int)
    def _on_tree_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        job = str(item.data(0, JOB_ROLE))
        if self.status(job) is JobStatus.SUCCEEDED:
            self.open_requested.emit(job)

    @Slot()
    def _on_open_button_clicked(self) -> None:
        if job := self.selected_job():
            self.open_requested.emit(job)

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        if job := self.selected_job():
            self.cancel_requested.emit(job)

    @Slot()
    def _on_finish_button_clicked(self) -> None:
        if job := self.selected_job():
            self.finish_offline_requested.emit(job)

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        for job, row in list(self._rows.items()):
            if row.status.finished and not row.can_finish_offline:
                self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(row.item))
                del self._rows[job]
        self._on_tree_item_selection_changed()
