"""The player bar: play/pause, stop, position, volume and loop over one core Player.

Reusable by every tab that plays audio (Narration, Transcription, Sound, History): give it the
studio's audio backend, then ``await load_file(path)``, ``await load_audio(audio)`` or
``show_stream(buffer)`` for audio that is still arriving (``player.open_stream``).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.audio.codec import AudioData, decode
from audio_studio.core.audio.player import PlaybackBuffer, Player, PlayerState
from audio_studio.core.audio.waveform import summarize, summary_for
from audio_studio.core.errors import StudioError
from audio_studio.ui import messages
from audio_studio.ui.tasks import asyncSlot, spawn
from audio_studio.ui.widgets.waveform import WaveformView

if TYPE_CHECKING:
    from audio_studio.core.audio.backend import AudioBackend
    from audio_studio.core.context import StudioContext

log = logging.getLogger(__name__)


def clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{secs:04.1f}"


class PlayerBar(QWidget):
    """Transport controls for a Player, polled on a QTimer (~30 Hz) as the house rule says.

    Signals:
        state_changed(str): "playing", "paused" or "stopped".
        position_changed(float): seconds, while playing or after a seek.
        error(object): a StudioError (no output device, device lost); also shown inline.
    """

    state_changed = Signal(str)
    position_changed = Signal(float)
    error = Signal(object)

    def __init__(
        self,
        backend: AudioBackend,
        *,
        device: str | None = None,
        cache_dir: Path | None = None,
        show_waveform: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("playerBar")
        self.player = Player(backend, device=device)
        self._cache_dir = cache_dir
        self._last_state = PlayerState.STOPPED
        self._shows_pause = False  # the play button shows Play until playback starts
        self._last_frames = 0
        self._streaming = False
        self.waveform = WaveformView() if show_waveform else None
        style = self.style()
        self.play_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "")
        self.play_button.setToolTip("Play / pause")
        self.play_button.setAccessibleName("Play")
        self.stop_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "")
        self.stop_button.setToolTip("Stop and go back to the start")
        self.stop_button.setAccessibleName("Stop")
        self.loop_button = QPushButton("Loop")
        self.loop_button.setCheckable(True)
        self.loop_button.setToolTip("Loop the selection (drag on the waveform), or everything")
        self.position_label = QLabel("0:00.0 / 0:00.0")
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(100)
        self.volume.setMaximumWidth(110)
        self.volume.setAccessibleName("Volume")
        self.volume.setToolTip("Volume")
        self.message = _Message()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.play_button.clicked.connect(self._on_play_button_clicked)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        self.loop_button.toggled.connect(self._on_loop_button_toggled)
        self.volume.valueChanged.connect(self._on_volume_value_changed)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        for widget in (self.play_button, self.stop_button, self.loop_button):
            controls.addWidget(widget)
        controls.addWidget(self.position_label, 1)
        controls.addWidget(QLabel("Vol"))
        controls.addWidget(self.volume)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if self.waveform is not None:
            self.waveform.seek_requested.connect(self._on_waveform_seek_requested)
            self.waveform.region_selected.connect(self._on_waveform_region_selected)
            self.waveform.region_cleared.connect(self._on_waveform_region_cleared)
            layout.addWidget(self.waveform, 1)
        layout.addLayout(controls)
        layout.addWidget(self.message)
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        self._set_enabled(False)

    @classmethod
    def for_context(cls, ctx: StudioContext, **kwargs: object) -> PlayerBar:
        """A bar on the studio's backend, its output device and its waveform cache."""
        return cls(
            ctx.audio_backend,
            device=ctx.settings.output_device,
            cache_dir=ctx.paths.cache_dir,
            **kwargs,  # type: ignore[arg-type]
        )

    # -- loading -----------------------------------------------------------------------------

    async def load_file(self, path: Path) -> None:
        """Decode and show ``path`` (off the GUI thread).

        Raises:
            UnsupportedFormatError: not audio the studio reads (also shown inline).
        """
        try:
            audio = await asyncio.to_thread(decode, path)
            summary = None
            if self.waveform is not None:
                cache = self._cache_dir
                summary = await asyncio.to_thread(
                    (lambda: summary_for(path, cache)) if cache else (lambda: summarize(audio))
                )
        except StudioError as exc:
            self._show_error(exc)
            raise
        await self._load(audio, summary)

    async def load_audio(self, audio: AudioData) -> None:
        summary = await asyncio.to_thread(summarize, audio) if self.waveform else None
        await self._load(audio, summary)

    async def _load(self, audio: AudioData, summary: object) -> None:
        await asyncio.to_thread(self.player.load, audio)
        self._streaming = False
        if self.waveform is not None:
            self.waveform.set_summary(summary)  # type: ignore[arg-type]
            self.waveform.set_region(None, None)
        self._after_load()

    def show_stream(self, buffer: PlaybackBuffer) -> None:
        """Show a buffer that ``player.open_stream`` returned; the waveform grows with it."""
        self._streaming, self._last_frames = True, 0
        if self.waveform is not None:
            self.waveform.set_summary(None)
        self._after_load()

    def _after_load(self) -> None:
        self.message.setVisible(False)
        self._set_enabled(True)
        self._refresh()

    # -- actions -----------------------------------------------------------------------------

    async def toggle(self) -> None:
        """Play or pause; opening the device happens off the GUI thread."""
        try:
            await asyncio.to_thread(self.player.toggle)
        except StudioError as exc:
            self._show_error(exc)
        self._refresh()

    async def stop(self) -> None:
        await asyncio.to_thread(self.player.stop)
        self._refresh()

    def seek(self, seconds: float) -> None:
        self.player.seek(seconds)
        self._refresh()
        self.position_changed.emit(self.player.position)

    def seek_and_explain(self, seconds: float) -> None:
        """Seek for a user who clicked somewhere to hear it: with no output device, say so
        (the playhead alone moving would look like a fault)."""
        self.seek(seconds)
        spawn(self._explain_if_silent(seconds), owner=self)

    async def _explain_if_silent(self, seconds: float) -> None:
        player = self.player
        try:
            await asyncio.to_thread(player.backend.devices().find, player.device_name, "output")
        except StudioError as exc:
            self.message.setText(
                f"{messages.status_text(exc)} The playhead moved to {clock(seconds)}; "
                "nothing can be heard until a sound output is available."
            )
            self.message.setVisible(True)

    def close_player(self) -> None:
        """Release the device (call when the owner goes away)."""
        self._timer.stop()
        self.player.close()

    # -- slots -------------------------------------------------------------------------------

    @asyncSlot()
    async def _on_play_button_clicked(self) -> None:
        await self.toggle()

    @asyncSlot()
    async def _on_stop_button_clicked(self) -> None:
        await self.stop()

    @Slot(bool)
    def _on_loop_button_toggled(self, on: bool) -> None:
        self.player.looping = on

    @Slot(int)
    def _on_volume_value_changed(self, value: int) -> None:
        self.player.volume = value / 100

    @Slot(float)
    def _on_waveform_seek_requested(self, seconds: float) -> None:
        self.seek(seconds)

    @Slot(float, float)
    def _on_waveform_region_selected(self, start: float, end: float) -> None:
        self.player.set_loop(start, end)
        self.seek(start)

    @Slot()
    def _on_waveform_region_cleared(self) -> None:
        self.player.set_loop(None, None)

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._refresh()

    # -- state -------------------------------------------------------------------------------

    def _refresh(self) -> None:
        player = self.player
        state = player.state
        position = player.position
        waiting = " (waiting for audio…)" if player.waiting else ""
        self.position_label.setText(f"{clock(position)} / {clock(player.duration)}{waiting}")
        playing = state is PlayerState.PLAYING
        if playing is not self._shows_pause:  # ~30 Hz: a new icon each time costs the style
            self._shows_pause = playing
            icon = (
                QStyle.StandardPixmap.SP_MediaPause
                if playing
                else QStyle.StandardPixmap.SP_MediaPlay
            )
            self.play_button.setIcon(self.style().standardIcon(icon))
            self.play_button.setAccessibleName("Pause" if playing else "Play")
        if self.waveform is not None:
            self._grow_waveform()
            self.waveform.set_position(position)
        if state is not self._last_state:
            self._last_state = state
            self.state_changed.emit(state.value)
            if player.error is not None:
                self._show_error(player.error)
        if state is PlayerState.PLAYING:
            self.position_changed.emit(position)

    def _grow_waveform(self) -> None:
        buffer = self.player.buffer
        if buffer is None or not self._streaming or self.waveform is None:
            return
        # A stream still arriving: redraw when it grew by a tenth or a second (cheap for speech).
        grown = buffer.frames - self._last_frames
        if buffer.ended or grown > max(self._last_frames * 0.1, buffer.sample_rate):
            data, frames = buffer.view()
            self.waveform.set_summary(summarize(AudioData(data[:frames], buffer.sample_rate)))
            self._last_frames = frames
            self._streaming = not buffer.ended

    def _set_enabled(self, on: bool) -> None:
        for widget in (self.play_button, self.stop_button, self.loop_button):
            widget.setEnabled(on)

    def _show_error(self, error: BaseException) -> None:
        self.message.setText(messages.status_text(error))
        self.message.setVisible(True)
        log.info("player: %s", error)
        self.error.emit(error)


class _Message(QLabel):
    """A wrapped line under the controls that keeps the height its words need: splitters and
    scroll areas ask for a minimum without the wrapping, and then squeezed the bar so the
    waveform covered the buttons."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        need = self.heightForWidth(self.width()) if self.text() else 0
        if need != self.minimumHeight():
            self.setMinimumHeight(max(need, 0))
