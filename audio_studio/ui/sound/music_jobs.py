"""The Music job list: one row per job with status, elapsed and queue time, and what can be done.

Rows come from core/sound/music_board.py; the table only draws them, ticks the clocks of
running rows once a second, and turns button clicks into signals carrying the job id.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from audio_studio.core.sound.music_board import MusicRow, RowState

COLUMNS = ("Prompt", "Provider", "Status", "Elapsed", "Queue", "")
_STATUS, _ELAPSED, _QUEUE, _ACTIONS = 2, 3, 4, 5


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class MusicJobTable(QTableWidget):
    """Music jobs, newest first.

    Signals:
        cancel_requested(str): cancel this job on the provider.
        keep_waiting_requested(str): poll this job again (it outlived its deadline, or the
            studio was closed meanwhile).
        stop_requested(str): stop waiting (the job goes on at the provider).
        play_requested(str): play the finished music.
    """

    cancel_requested = Signal(str)
    keep_waiting_requested = Signal(str)
    stop_requested = Signal(str)
    play_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setTabKeyNavigation(False)  # one Tab stop; arrows move between rows
        self.setObjectName("musicJobs")
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_STATUS, QHeaderView.ResizeMode.Stretch)
        for column in (1, _ELAPSED, _QUEUE, _ACTIONS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.rows: list[MusicRow] = []
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def row_for(self, job_id: str) -> int | None:
        return next((n for n, r in enumerate(self.rows) if r.job_id == job_id), None)

    def music_row(self, job_id: str) -> MusicRow | None:
        n = self.row_for(job_id)
        return self.rows[n] if n is not None else None

    def buttons(self, job_id: str) -> dict[str, QPushButton]:
        """The action buttons of a job's row, by their text (for people and tests)."""
        n = self.row_for(job_id)
        cell = self.cellWidget(n, _ACTIONS) if n is not None else None
        found = cell.findChildren(QPushButton) if cell is not None else []
        return {b.text(): b for b in found if not b.isHidden()}

    def set_rows(self, rows: Sequence[MusicRow]) -> None:
        selected = self.selected_job()
        self.rows = list(rows)
        self.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            texts = (row.prompt, row.provider, row.status, "", "")
            for column, text in enumerate(texts):
                cell = QTableWidgetItem(text)
                tip = row.error if column == _STATUS and row.error else text
                cell.setToolTip(tip if column in (0, _STATUS) else "")
                cell.setData(Qt.ItemDataRole.UserRole, row.job_id)
                self.setItem(n, column, cell)
            self.setCellWidget(n, _ACTIONS, self._actions(row))
            if row.job_id == selected:
                self.selectRow(n)
        self._tick()
        self.resizeRowsToContents()

    def selected_job(self) -> str | None:
        items = self.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def _actions(self, row: MusicRow) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(2, 0, 2, 0)
        wanted = (
            ("Play", row.state is RowState.DONE and row.item_id is not None, self.play_requested),
            ("Keep waiting", row.can_keep_waiting, self.keep_waiting_requested),
            ("Stop waiting", row.can_stop_waiting, self.stop_requested),
            ("Cancel on provider", row.can_cancel_remote, self.cancel_requested),
        )
        for text, show, signal in wanted:
            if not show:
                continue
            button = QPushButton(text)
            button.setAccessibleName(f"{text}: {row.prompt[:40]}")
            if text == "Play":
                button.setToolTip("Play the finished music")
            elif text == "Keep waiting":
                button.setToolTip("Ask the provider about this job again")
            elif text == "Stop waiting":
                button.setToolTip("Stop waiting here; the job goes on at the provider")
            elif text == "Cancel on provider":
                button.setToolTip("Stop the job at the provider (it will not finish)")
            button.clicked.connect(lambda _=False, s=signal, jid=row.job_id: s.emit(jid))
            layout.addWidget(button)
        return box

    def _tick(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for n, row in enumerate(self.rows):
            live = row.state.active or row.state is RowState.STOPPED
            elapsed = now - row.submitted if live else row.elapsed_s
            queue = now - row.submitted if row.state is RowState.QUEUED else row.queue_s
            for column, value in ((_ELAPSED, elapsed), (_QUEUE, queue)):
                cell = self.item(n, column)
                if cell is not None:
                    cell.setText(duration_text(value))

    @Slot()
    def _on_timer_timeout(self) -> None:
        if any(r.state.active or r.state is RowState.STOPPED for r in self.rows):
            self._tick()
