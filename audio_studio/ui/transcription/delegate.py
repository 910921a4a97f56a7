"""Paints one transcript segment: a line with time, speaker and confidence, then its text.

The text is laid out with QTextLayout so search matches can be highlighted inside it and
words the provider was unsure of underlined. Row heights are cached per width and text:
only rows that are laid out (the visible ones, in batches) are measured.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QPlainTextEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from audio_studio.core.models import Segment
from audio_studio.ui.transcription.transcript_model import (
    CURRENT_ROLE,
    FOCUS_ROLE,
    MATCHES_ROLE,
    SEGMENT_ROLE,
)

Index = QModelIndex | QPersistentModelIndex
PAD = 6
GAP = 2
UNSURE = 0.5  # words below this confidence are underlined


def clock(seconds: float) -> str:
    h, rest = divmod(max(0.0, seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{int(h)}:{int(m):02d}:{s:04.1f}" if h else f"{int(m)}:{s:04.1f}"


def header_text(seg: Segment) -> str:
    parts = [f"{clock(seg.start)} – {clock(seg.end)}"]
    if seg.speaker:
        parts.append(seg.speaker)
    if seg.confidence is not None:
        parts.append(f"{seg.confidence:.0%} sure")
    return "   ·   ".join(parts)


def _unsure_ranges(seg: Segment) -> list[tuple[int, int]]:
    """Where in the text the words below UNSURE confidence are."""
    out, at = [], 0
    for word in seg.words:
        found = seg.text.find(word.text, at)
        if found < 0:
            return out  # the words no longer line up with the text
        at = found + len(word.text)
        if word.confidence is not None and word.confidence < UNSURE:
            out.append((found, len(word.text)))
    return out


class _Editor(QPlainTextEdit):
    """The in-place editor: Enter commits, Shift+Enter too is one line, Escape cancels."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.clearFocus()  # the delegate commits on focus out
            return
        super().keyPressEvent(event)


class SegmentDelegate(QStyledItemDelegate):
    def __init__(self, view: QAbstractItemView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._heights: dict[tuple[int, str, int], int] = {}

    def _fonts(self) -> tuple[QFont, QFont]:
        body = self._view.font()
        small = QFont(body)
        small.setPointSizeF(max(6.0, body.pointSizeF() * 0.85))
        return body, small

    def _text_width(self) -> int:
        return max(80, self._view.viewport().width() - 2 * PAD)

    def _layout(self, text: str, font: QFont, width: int) -> tuple[QTextLayout, int]:
        layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        y = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            y += line.height()
        layout.endLayout()
        return layout, int(y + 0.999)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        seg: Segment = index.data(SEGMENT_ROLE)
        width = self._text_width()
        key = (width, seg.text, index.row())
        height = self._heights.get(key)
        if height is None:
            body, small = self._fonts()
            _, text_h = self._layout(seg.text, body, width)
            height = PAD + QFontMetrics(small).height() + GAP + text_h + PAD
            if len(self._heights) > 20_000:
                self._heights.clear()
            self._heights[key] = height
        return QSize(width + 2 * PAD, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        seg: Segment = index.data(SEGMENT_ROLE)
        palette = option.palette  # type: ignore[attr-defined]
        rect: QRect = option.rect  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        painter.save()
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight).lighter(170))
        elif index.data(CURRENT_ROLE):
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight).lighter(190))
        elif index.data(FOCUS_ROLE):
            painter.fillRect(rect, QColor(255, 235, 150, 90))
        if index.data(CURRENT_ROLE):
            bar = QRect(rect.left(), rect.top() + 2, 3, rect.height() - 4)
            painter.fillRect(bar, palette.color(QPalette.ColorRole.Highlight))
        body, small = self._fonts()
        painter.setFont(small)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        head_h = QFontMetrics(small).height()
        head = QRect(rect.left() + PAD, rect.top() + PAD, rect.width() - 2 * PAD, head_h)
        painter.drawText(head, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         header_text(seg))  # fmt: skip
        layout, _ = self._layout(seg.text, body, self._text_width())
        formats = []
        for start, length in index.data(MATCHES_ROLE) or []:
            fmt = QTextLayout.FormatRange()
            fmt.start, fmt.length = start, length
            char = QTextCharFormat()
            char.setBackground(QColor(255, 210, 60))
            char.setForeground(QColor(0, 0, 0))
            fmt.format = char
            formats.append(fmt)
        for start, length in _unsure_ranges(seg):
            fmt = QTextLayout.FormatRange()
            fmt.start, fmt.length = start, length
            char = QTextCharFormat()
            char.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            char.setUnderlineColor(QColor(200, 120, 0))
            fmt.format = char
            formats.append(fmt)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        layout.draw(painter, QPointF(rect.left() + PAD, head.bottom() + 1 + GAP), formats)
        painter.setPen(palette.color(QPalette.ColorRole.Midlight))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.restore()

    # -- editing -----------------------------------------------------------------------------

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = _Editor(parent)
        editor.setObjectName("segmentEditor")
        editor.setTabChangesFocus(True)
        editor.setFrameShape(QPlainTextEdit.Shape.Box)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(str(index.data(Qt.ItemDataRole.EditRole)))
            editor.selectAll()

    def setModelData(self, editor: QWidget, model: object, index: Index) -> None:
        if isinstance(editor, QPlainTextEdit):
            model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)  # type: ignore[attr-defined]

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        rect: QRect = option.rect  # type: ignore[attr-defined]
        _, small = self._fonts()
        top = rect.top() + PAD + QFontMetrics(small).height()
        # Room for three lines at least (over the rows below while editing): a one-line box
        # with a scrollbar reads as a spin box, and a correction often adds words.
        lines = QFontMetrics(editor.font()).lineSpacing()
        height = max(rect.bottom() - top, 3 * lines + 10)
        editor.setGeometry(QRect(rect.left() + 2, top, rect.width() - 4, height))
        editor.raise_()
