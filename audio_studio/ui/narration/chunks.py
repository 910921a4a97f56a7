"""The chunk list: every sentence with its take, state and lock, and the actions on them.

Actions work on the selected sentences: choose a take (and hear it), make a new take (R),
lock or unlock, give them to a role of the cast, retry the failed ones, or finish failed ones
with the offline voice. The reason a sentence failed (the provider's words), or what
proof-listening heard in a take flagged *check*, shows under the list when it is selected.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.narration.project import Chunk, ChunkStatus
from audio_studio.core.narration.proof import Proof, flagged
from audio_studio.core.narration.service import OFFLINE_CAN_FINISH
from audio_studio.ui.narration.chunk_model import ChunkTableModel


class ChunkList(QWidget):
    """The sentences of the project and what can be done to them.

    Signals:
        regenerate_requested(list): chunks to make a new take of.
        lock_requested(list, bool): chunks to lock (True) or unlock.
        take_chosen(object, int): a chunk and the index of the take to use.
        play_requested(object): play this chunk's current take.
        retry_requested(list): failed chunks to try again with the project's voice.
        offline_requested(list): failed chunks to finish with the offline voice.
        selected(object): the chunk now selected (or None).
        clear_removed_requested(): drop the takes of sentences no longer in the script.
        role_requested(list, object): chunks to give to a role (str), or back to the script's
            (None).
    """

    regenerate_requested = Signal(list)
    lock_requested = Signal(list, bool)
    take_chosen = Signal(object, int)
    play_requested = Signal(object)
    retry_requested = Signal(list)
    offline_requested = Signal(list)
    selected = Signal(object)
    clear_removed_requested = Signal()
    role_requested = Signal(list, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ChunkTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setTabKeyNavigation(False)  # one Tab stop; arrows move between rows
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Fixed widths, not ResizeToContents: that measures every row on every change, which
        # for a long script is most of the GUI thread's time while a job runs.
        metrics = self.fontMetrics()
        widths = (
            (0, "00000"),
            (2, "00 of 00"),
            (3, "locked · edited: make again (cache)"),
            (4, "■ Narrator ✎"),
        )
        for col, sample in widths:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            icon = 20 if col == 3 else 0  # the lock icon
            self.table.setColumnWidth(col, metrics.horizontalAdvance(sample) + 16 + icon)
        self.table.setToolTip("Double-click a sentence to edit it; it then needs a new take.")
        self.take = QComboBox()
        self.take.setMinimumContentsLength(12)
        self.take.setToolTip("Which take of the selected sentence the export uses")
        self.play_button = QPushButton("Play take")
        self.play_button.setToolTip("Play the selected sentence's take")
        self.regenerate_button = QPushButton("New take")
        self.regenerate_button.setToolTip("Make another take of the selected sentences")
        self.lock_button = QPushButton("Lock")
        self.lock_button.setCheckable(True)
        self.lock_button.setToolTip("A locked sentence keeps its take: Generate skips it")
        self.role = QComboBox()
        self.role.setToolTip("Give the selected sentences to a role of the cast")
        # Short when closed (the list opens wide): the bar must fit a 1024-pixel window.
        self.role.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.role.setMinimumContentsLength(8)
        self.retry_button = QPushButton("Retry failed")
        self.retry_button.setToolTip("Try the failed sentences again with the chosen voice")
        self.offline_button = QPushButton("Finish with offline voice")
        self.offline_button.setToolTip(
            "Make the sentences the cloud provider failed on with the voice on this computer"
        )
        self.clear_removed_button = QPushButton()
        self.clear_removed_button.setToolTip(
            "Sentences taken out of the script keep their takes, so an undo finds them again; "
            "this deletes those takes from the narration (History keeps its copies)"
        )
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Take"))
        bar.addWidget(self.take)
        for button in (self.play_button, self.regenerate_button, self.lock_button):
            bar.addWidget(button)
        bar.addWidget(self.role)
        bar.addStretch(1)
        bar.addWidget(self.retry_button)
        bar.addWidget(self.offline_button)
        bar.addWidget(self.clear_removed_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.take.activated.connect(self._on_take_activated)
        self.play_button.clicked.connect(self._on_play_clicked)
        self.regenerate_button.clicked.connect(self._on_regenerate_clicked)
        self.lock_button.clicked.connect(self._on_lock_clicked)
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.offline_button.clicked.connect(self._on_offline_clicked)
        self.clear_removed_button.clicked.connect(self.clear_removed_requested)
        self.role.activated.connect(self._on_role_activated)
        # One key makes a new take of what is selected (a flagged sentence, usually).
        remake = QShortcut(QKeySequence(Qt.Key.Key_R), self.table)
        remake.setContext(Qt.ShortcutContext.WidgetShortcut)
        remake.activated.connect(self._on_regenerate_clicked)
        self.regenerate_button.setToolTip("Make another take of the selected sentences (R)")
        self._busy = False
        self.refresh()

    # -- state -------------------------------------------------------------------------------

    def chosen(self) -> list[Chunk]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [c for c in (self.model.chunk(r) for r in rows) if c is not None]

    def select(self, chunk: Chunk) -> None:
        project = self.model.project
        if project is None:
            return
        row = project.index(chunk)
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 1))

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.refresh()

    def refresh(self) -> None:
        """Enable what the selection allows and show the selected sentence's takes."""
        chunks = self.chosen()
        one = chunks[0] if len(chunks) == 1 else None
        failed = self.model.project.failed() if self.model.project else []
        self.take.blockSignals(True)
        self.take.clear()
        if one is not None:
            for n, take in enumerate(one.takes):
                self.take.addItem(take.label(n + 1), n)
            if one.current is not None:
                self.take.setCurrentIndex(one.current)
        self.take.blockSignals(False)
        idle = not self._busy
        self.take.setEnabled(idle and one is not None and len(one.takes) > 1)
        self.play_button.setEnabled(one is not None and one.take is not None)
        self.regenerate_button.setEnabled(
            idle and bool(chunks) and not any(c.locked for c in chunks)
        )
        self.lock_button.setEnabled(idle and bool(chunks) and all(c.take for c in chunks))
        self.lock_button.setChecked(bool(chunks) and all(c.locked for c in chunks))
        self.lock_button.setText("Unlock" if self.lock_button.isChecked() else "Lock")
        self._fill_roles(chunks)
        # Shown only when there is something to do: the bar fits a 1024-pixel window.
        self.retry_button.setVisible(bool(failed))
        self.offline_button.setVisible(bool(failed))
        self.retry_button.setEnabled(idle and bool(failed))
        can_offline = [c for c in failed if (c.error_kind or "") in OFFLINE_CAN_FINISH]
        self.offline_button.setEnabled(idle and bool(can_offline))
        self.retry_button.setText(f"Retry failed ({len(failed)})" if failed else "Retry failed")
        removed = len(self.model.project.removed) if self.model.project else 0
        self.clear_removed_button.setText(f"Clear removed ({removed})")
        self.clear_removed_button.setVisible(removed > 0)
        self.clear_removed_button.setEnabled(idle)
        detail = self._detail(one)
        rich = detail.startswith("<b>Check:")  # the provider's words are never rich text
        self.detail.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        self.detail.setText(detail)
        self.detail.setVisible(bool(self.detail.text()))

    def _detail(self, chunk: Chunk | None) -> str:
        if chunk is None:
            return ""
        if chunk.status is ChunkStatus.FAILED and chunk.error:
            return f"Failed: {chunk.error}"
        proof = flagged(chunk)
        if proof is not None:
            return _heard(proof)
        if chunk.stale:
            return "Edited since its take was made: Generate makes it again."
        if chunk.spoken and chunk.spoken != chunk.text:
            return f"Said as: {chunk.spoken}"
        return ""

    def _fill_roles(self, chunks: list[Chunk]) -> None:
        project = self.model.project
        names = project.cast.names if project else ()
        self.role.blockSignals(True)
        self.role.clear()
        self.role.addItem("Give to role…", None)
        for name in names:
            self.role.addItem(name, name)
        self.role.addItem("As the script says", "")
        self.role.setCurrentIndex(0)
        self.role.blockSignals(False)
        self.role.setVisible(bool(names))  # a project without a cast has no roles to give
        self.role.setEnabled(not self._busy and bool(chunks) and bool(names))

    def _failed(self) -> list[Chunk]:
        chosen = [c for c in self.chosen() if c.status is ChunkStatus.FAILED]
        project = self.model.project
        return chosen or (project.failed() if project else [])

    # -- slots -------------------------------------------------------------------------------

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self.refresh()
        chunks = self.chosen()
        self.selected.emit(chunks[0] if len(chunks) == 1 else None)

    @Slot()
    def _on_table_double_clicked(self) -> None:
        chunks = self.chosen()
        if (
            len(chunks) == 1
            and chunks[0].take is not None
            and self.table.currentIndex().column() != 1
        ):
            self.play_requested.emit(chunks[0])

    @Slot(int)
    def _on_take_activated(self, index: int) -> None:
        chunks = self.chosen()
        if len(chunks) == 1 and index >= 0:
            self.take_chosen.emit(chunks[0], index)

    @Slot()
    def _on_play_clicked(self) -> None:
        chunks = self.chosen()
        if len(chunks) == 1:
            self.play_requested.emit(chunks[0])

    @Slot()
    def _on_regenerate_clicked(self) -> None:
        self.regenerate_requested.emit(self.chosen())

    @Slot()
    def _on_lock_clicked(self) -> None:
        self.lock_requested.emit(self.chosen(), self.lock_button.isChecked())

    @Slot(int)
    def _on_role_activated(self, index: int) -> None:
        value = self.role.itemData(index)
        chunks = self.chosen()
        if value is None or not chunks:
            return
        self.role_requested.emit(chunks, value or None)

    @Slot()
    def _on_retry_clicked(self) -> None:
        self.retry_requested.emit(self._failed())

    @Slot()
    def _on_offline_clicked(self) -> None:
        failed = [c for c in self._failed() if (c.error_kind or "") in OFFLINE_CAN_FINISH]
        self.offline_requested.emit(failed)


def _heard(proof: Proof) -> str:
    """What proof-listening heard, with the differences marked (rich text for the label)."""
    parts = []
    for op, expected, heard in proof.diff:
        if op == "equal":
            parts.append(html.escape(expected))
            continue
        if expected:
            parts.append(f'<s style="color:#c0392b">{html.escape(expected)}</s>')
        if heard:
            parts.append(f'<b style="color:#1e8449">{html.escape(heard)}</b>')
    return (
        f"<b>Check:</b> {html.escape(proof.reason or '')}. Heard “{html.escape(proof.heard)}”"
        f"<br>{' '.join(parts)}<br>Press R for a new take."
    )
