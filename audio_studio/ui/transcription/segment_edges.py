"""The selected segment on the waveform: its span shaded, its start and end edges draggable.

An event filter on the shared WaveformView (composition: the waveform knows nothing of
transcripts). It paints over the waveform after the waveform paints itself, takes a press
within a few pixels of an edge as the start of a drag, and leaves every other click to the
waveform (seek, loop selection).

Signals:
    times_changed(int, float, float): row, new start and end, when a drag ends.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from audio_studio.ui.widgets.waveform import WaveformView

GRAB_PX = 6


class SegmentEdges(QObject):
    times_changed = Signal(int, float, float)

    def __init__(self, waveform: WaveformView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.waveform = waveform
        self.row = -1
        self.start = 0.0
        self.end = 0.0
        self._dragging: str | None = None
        waveform.setMouseTracking(True)
        waveform.installEventFilter(self)

    def set_segment(self, row: int, start: float, end: float) -> None:
        """Show segment ``row`` (-1: none)."""
        if self._dragging:
            return  # the drag in progress owns the edges
        self.row, self.start, self.end = row, start, end
        self.waveform.update()

    def edge_at(self, x: float) -> str | None:
        if self.row < 0 or not self.waveform.duration:
            return None
        near = {
            "start": abs(x - self.waveform.x_for(self.start)),
            "end": abs(x - self.waveform.x_for(self.end)),
        }
        edge = min(near, key=lambda k: near[k])
        return edge if near[edge] <= GRAB_PX else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.waveform:
            return False
        kind = event.type()
        if kind == QEvent.Type.Paint:
            self.waveform.paintEvent(event)  # type: ignore[arg-type]
            self._paint()
            return True
        if isinstance(event, QMouseEvent):
            return self._mouse(kind, event)
        return False

    def _mouse(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        x = event.position().x()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._dragging = self.edge_at(x)
            return self._dragging is not None
        if kind == QEvent.Type.MouseMove:
            if self._dragging is None:
                cursor = Qt.CursorShape.SizeHorCursor if self.edge_at(x) else None
                if cursor is None:
                    self.waveform.unsetCursor()
                else:
                    self.waveform.setCursor(cursor)
                return False
            seconds = self.waveform.seconds_at(x)
            if self._dragging == "start":
                self.start = min(seconds, self.end - 0.05)
            else:
                self.end = max(seconds, self.start + 0.05)
            self.waveform.update()
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._dragging is not None:
            self._dragging = None
            self.times_changed.emit(self.row, self.start, self.end)
            return True
        return False

    def _paint(self) -> None:
        view: QWidget = self.waveform
        if self.row < 0 or not self.waveform.duration:
            return
        a, b = self.waveform.x_for(self.start), self.waveform.x_for(self.end)
        painter = QPainter(view)
        painter.fillRect(QRectF(a, 0, max(1.0, b - a), view.height()), QColor(40, 160, 90, 45))
        painter.setPen(QPen(QColor(30, 130, 70), 2))
        for x in (a, b):
            painter.drawLine(QPointF(x, 0), QPointF(x, view.height()))
            painter.fillRect(QRectF(x - 3, 0, 6, 8), QColor(30, 130, 70))
        painter.end()
