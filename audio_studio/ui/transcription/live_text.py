"""Live text under the recorder's level meter: the Live checkbox and the words as they come.

``LiveCaption`` starts core/transcription/live.py's LiveText on the take's spool when a
recording starts with Live on, shows committed words (and the tentative tail in grey), and
stops it when the recording stops; the full transcription of the take replaces it later
(``clear``). All work happens in the engine worker and off the GUI thread.
"""

from __future__ import annotations

import asyncio
import html
import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import StudioError
from audio_studio.core.recordings import RecordingSession
from audio_studio.core.transcription.live import LiveText
from audio_studio.core.transcription.service import TranscriptionService
from audio_studio.ui.tasks import spawn

__all__ = ["LiveCaption"]

log = logging.getLogger(__name__)


class LiveCaption(QWidget):
    """The Live checkbox and the live words of the take being recorded."""

    def __init__(self, ctx: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcription = TranscriptionService(ctx)
        self.toggle = QCheckBox("Live text")
        self.toggle.setObjectName("liveCheckbox")
        self.toggle.setToolTip(
            "Show the words while you speak (offline engine). The full transcription of the "
            "take replaces them when it is ready."
        )
        self.words = QLabel("")
        self.words.setObjectName("liveWords")
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.RichText)
        self.words.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.words)
        self.live: LiveText | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def text(self) -> str:
        return self.live.text if self.live is not None else ""

    async def start(self, session: RecordingSession) -> None:
        """Begin live text for ``session`` if Live is on (a missing model is said inline)."""
        if not self.toggle.isChecked():
            return
        recorder = session.recorder
        try:
            self.live = await self.transcription.live_text(
                recorder.path, recorder.sample_rate, recorder.channels, self._show
            )
        except StudioError as exc:
            self.words.setText(html.escape(f"No live text: {exc.message}"))
            self.words.show()
            return
        self.words.setText("<i>Listening…</i>")
        self.words.show()
        self._stop = asyncio.Event()
        self._task = spawn(self.live.run(self._stop), owner=self)

    async def finish(self) -> None:
        """The recording is stopping: commit the last words (read before the take is filed)."""
        if self._stop is None or self._task is None:
            return
        self._stop.set()
        try:
            await self._task
        except StudioError as exc:  # the engine failed: live text is a nicety, the take is safe
            log.warning("live text stopped: %s", exc.message)
        self._stop = self._task = None

    def clear(self) -> None:
        """The full transcription is shown: the live words give way."""
        if self._task is None:
            self.words.hide()
            self.words.setText("")

    def _show(self, committed: str, tentative: str) -> None:
        tail = f' <span style="color: gray">{html.escape(tentative)}</span>' if tentative else ""
        self.words.setText(html.escape(committed) + tail or "<i>Listening…</i>")
