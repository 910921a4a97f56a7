"""The Jobs dock: one row per job with its title, status, progress bar and a Cancel button."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.jobs.runner import JobSnapshot
from audio_studio.core.models import JobStatus
from audio_studio.ui.bridge import JobController

_STATUS_TEXT = {
    JobStatus.PENDING: "Waiting",
    JobStatus.RUNNING: "Running",
    JobStatus.SUCCEEDED: "Done",
    JobStatus.FAILED: "Failed",
    JobStatus.CANCELLED: "Cancelled",
}
_STATE_KEYS = {
    "Waiting": "pending", "Running": "running", "Done": "succeeded", "Failed": "failed",
    "Cancelled": "cancelled", "Partly failed": "partial",
}  # fmt: skip
_COLOURS = {"Failed": "color: #b42828;", "Partly failed": "color: #9a5b00;"}
_FINISHED_KEYS = {"succeeded", "failed", "cancelled", "partial"}


def card_state(snapshot: JobSnapshot) -> str:
    """What a job's card says it is: a job that ran to its end without all of it succeeding is
    "Failed" (nothing made) or "Partly failed", never "Done"."""
    problem = snapshot.problem
    if snapshot.status is JobStatus.SUCCEEDED and problem is not None:
        return "Failed" if problem.everything else "Partly failed"
    return _STATUS_TEXT[snapshot.status]


DOCK_WIDTH = 230


def _wrapping_label() -> QLabel:
    """A plain-text label that wraps to whatever width the card has and never widens it."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(0)
    return label


class JobRow(QFrame):
    """One job: title and kind, status line, progress, Cancel."""

    def __init__(self, snapshot: JobSnapshot, controller: JobController) -> None:
        super().__init__()
        self.job_id = snapshot.id
        self._controller = controller
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"job-{snapshot.id}")
        self.title = _wrapping_label()
        self.status = _wrapping_label()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.cancel_button.setToolTip("Stop this job; what is already finished is kept.")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.update_from(snapshot)

    def update_from(self, snapshot: JobSnapshot) -> None:
        kind = snapshot.kind.value.replace("_", " ").capitalize()
        provider = f" · {snapshot.provider}" if snapshot.provider else ""
        self.title.setText(f"{kind}{provider}: {snapshot.title}")
        look = card_state(snapshot)
        elapsed = f" · {snapshot.elapsed_s:.0f} s" if snapshot.started else ""
        detail = f" — {snapshot.message}" if snapshot.message and snapshot.message != look else ""
        self.status.setText(f"{look}{elapsed}{detail}")
        if snapshot.progress is None and not snapshot.status.finished:
            self.progress.setRange(0, 0)  # busy indicator
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int((snapshot.progress or 0.0) * 1000))
        finished = snapshot.status.finished
        self.cancel_button.setVisible(not finished)
        self.progress.setVisible(not finished or look in ("Done", "Partly failed"))
        why = snapshot.problem.message if snapshot.problem else snapshot.message
        failed = look in ("Failed", "Partly failed")
        self.setToolTip(why if failed else "")
        self.status.setStyleSheet(_COLOURS.get(look, ""))
        self.setProperty("jobStatus", _STATE_KEYS[look])

    @Slot()
    def _on_cancel_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self._controller.cancel(self.job_id)


class JobList(QWidget):
    """All jobs of this session, newest first; finished ones can be cleared."""

    def __init__(self, controller: JobController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._rows: dict[str, JobRow] = {}
        self.empty_label = QLabel("No jobs yet. Work you start in any tab shows here.")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(4)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.empty_label)
        inner_layout.addLayout(self._rows_box)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Cards wrap their text to the dock's width; they never scroll sideways.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        self.clear_button = QPushButton("Clear finished")
        self.clear_button.clicked.connect(self.clear_finished)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.clear_button)
        controller.job_changed.connect(self._on_controller_job_changed)
        # A steady width: cards are laid out for it, and switching tabs does not move it.
        self.setMinimumWidth(DOCK_WIDTH)
        self._refresh_empty()

    def sizeHint(self) -> QSize:
        return QSize(DOCK_WIDTH, super().sizeHint().height())

    def row(self, job_id: str) -> JobRow | None:
        return self._rows.get(job_id)

    @Slot(object)
    def _on_controller_job_changed(self, snapshot: JobSnapshot) -> None:
        row = self._rows.get(snapshot.id)
        if row is None:
            row = JobRow(snapshot, self._controller)
            self._rows[snapshot.id] = row
            self._rows_box.insertWidget(0, row)
            self._refresh_empty()
        else:
            row.update_from(snapshot)

    @Slot()
    def clear_finished(self) -> None:
        for job_id, row in list(self._rows.items()):
            if row.property("jobStatus") in _FINISHED_KEYS:
                self._rows_box.removeWidget(row)
                row.deleteLater()
                del self._rows[job_id]
        self._controller.runner.forget_finished()
        self._refresh_empty()

    def active_count(self) -> int:
        return len(self._controller.runner.active())

    def _refresh_empty(self) -> None:
        self.empty_label.setVisible(not self._rows)
