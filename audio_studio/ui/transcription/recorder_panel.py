"""Record a voice note: Record/Stop, Pause/Resume, the input level and the length so far.

The take is the audio engine's crash-safe one (RecordingService): it is spooled to disk while
it is recorded and becomes a RECORDING row in History when it stops, before anything is done
with it, so a transcription that fails later never costs the recording.

Signals:
    recorded(object): the RECORDING HistoryItem of a finished take.
    failed(object): a StudioError (no microphone, the device went away...), also shown inline.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from audio_studio.core.audio.levels import Levels, RecorderState
from audio_studio.core.context import StudioContext
from audio_studio.core.errors import StudioError
from audio_studio.core.recordings import RecordingRequest, RecordingService, RecordingSession
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui import messages
from audio_studio.ui.tasks import asyncSlot
from audio_studio.ui.transcription.live_text import LiveCaption
from audio_studio.ui.widgets.level_meter import LevelMeter
from audio_studio.ui.widgets.player_bar import clock

log = logging.getLogger(__name__)


class RecorderPanel(QWidget):
    recorded = Signal(object)
    failed = Signal(object)

    def __init__(
        self, ctx: StudioContext, recordings: RecordingService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.recordings = recordings
        self.session: RecordingSession | None = None
        self._busy = False
        self.record_button = QPushButton("● Record")
        self.record_button.setObjectName("recordButton")
        self.record_button.setToolTip("Record from the microphone chosen in Settings → Audio")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setToolTip("Pause the recording; press again to go on")
        self.pause_button.setEnabled(False)
        self.meter = LevelMeter()
        self.elapsed = QLabel("")
        self.elapsed.setObjectName("recordElapsed")
        self.elapsed.setMinimumWidth(60)
        self.elapsed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.live = LiveCaption(ctx)  # words under the meter while recording (live_text.py)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.record_button)
        row.addWidget(self.pause_button)
        row.addStretch(1)
        row.addWidget(self.elapsed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.meter)
        layout.addWidget(self.live)
        layout.addWidget(self.message)
        self._tick = QTimer(self)
        self._tick.setInterval(200)
        self._tick.timeout.connect(self._on_tick_timeout)
        self.record_button.clicked.connect(self._on_record_button_clicked)
        self.pause_button.clicked.connect(self._on_pause_button_clicked)

    @property
    def recording(self) -> bool:
        return self.session is not None

    # -- actions -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the microphone and start a take (errors are shown and emitted)."""
        if self.session is not None or self._busy:
            return
        self._busy = True
        self.record_button.setEnabled(False)
        self.message.hide()
        try:
            self.session = await self.recordings.start(RecordingRequest())
        except StudioError as exc:
            self._show_error(exc)
            return
        finally:
            self._busy = False
            self.record_button.setEnabled(True)
        session = self.session
        self.meter.reset()
        self.meter.set_source(session.levels)
        self.meter.start()
        self._tick.start()
        self.record_button.setText("■ Stop")
        self.pause_button.setEnabled(True)
        self.pause_button.setText("Pause")
        log.info("recording #%d started", session.item_id)
        await self.live.start(session)

    async def stop(self) -> HistoryItem | None:
        """Stop the take; it is stored in History and ``recorded`` is emitted."""
        session = self.session
        if session is None or self._busy:
            return None
        self._busy = True
        self.record_button.setEnabled(False)
        self.pause_button.setEnabled(False)
        await self.live.finish()
        try:
            item = await self.recordings.finish(session)
        except StudioError as exc:
            self._show_error(exc)
            return None
        finally:
            self.session = None
            self._busy = False
            self._tick.stop()
            self.meter.stop()
            self.meter.set_source(None)
            self.record_button.setEnabled(True)
            self.record_button.setText("● Record")
            self.pause_button.setText("Pause")
        if session.error is not None:
            self._show_error(session.error)  # the device went away; what was recorded is kept
        self.recorded.emit(item)
        return item

    def toggle_pause(self) -> None:
        session = self.session
        if session is None:
            return
        if session.levels().state is RecorderState.PAUSED:
            session.resume()
            self.pause_button.setText("Pause")
        else:
            session.pause()
            self.pause_button.setText("Resume")

    # -- slots -------------------------------------------------------------------------------

    @asyncSlot()
    async def _on_record_button_clicked(self) -> None:
        await (self.stop() if self.session is not None else self.start())

    @Slot()
    def _on_pause_button_clicked(self) -> None:
        self.toggle_pause()

    @Slot()
    def _on_tick_timeout(self) -> None:
        session = self.session
        if session is None:
            return
        levels: Levels = session.levels()
        paused = " (paused)" if levels.state is RecorderState.PAUSED else ""
        self.elapsed.setText(f"{clock(levels.seconds)}{paused}")
        if session.error is not None and not self.message.isVisible():
            self._show_error(session.error)

    def _show_error(self, error: StudioError) -> None:
        self.message.setText(messages.status_text(error))
        self.message.show()
        self.failed.emit(error)
