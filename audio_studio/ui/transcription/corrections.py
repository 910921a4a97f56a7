"""Correction tools for the open transcript: speed, split, merge, nudge times, find and replace.

Every change is one step on the transcript's undo stack (so Ctrl+Z takes it back) and is
saved to History like a text correction. Split works at the text caret while a line is being
corrected (or was, a moment ago: pressing the button ends the editing), else at the playhead.

Signals:
    message(str): what happened, for the tab's status line.
    speed_changed(float): the user chose another playback speed (to remember it).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QApplication,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from audio_studio.core.errors import InputError
from audio_studio.core.models import Transcript
from audio_studio.core.transcription.segment_edits import (
    find_replace,
    merge_with_next,
    set_times,
    split_at_char,
    split_at_time,
)
from audio_studio.core.transcripts import replace_segment_text
from audio_studio.ui.transcription.transcript_view import TranscriptView
from audio_studio.ui.widgets.player_bar import PlayerBar

NUDGE_S = 0.1


@dataclass(frozen=True)
class _Caret:
    row: int
    offset: int
    text: str


class CorrectionBar(QWidget):
    """A compact row of correction tools over a TranscriptView and the tab's PlayerBar."""

    message = Signal(str)
    speed_changed = Signal(float)

    def __init__(self, view: TranscriptView, player: PlayerBar, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("correctionBar")
        self.view = view
        self.player = player
        self._caret: _Caret | None = None
        self.speed = QDoubleSpinBox()
        self.speed.setObjectName("playbackSpeed")
        self.speed.setRange(0.5, 2.0)
        self.speed.setSingleStep(0.1)
        self.speed.setDecimals(2)
        self.speed.setValue(1.0)
        self.speed.setSuffix("×")
        self.speed.setAccessibleName("Playback speed")
        self.speed.setToolTip("Playback speed, pitch kept (Alt+Up / Alt+Down)")
        self.split_button = self._button("Split", "Split the line at the caret or the playhead "
                                         "(Alt+S)")  # fmt: skip
        self.merge_button = self._button("Merge", "Join the line with the next one (Alt+M)")
        self.start_earlier = self._button("◂", "Start 0.1 s earlier (or drag the line's left edge "
                                          "on the waveform)")  # fmt: skip
        self.start_later = self._button("▸", "Start 0.1 s later")
        self.end_earlier = self._button("◂", "End 0.1 s earlier (or drag the line's right edge "
                                        "on the waveform)")  # fmt: skip
        self.end_later = self._button("▸", "End 0.1 s later")
        self.replace_button = self._button("Replace…", "Find and replace in this transcript")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(QLabel("Speed"))
        row.addWidget(self.speed)
        row.addSpacing(6)
        row.addWidget(self.split_button)
        row.addWidget(self.merge_button)
        row.addSpacing(6)
        row.addWidget(QLabel("Start"))
        row.addWidget(self.start_earlier)
        row.addWidget(self.start_later)
        row.addWidget(QLabel("End"))
        row.addWidget(self.end_earlier)
        row.addWidget(self.end_later)
        row.addSpacing(6)
        row.addWidget(self.replace_button)
        row.addStretch(1)
        self.speed.valueChanged.connect(self._on_speed_value_changed)
        self.split_button.clicked.connect(self.split)
        self.merge_button.clicked.connect(self.merge)
        self.start_earlier.clicked.connect(lambda: self.nudge("start", -NUDGE_S))
        self.start_later.clicked.connect(lambda: self.nudge("start", NUDGE_S))
        self.end_earlier.clicked.connect(lambda: self.nudge("end", -NUDGE_S))
        self.end_later.clicked.connect(lambda: self.nudge("end", NUDGE_S))
        self.replace_button.clicked.connect(self._on_replace_button_clicked)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_app_focus_changed)

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        return button

    # -- speed -------------------------------------------------------------------------------

    def set_speed(self, value: float, *, remember: bool = True) -> None:
        """Play at ``value`` (0.5–2.0, pitch kept); ``remember`` tells the tab to save it."""
        self.speed.blockSignals(True)
        self.speed.setValue(value)
        self.speed.blockSignals(False)
        self.player.player.speed = self.speed.value()
        if remember:
            self.speed_changed.emit(self.speed.value())

    def step_speed(self, delta: float) -> None:
        self.set_speed(round(self.speed.value() + delta, 2))

    @Slot(float)
    def _on_speed_value_changed(self, value: float) -> None:
        self.set_speed(value)

    # -- the line being corrected ------------------------------------------------------------

    def row(self) -> int:
        """The selected line, else the one playing (-1: none)."""
        index = self.view.list.currentIndex()
        if index.isValid():
            return index.row()
        return self.view.model.current

    def _editor(self) -> QPlainTextEdit | None:
        editor = self.view.list.findChild(QPlainTextEdit, "segmentEditor")
        return editor if editor is not None and editor.isVisible() else None

    @Slot(object, object)
    def _on_app_focus_changed(self, old: object, _new: object) -> None:
        # Pressing a tool button ends the editing (the text is saved then); keep where the
        # caret was so Split still cuts there.
        if isinstance(old, QPlainTextEdit) and old.objectName() == "segmentEditor":
            row = self.view.list.currentIndex().row()
            self._caret = _Caret(row, old.textCursor().position(), old.toPlainText())

    def _apply(self, after: Transcript, what: str) -> bool:
        changed = self.view.model.apply_edit(after, what)
        if changed:
            self.message.emit(f"{what}. Ctrl+Z takes it back.")
        return changed

    # -- actions -----------------------------------------------------------------------------

    def split(self) -> bool:
        """Split the line at the caret (while or just after correcting it) or the playhead."""
        transcript = self.view.transcript()
        editor = self._editor()
        try:
            if editor is not None:
                row = self.view.list.currentIndex().row()
                caret = _Caret(row, editor.textCursor().position(), editor.toPlainText())
                # The editor goes without saving: its text and the split are one undo step.
                self.view.list.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                return self._split_at_caret(transcript, caret)
            caret = self._caret
            row = self.row()
            if caret is not None and caret.row == row >= 0:
                seg = transcript.segments[row]
                if " ".join(caret.text.split()) == " ".join(seg.text.split()):
                    self._caret = None
                    return self._split_at_caret(transcript, caret)
            if row < 0:
                self.message.emit("Select a line to split.")
                return False
            after = split_at_time(transcript, row, self.player.player.position)
        except InputError as exc:
            self.message.emit(exc.message)
            return False
        return self._apply(after, f"Split line {row + 1} at the playhead")

    def _split_at_caret(self, transcript: Transcript, caret: _Caret) -> bool:
        row = caret.row
        seg = replace_segment_text(transcript.segments[row], caret.text)
        words_before = sum(1 for m in re.finditer(r"\S+", caret.text) if m.end() <= caret.offset)
        offset = len(" ".join(seg.text.split()[:words_before]))
        segments = list(transcript.segments)
        segments[row] = seg
        edited = dataclasses.replace(transcript, segments=tuple(segments))
        after = split_at_char(edited, row, offset)
        return self._apply(after, f"Split line {row + 1} at the caret")

    def merge(self) -> bool:
        row = self.row()
        if row < 0:
            self.message.emit("Select a line to merge with the next one.")
            return False
        try:
            after = merge_with_next(self.view.transcript(), row)
        except InputError as exc:
            self.message.emit(exc.message)
            return False
        return self._apply(after, f"Merged line {row + 1} with the next")

    def set_times(self, row: int, start: float, end: float) -> bool:
        after = set_times(self.view.transcript(), row, start, end)
        seg = after.segments[row]
        return self._apply(after, f"Line {row + 1} now {seg.start:.2f}–{seg.end:.2f} s")

    def nudge(self, edge: str, delta: float) -> bool:
        row = self.row()
        if row < 0:
            self.message.emit("Select a line to move its start or end.")
            return False
        seg = self.view.transcript().segments[row]
        start, end = seg.start, seg.end
        if edge == "start":
            start += delta
        else:
            end += delta
        return self.set_times(row, start, end)

    def replace_all(
        self, find: str, replace: str, *, match_case: bool = False, whole_words: bool = False
    ) -> int:
        after, count = find_replace(
            self.view.transcript(), find, replace, match_case=match_case, whole_words=whole_words
        )
        if count:
            self._apply(after, f"Replaced {count} × “{find}”")
        else:
            self.message.emit(f"“{find}” is not in this transcript.")
        return count

    @Slot()
    def _on_replace_button_clicked(self) -> None:
        from audio_studio.ui.transcription.find_replace import FindReplaceDialog

        dialog = FindReplaceDialog(self, self.view.search.text())
        dialog.replace_requested.connect(self.replace_all)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
