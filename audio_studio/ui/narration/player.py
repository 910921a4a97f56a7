"""The player bar for narration previews: a long, growing waveform that stays cheap to show.

A narration preview can run for many minutes. Two things of the shared PlayerBar cost the GUI
thread too much then: summarising the whole growing buffer for each redraw, and drawing every
column of the waveform for each playhead move (30 times a second). Here the summary is made
in a worker thread at most every ``REDRAW_S`` seconds (WaveformView draws each summary once
into a pixmap, so a playhead move only copies it).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import shiboken6
from PySide6.QtWidgets import QVBoxLayout

from audio_studio.core.audio.codec import AudioData
from audio_studio.core.audio.waveform import PeakSummary, summarize
from audio_studio.ui.widgets.player_bar import PlayerBar
from audio_studio.ui.widgets.waveform import WaveformView

REDRAW_S = 1.5


class StreamingPlayerBar(PlayerBar):
    """A PlayerBar with a cached waveform whose growing-stream summary is made off-thread."""

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        kwargs["show_waveform"] = False
        super().__init__(backend, **kwargs)
        self._summary_task: asyncio.Task[None] | None = None
        self._last_redraw = 0.0
        self.waveform = WaveformView()
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
