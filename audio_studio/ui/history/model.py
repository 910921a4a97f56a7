"""The History table's model: rows fetched a page at a time, so 100,000 items open like 100.

The view asks for more rows as it scrolls (canFetchMore/fetchMore); each page is read off the
GUI thread. A new query bumps a generation number so pages of an old query are dropped.
"""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from audio_studio.core.errors import StudioError
from audio_studio.core.library import Library
from audio_studio.core.models import HistoryKind
from audio_studio.core.store.history import HistoryItem, HistoryQuery
from audio_studio.ui.tasks import spawn

COLUMNS = ("★", "Kind", "Title", "Match", "Provider", "Model / voice", "Duration", "Cost",
           "Created", "Tags")  # fmt: skip
STAR, KIND, TITLE, MATCH, PROVIDER, MODEL, DURATION, COST, CREATED, TAGS = range(len(COLUMNS))
PAGE = 200

Index = QModelIndex | QPersistentModelIndex


def _costed_below(item: HistoryItem) -> bool:
    """A narration or its export: its takes carry the cost (it is never counted twice)."""
    return item.kind is HistoryKind.NARRATION


def _cost(item: HistoryItem) -> str:
    if item.usage.cost_usd is None and _costed_below(item):
        return ""
    if item.usage.cost_usd is None:
        return "?" if item.provider not in (None, "local") else ""
    if item.usage.cost_usd == 0:
        return "free"
    return f"${item.usage.cost_usd:.2f}" if item.usage.cost_usd >= 0.01 else "<$0.01"


def _duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes)}:{secs:04.1f}" if minutes else f"{secs:.1f} s"


class HistoryTableModel(QAbstractTableModel):
    """Items of one query, newest first, loaded in pages."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.query = HistoryQuery(limit=PAGE, top_level_only=True)
        self.items: list[HistoryItem] = []
        self.total = 0
        self.error: str | None = None
        self._generation = 0
        self._fetching = False

    # -- loading -----------------------------------------------------------------------------

    async def load(self, query: HistoryQuery) -> None:
        """Run ``query`` from the start: count it, and read its first page."""
        self._generation += 1
        generation = self._generation
        query = dataclasses.replace(query, limit=PAGE, offset=0)
        try:
            total = await self.library.count(query)
            first = await self.library.query(query)
        except StudioError as exc:
            if generation == self._generation:
                self.error = exc.message
            return
        if generation != self._generation:
            return  # a newer query started meanwhile
        self.beginResetModel()
        self.query, self.items, self.total, self.error = query, first, total, None
        self._fetching = False
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.items) < self.total and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetching = True
            spawn(self._fetch_page(self._generation))

    async def _fetch_page(self, generation: int) -> None:
        page = dataclasses.replace(self.query, offset=len(self.items))
        try:
            more = await self.library.query(page)
        finally:
            if generation == self._generation:
                self._fetching = False
        if generation != self._generation or not more:
            return
        start = len(self.items)
        self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
        self.items.extend(more)
        self.endInsertRows()

    def replace_item(self, item: HistoryItem) -> None:
        """Show a changed item (starred, renamed, tagged) without reloading the page."""
        for row, old in enumerate(self.items):
            if old.id == item.id:
                self.items[row] = dataclasses.replace(item, match=old.match)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (TITLE, MATCH) and item.match:
                return item.match.replace("[", "").replace("]", "")
            if column == COST and item.usage.cost_usd is None and _costed_below(item):
                return "Each take carries its own cost (see Related)."
            if (
                column == COST
                and item.usage.cost_usd is None
                and item.provider not in (None, "local")
            ):
                return "The provider's price for this was not known."
            return item.error if item.error else None
        if role == Qt.ItemDataRole.UserRole:
            return item
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (DURATION, COST):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, item: HistoryItem, column: int) -> str:
        if column == STAR:
            return "★" if item.starred else ""
        if column == KIND:
            return item.kind.value.replace("_", " ")
        if column == TITLE:
            return item.title or (item.input_text or item.prompt or item.transcript)[:80]
        if column == MATCH:
            return item.match or ""
        if column == PROVIDER:
            return item.provider or ""
        if column == MODEL:
            return " / ".join(x for x in (item.model, item.voice) if x)
        if column == DURATION:
            return _duration(item.duration_s)
        if column == COST:
            return _cost(item)
        if column == CREATED:
            return datetime.fromisoformat(item.created_at).astimezone().strftime("%Y-%m-%d %H:%M")
        if column == TAGS:
            return " ".join(item.tags)
        return ""


_MARK = re.compile(r"\[([^\]]*)\]")


def highlight_html(snippet: str) -> str:
    """FTS5's snippet marks matches with [ ]; show them bold."""
    return _MARK.sub(lambda m: f"<b>{m.group(1)}</b>", html.escape(snippet, quote=False))


class MatchDelegate(QStyledItemDelegate):
    """Draws the search snippet with the matched words in bold."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        if not text:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else QApplication.style()
        option.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setHtml(highlight_html(text))
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, option.widget)
        painter.save()
        painter.translate(rect.topLeft())
        painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
        document.documentLayout().draw(painter, context)
        painter.restore()
