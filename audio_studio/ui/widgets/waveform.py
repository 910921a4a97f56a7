"""The waveform view: min/max peaks with RMS, a playhead, click to seek, drag to select a loop."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from audio_studio.core.audio.waveform import Peaks, PeakSummary

_DRAG_PX = 4  # a press that moves less than this is a click (seek), not a selection


class WaveformView(QWidget):
    """Draws a PeakSummary from core.audio.waveform at the widget's width.

    The owner computes the summary off the GUI thread (``summary_for``/``summarize`` via
    asyncio.to_thread) and hands it in; resizing only re-reduces it (fast).

    Signals:
        seek_requested(float): seconds under a click (or arrow keys: 5 s steps).
        region_selected(float, float): start and end seconds of a drag.
        region_cleared(): a click removed the selection.
    """

    seek_requested = Signal(float)
    region_selected = Signal(float, float)
    region_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waveform")
        self.setMinimumHeight(48)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Waveform")
        self._summary: PeakSummary | None = None
        self._peaks: Peaks | None = None
        self._position = 0.0
        self._region: tuple[float, float] | None = None
        self._press_x: float | None = None
        self._dragging = False
        self._pixmap: QPixmap | None = None
        self._pixmap_key: tuple[int, int, float] | None = None

    # -- state -------------------------------------------------------------------------------

    def set_summary(self, summary: PeakSummary | None) -> None:
        self._summary = summary
        self._peaks = None
        self._pixmap = None
        self.update()

    @property
    def summary(self) -> PeakSummary | None:
        return self._summary

    @property
    def duration(self) -> float:
        return self._summary.duration_s if self._summary is not None else 0.0

    def set_position(self, seconds: float) -> None:
        if abs(seconds - self._position) * self.width() > 0.2 * max(self.duration, 1e-9):
            self._position = seconds
            self.update()
        else:
            self._position = seconds

    @property
    def position(self) -> float:
        return self._position

    def set_region(self, start: float | None, end: float | None) -> None:
        self._region = None if start is None or end is None else (min(start, end), max(start, end))
        self.update()

    @property
    def region(self) -> tuple[float, float] | None:
        return self._region

    def seconds_at(self, x: float) -> float:
        width = max(1, self.width())
        return max(0.0, min(1.0, x / width)) * self.duration

    def x_for(self, seconds: float) -> float:
        return seconds / self.duration * self.width() if self.duration else 0.0

    # -- input -------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.duration:
            self._press_x = event.position().x()
            self._dragging = False
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press_x is None:
            return super().mouseMoveEvent(event)
        x = event.position().x()
        if self._dragging or abs(x - self._press_x) >= _DRAG_PX:
            self._dragging = True
            self.set_region(self.seconds_at(self._press_x), self.seconds_at(x))
        event.accept()
        return None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press_x is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mouseReleaseEvent(event)
        x, start = event.position().x(), self._press_x
        self._press_x = None
        if self._dragging and abs(x - start) >= _DRAG_PX:
            a, b = sorted((self.seconds_at(start), self.seconds_at(x)))
            self.set_region(a, b)
            self.region_selected.emit(a, b)
        else:
            if self._region is not None:
                self.set_region(None, None)
                self.region_cleared.emit()
            seconds = self.seconds_at(x)
            self._position = seconds
            self.update()
            self.seek_requested.emit(seconds)
        self._dragging = False
        event.accept()
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = {Qt.Key.Key_Left: -5.0, Qt.Key.Key_Right: 5.0}.get(Qt.Key(event.key()))
        if step is None or not self.duration:
            return super().keyPressEvent(event)
        self.seek_requested.emit(max(0.0, min(self.duration, self._position + step)))
        return None

    # -- drawing -----------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(480, 96)

    def paintEvent(self, _event: QPaintEvent) -> None:
        # The peaks are drawn once per summary and size into a pixmap; the playhead moves 30
        # times a second and a grid shows eight of these, so a repaint only copies it.
        width, height = self.width(), self.height()
        key = (width, height, self.devicePixelRatioF())
        if self._pixmap is None or key != self._pixmap_key:
            self._pixmap, self._pixmap_key = self._render(width, height, key[2]), key
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._pixmap)
        palette = self.palette()
        if self._region is not None:
            a, b = (self.x_for(s) for s in self._region)
            shade = QColor(palette.color(QPalette.ColorRole.Highlight))
            shade.setAlpha(60)
            painter.fillRect(QRectF(a, 0, max(1.0, b - a), height), shade)
        if self.duration:
            x = self.x_for(self._position)
            painter.setPen(QPen(QColor(220, 40, 40), 2))
            painter.drawLine(QPointF(x, 0), QPointF(x, height))
        painter.end()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._pixmap = None  # colours come from the palette
        super().changeEvent(event)

    def _render(self, width: int, height: int, ratio: float) -> QPixmap:
        pixmap = QPixmap(max(1, int(width * ratio)), max(1, int(height * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        palette = self.palette()
        pixmap.fill(palette.color(QPalette.ColorRole.Base))
        painter = QPainter(pixmap)
        mid = height / 2
        if self._summary is not None and width > 0:
            if self._peaks is None or self._peaks.columns != width:
                self._peaks = self._summary.columns(width)
            peaks, scale = self._peaks, mid * 0.95
            peak_color = palette.color(QPalette.ColorRole.Highlight)
            top, bottom = mid - peaks.maxs * scale, mid - peaks.mins * scale
            # One drawLines call per pass: a Python call per column would be slow.
            painter.setPen(QPen(peak_color, 1))
            painter.drawLines(
                [
                    QLineF(x + 0.5, float(a), x + 0.5, float(b))
                    for x, (a, b) in enumerate(zip(top, bottom, strict=True))
                ]
            )
            level = peaks.rms * scale
            painter.setPen(QPen(QColor(peak_color).lighter(140), 1))
            painter.drawLines(
                [
                    QLineF(x + 0.5, mid - float(r), x + 0.5, mid + float(r))
                    for x, r in enumerate(level)
                ]
            )
        else:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawLine(QPointF(0, mid), QPointF(width, mid))
        painter.end()
        return pixmap
