"""The chunk list's Qt model: one row per sentence with its take, state and lock.

Rows are the project's chunks; the model never copies them. Changes that arrive while a job
runs (hundreds a second on a long script) are collected and announced at most ten times a
second, in one dataChanged per batch, so the list stays cheap to keep up to date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QIcon

from audio_studio.core.narration.project import Chunk, ChunkStatus, NarrationProject
from audio_studio.core.narration.proof import flagged

COLUMNS = ("#", "Sentence", "Take", "Status", "Role")
ROLE_COLUMN = 4
_STATUS_TEXT = {
    ChunkStatus.PENDING: "not made yet",
    ChunkStatus.QUEUED: "waiting…",
    ChunkStatus.WORKING: "making…",
    ChunkStatus.DONE: "done",
    ChunkStatus.FAILED: "failed",
}
_FAILED = QColor(190, 40, 40)
_LOCK_SVG = str(Path(__file__).resolve().parents[1] / "assets" / "lock.svg")
_STALE = QColor(180, 110, 0)

Index = QModelIndex | QPersistentModelIndex
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.EditRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.DecorationRole,
    }
)


def status_text(chunk: Chunk) -> str:
    text = _STATUS_TEXT[chunk.status]
    if chunk.status is ChunkStatus.DONE and chunk.stale:
        text = "edited: make again"
    if chunk.locked:
        text = f"locked · {text}"  # and the lock icon (an emoji needs a font that may be missing)
    take = chunk.take
    if take is not None and chunk.status is ChunkStatus.DONE and flagged(chunk) is not None:
        return "⚠ check" + (" · locked" if chunk.locked else "")
    if take is not None and chunk.status is ChunkStatus.DONE:
        if take.fallback:
            text += " (offline voice)"
        elif take.cache_hit:
            text += " (cache)"
    return text


def _says_otherwise(chunk: Chunk) -> bool:
    return bool(chunk.spoken) and chunk.spoken != chunk.text


class ChunkTableModel(QAbstractTableModel):
    """Chunks of a NarrationProject as table rows.

    Signals:
        text_edited(object, str): the user edited a sentence in the list (chunk, new text).
    """

    text_edited = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: NarrationProject | None = None
        self._dirty: set[str] = set()
        self._lock: QIcon | None = None
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(100)
        self._flush.timeout.connect(self._on_flush_timeout)

    def set_project(self, project: NarrationProject | None) -> None:
        self.beginResetModel()
        self.project = project
        self._dirty.clear()
        self.endResetModel()

    def reset(self) -> None:
        """The chunks themselves changed (the script was edited): rebuild the rows."""
        self.beginResetModel()
        self._dirty.clear()
        self.endResetModel()

    def chunk(self, row: int) -> Chunk | None:
        chunks = self.project.chunks if self.project else []
        return chunks[row] if 0 <= row < len(chunks) else None

    def mark(self, chunk: Chunk) -> None:
        """``chunk`` changed; its row is redrawn at the next flush."""
        self._dirty.add(chunk.id)
        if not self._flush.isActive():
            self._flush.start()

    @Slot()
    def _on_flush_timeout(self) -> None:
        self.flush()

    def flush(self) -> None:
        project, dirty = self.project, self._dirty
        self._dirty = set()
        if project is None or not dirty:
            return
        rows = [i for i in (project._positions.get(cid) for cid in dirty) if i is not None]
        if rows:
            first, last = min(rows), max(rows)
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    # -- QAbstractTableModel -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.project is None else len(self.project.chunks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.column() == 1:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES:
            return None  # asked often (fonts, alignment, colours): answer fast
        chunk = self.chunk(index.row())
        if chunk is None:
            return None
        col = index.column()
        if col == ROLE_COLUMN:
            return self._role_data(chunk, role)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._lock_icon() if col == 3 and chunk.locked else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return str(index.row() + 1)
            if col == 1:
                if role == Qt.ItemDataRole.DisplayRole and _says_otherwise(chunk):
                    # What will be said, when it differs (numbers in words, the lexicon).
                    return f"{chunk.text}   → says: {chunk.spoken}"
                return chunk.text
            if col == 2:
                n = len(chunk.takes)
                return f"{(chunk.current or 0) + 1} of {n}" if n else "—"
            return status_text(chunk)
        if role == Qt.ItemDataRole.ToolTipRole:
            if chunk.error:
                return chunk.error
            if col == 1 and chunk.spoken and chunk.spoken != chunk.text:
                return f"Said as: {chunk.spoken}"
            take = chunk.take
            if col == 2 and take is not None:
                return take.label((chunk.current or 0) + 1)
            proof = flagged(chunk)
            if col == 3 and proof is not None:
                return f"Heard: “{proof.heard}” ({proof.reason})"
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            if chunk.status is ChunkStatus.FAILED or flagged(chunk) is not None:
                return QBrush(_FAILED)
            if chunk.stale:
                return QBrush(_STALE)
        return None

    def _lock_icon(self) -> QIcon:
        if self._lock is None:
            self._lock = QIcon(_LOCK_SVG)
        return self._lock

    def _role_data(self, chunk: Chunk, role: int) -> Any:
        project = self.project
        if project is None:
            return None
        name = project.role_of(chunk)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name} ✎" if chunk.role_override else name
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(project.cast.colour(name))
        if role == Qt.ItemDataRole.ToolTipRole:
            cast_role = project.cast.get(name)
            voice = cast_role.label() if cast_role else "the project's voice"
            how = "given by hand" if chunk.role_override else "from the script"
            return f"{name} ({voice}; {how})"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        chunk = self.chunk(index.row())
        if chunk is None or index.column() != 1 or role != Qt.ItemDataRole.EditRole:
            return False
        text = str(value).strip()
        if not text or text == chunk.text:
            return False
        self.text_edited.emit(chunk, text)
        return True
