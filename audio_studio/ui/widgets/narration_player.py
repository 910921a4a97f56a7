"""The player bar for narration previews: a long, growing waveform that stays cheap to show.

A narration preview can run for many minutes. Two things of the shared PlayerBar cost the GUI
thread too much then: summarising the whole growing buffer for each redraw, and drawing every
column of the waveform for each playhead move (30 times a second). Here the summary is made
in a worker thread at most every ``REDRAW_S`` seconds, and the waveform is drawn once into a
pixmap; a playhead move only copies the pixmap and draws a line.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QVBoxLayout, QWidget

from audio_studio.core.audio.codec import AudioData
from audio_studio.core.audio.waveform import PeakSummary, summarize
from audio_studio.ui.widgets.player_bar import PlayerBar
from audio_studio.ui.widgets.waveform import WaveformView

REDRAW_S = 1.5


class CachedWaveformView(WaveformView):
    """A WaveformView that draws its peaks once per summary and size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._pixmap_key: tuple[int, int, int, float] | None = None

    def paintEvent(self, _event: QPaintEvent) -> None:
        width, height = self.width(), self.height()
        ratio = self.devicePixelRatioF()
        key = (id(self._summary), width, height, ratio)
        if self._pixmap is None or key != self._pixmap_key:
            self._pixmap, self._pixmap_key = self._render(width, height, ratio), key
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
            painter.setPen(QPen(peak_color, 1))
            painter.drawLines(
                [
                    QLineF(x + 0.5, float(a), x + 0.5, float(b))
                    for x, (a, b) in enumerate(zip(top, bottom, strict=True))
                ]
            )
            painter.setPen(QPen(QColor(peak_color).lighter(140), 1))
            level = peaks.rms * scale
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


class StreamingPlayerBar(PlayerBar):
    """A PlayerBar with a cached waveform whose growing-stream summary is made off-thread."""

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        kwargs["show_waveform"] = False
        super().__init__(backend, **kwargs)
        self._summary_task: asyncio.Task[None] | None = None
        self._last_redraw = 0.0
        self.waveform = CachedWaveformView()
        self.waveform.seek_requested.connect(self._on_waveform_seek_requested)
        self.waveform.region_selected.connect(self._on_waveform_region_selected)
        self.waveform.region_cleared.connect(self._on_waveform_region_cleared)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.waveform, 1)

    def _grow_waveform(self) -> None:  # PlayerBar calls it from its ~30 Hz timer
        buffer = self.player.buffer
        if buffer is None or not self._streaming or self.waveform is None or not self.isVisible():
            return
        if self._summary_task is not None and not self._summary_task.done():
            return
        grown = buffer.frames - self._last_frames
        due = time.monotonic() - self._last_redraw >= REDRAW_S
        if not (buffer.ended or (due and grown > max(self._last_frames * 0.1, buffer.sample_rate))):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        data, frames = buffer.view()  # the array stays valid: growth publishes a new one
        self._last_frames, self._last_redraw = frames, time.monotonic()
        self._streaming = not buffer.ended
        self._summary_task = loop.create_task(
            self._summarize(AudioData(data[:frames], buffer.sample_rate))
        )

    async def _summarize(self, audio: AudioData) -> None:
        summary: PeakSummary = await asyncio.to_thread(summarize, audio)
        if self.waveform is not None and shiboken6.isValid(self.waveform):
            self.waveform.set_summary(summary)
