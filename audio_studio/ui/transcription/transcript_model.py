"""The transcript as a Qt list model (one row per segment) with edits, undo, search and playhead.

A model/view pair, not a widget per segment: a two-hour transcript is a few thousand rows and
only the visible ones are laid out and painted. Edits go through ``set_text``/``rename_speaker``
and are undoable (QUndoStack of whole-transcript snapshots: Transcript values are immutable,
so a snapshot is a tuple reference, not a copy).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QUndoCommand, QUndoStack

from audio_studio.core.models import Segment, Transcript
from audio_studio.core.transcripts import rename_speaker, replace_segment_text

Index = QModelIndex | QPersistentModelIndex

SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 1
CURRENT_ROLE = Qt.ItemDataRole.UserRole + 2
MATCHES_ROLE = Qt.ItemDataRole.UserRole + 3  # [(start, length)] of the search term in the text
FOCUS_ROLE = Qt.ItemDataRole.UserRole + 4  # the row of the match the user stepped to


class _Snapshot(QUndoCommand):
    def __init__(self, model: TranscriptModel, before: Transcript, after: Transcript, what: str):
        super().__init__(what)
        self._model, self._before, self._after = model, before, after

    def redo(self) -> None:
        self._model._apply(self._after)

    def undo(self) -> None:
        self._model._apply(self._before)


class TranscriptModel(QAbstractListModel):
    """Segments of one transcript.

    Signals:
        edited(): the text or a speaker changed (also on undo and redo).
        matches_changed(int): how many times the search term occurs now.
    """

    edited = Signal()
    matches_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._transcript = Transcript(())
        self._segments: list[Segment] = []
        self._starts: list[float] = []
        self._current = -1
        self._term = ""
        self._matches: dict[int, list[tuple[int, int]]] = {}
        self._focus = -1

    # -- loading -----------------------------------------------------------------------------

    def set_transcript(self, transcript: Transcript) -> None:
        """Show ``transcript`` (forgets undo history, keeps the search term)."""
        self.beginResetModel()
        self._transcript = transcript
        self._segments = [s for s in transcript.segments if s.text.strip()]
        self._starts = [s.start for s in self._segments]
        self._current = -1
        self._focus = -1
        self.endResetModel()
        self.undo_stack.clear()
        self.set_search(self._term)

    def transcript(self) -> Transcript:
        """The transcript as edited."""
        return dataclasses.replace(self._transcript, segments=tuple(self._segments))

    def segment(self, row: int) -> Segment:
        return self._segments[row]

    # -- Qt model ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._segments)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._segments):
            return None
        row = index.row()
        seg = self._segments[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return seg.text
        if role == SEGMENT_ROLE:
            return seg
        if role == CURRENT_ROLE:
            return row == self._current
        if role == MATCHES_ROLE:
            return self._matches.get(row, [])
        if role == FOCUS_ROLE:
            return row == self._focus
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Click to play from here; double-click (or F2) to correct the text."
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        return self.set_text(index.row(), str(value))

    # -- editing -----------------------------------------------------------------------------

    def set_text(self, row: int, text: str) -> bool:
        """Correct segment ``row``; an empty text is refused (delete words, not segments)."""
        old = self._segments[row]
        if not " ".join(text.split()):
            return False
        new = replace_segment_text(old, text)
        if new is old:
            return False
        after = list(self._segments)
        after[row] = new
        before = self.transcript()
        changed = dataclasses.replace(before, segments=tuple(after))
        self.undo_stack.push(_Snapshot(self, before, changed, f"Edit segment {row + 1}"))
        return True

    def rename_speaker(self, old: str, new: str) -> bool:
        """Speaker ``old`` is ``new`` everywhere (joining them when ``new`` exists)."""
        before = self.transcript()
        after = rename_speaker(before, old, new)
        if after == before:
            return False
        self.undo_stack.push(_Snapshot(self, before, after, f"Rename {old} to {new.strip()}"))
        return True

    def apply_edit(self, after: Transcript, what: str) -> bool:
        """Show ``after`` (a split, merge, new times, replacements) as one undoable step."""
        before = self.transcript()
        if after == before:
            return False
        self.undo_stack.push(_Snapshot(self, before, after, what))
        return True

    def speakers(self) -> tuple[str, ...]:
        return self.transcript().speakers

    def _apply(self, transcript: Transcript) -> None:
        segments = [s for s in transcript.segments if s.text.strip()]
        if len(segments) == len(self._segments):
            changed = [n for n, (a, b) in enumerate(zip(self._segments, segments, strict=True))
                       if a is not b]  # fmt: skip
            self._segments = segments
            self._transcript = transcript
            if changed:
                self.dataChanged.emit(self.index(min(changed)), self.index(max(changed)))
        else:
            self.beginResetModel()
            self._segments, self._transcript = segments, transcript
            self.endResetModel()
        self._starts = [s.start for s in self._segments]
        self.set_search(self._term)
        self.edited.emit()

    # -- playhead ----------------------------------------------------------------------------

    def row_at(self, seconds: float) -> int:
        """The segment playing at ``seconds`` (the last one started), or -1 before the first."""
        return bisect.bisect_right(self._starts, seconds + 1e-6) - 1

    def set_current(self, row: int) -> bool:
        """Mark ``row`` as playing; True when that changed."""
        if row == self._current:
            return False
        old, self._current = self._current, row
        for r in (old, row):
            if 0 <= r < len(self._segments):
                self.dataChanged.emit(self.index(r), self.index(r), [CURRENT_ROLE])
        return True

    @property
    def current(self) -> int:
        return self._current

    # -- search ------------------------------------------------------------------------------

    def set_search(self, term: str) -> int:
        """Find ``term`` (case-insensitive) in every segment's text and speaker; the count."""
        self._term = term.strip()
        old = set(self._matches)
        self._matches = {}
        if self._term:
            pattern = re.compile(re.escape(self._term), re.IGNORECASE)
            for row, seg in enumerate(self._segments):
                found = [(m.start(), m.end() - m.start()) for m in pattern.finditer(seg.text)]
                if found or (seg.speaker and pattern.search(seg.speaker)):
                    self._matches[row] = found
        touched = old | set(self._matches)
        if touched:  # one signal for the span: thousands of rows may match
            first, last = self.index(min(touched)), self.index(max(touched))
            self.dataChanged.emit(first, last, [MATCHES_ROLE])
        if self._focus not in self._matches:
            self._focus = -1
        count = sum(max(1, len(v)) for v in self._matches.values())
        self.matches_changed.emit(count)
        return count

    def match_rows(self) -> list[int]:
        return sorted(self._matches)

    def set_focus(self, row: int) -> None:
        old, self._focus = self._focus, row
        for r in (old, row):
            if 0 <= r < len(self._segments):
                self.dataChanged.emit(self.index(r), self.index(r), [FOCUS_ROLE])
