"""A peak/RMS level meter with peak hold and a clip light, polling its source on a QTimer."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from audio_studio.core.audio.levels import Levels

FLOOR_DB = -60.0
_FALL_DB_PER_S = 24.0  # how fast the bars sink after a peak (PPM-like ballistics)
_HOLD_S = 1.5


def _db(value: float) -> float:
    return 20 * math.log10(value) if value > 0 else -math.inf


class LevelMeter(QWidget):
    """Shows the latest ``Levels`` from a source (a Recorder's ``levels``) about 30 times a second.

    The audio thread never touches this widget: the meter asks its source on a QTimer.
    Click the clip light to reset it.

    Signals:
        clip_reset(): the user cleared the clip light (the owner may reset the recorder's latch).
    """

    clip_reset = Signal()

    def __init__(
        self,
        source: Callable[[], Levels | None] | None = None,
        parent: QWidget | None = None,
        *,
        interval_ms: int = 33,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("levelMeter")
        self.setAccessibleName("Input level")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._source = source
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last = time.monotonic()
        self.peak_db = -math.inf  # the bar, with ballistics
        self.rms_db = -math.inf
        self.hold_db = -math.inf
        self._hold_until = 0.0
        self.clipped = False
        self.overflows = 0

    def set_source(self, source: Callable[[], Levels | None] | None) -> None:
        self._source = source

    def start(self) -> None:
        self._last = time.monotonic()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def reset(self) -> None:
        self.peak_db = self.rms_db = self.hold_db = -math.inf
        self.clipped = False
        self.overflows = 0
        self.update()

    def poll(self) -> None:
        """Read the source once and redraw (the timer calls this)."""
        levels = self._source() if self._source is not None else None
        now = time.monotonic()
        fall = _FALL_DB_PER_S * (now - self._last)
        self._last = now
        peak = _db(levels.peak) if levels else -math.inf
        rms = _db(levels.rms) if levels else -math.inf
        self.peak_db = max(peak, self.peak_db - fall) if self.peak_db > FLOOR_DB else peak
        self.rms_db = max(rms, self.rms_db - fall) if self.rms_db > FLOOR_DB else rms
        if peak >= self.hold_db or now > self._hold_until:
            self.hold_db, self._hold_until = peak, now + _HOLD_S
        if levels is not None:
            self.clipped = self.clipped or levels.clipped
            self.overflows = levels.overflows
        self.setToolTip(
            f"Peak {self.hold_db:.1f} dBFS, RMS {self.rms_db:.1f} dBFS"
            + (" — clipped: turn the input gain down" if self.clipped else "")
            + (f" — {self.overflows} overflow(s)" if self.overflows else "")
        )
        self.update()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.poll()

    # -- drawing and input -------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(240, 18)

    def _clip_rect(self) -> QRectF:
        size = self.height() - 2.0
        return QRectF(self.width() - size - 1, 1, size, size)

    def _fraction(self, db: float) -> float:
        if db == -math.inf:
            return 0.0
        return max(0.0, min(1.0, (db - FLOOR_DB) / -FLOOR_DB))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._clip_rect().contains(event.position()):
            self.clipped = False
            self.update()
            self.clip_reset.emit()
            event.accept()
        else:
            super().mousePressEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        clip = self._clip_rect()
        bar = QRectF(0, 0, clip.left() - 4, self.height())
        painter.fillRect(bar, palette.color(QPalette.ColorRole.Base))
        rms_w = bar.width() * self._fraction(self.rms_db)
        peak_w = bar.width() * self._fraction(self.peak_db)
        hot = self.peak_db > -6
        text, mid = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Mid)
        peak_color = QColor(230, 160, 40) if hot else QColor(90, 180, 90)
        painter.fillRect(QRectF(0, 0, peak_w, bar.height()), peak_color)
        rms_bar = QRectF(0, bar.height() * 0.25, rms_w, bar.height() * 0.5)
        painter.fillRect(rms_bar, QColor(40, 120, 40))
        if self.hold_db > FLOOR_DB:
            x = bar.width() * self._fraction(self.hold_db)
            painter.fillRect(QRectF(x - 1, 0, 2, bar.height()), text)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(220, 30, 30) if self.clipped else mid)
        painter.drawEllipse(clip)
        painter.end()
