"""Two transcripts of one recording side by side, both following playback (read-only).

Signals:
    seek_requested(float): a line was clicked in either transcript.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.errors import StudioError
from audio_studio.core.store.history import HistoryItem
from audio_studio.core.transcription import TranscriptionService
from audio_studio.ui import messages
from audio_studio.ui.tasks import asyncSlot
from audio_studio.ui.transcription.transcript_view import TranscriptView


def label(item: HistoryItem) -> str:
    edited = ", corrected" if item.params.get("edits") else ""
    return f"{item.provider or '?'} {item.model or ''}{edited} (#{item.id})"


class TranscriptCompare(QDialog):
    seek_requested = Signal(float)

    def __init__(
        self,
        transcription: TranscriptionService,
        versions: list[HistoryItem],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare transcripts")
        self.setObjectName("transcriptCompare")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1100, 650)
        self.transcription = transcription
        self.versions = versions
        self.pickers: list[QComboBox] = []
        self.views: list[TranscriptView] = []
        self.message = QLabel("")
        self.message.setWordWrap(True)
        columns = QHBoxLayout()
        for side in range(2):
            picker = QComboBox()
            for item in versions:
                picker.addItem(label(item))
            picker.setCurrentIndex(min(side, len(versions) - 1))
            view = TranscriptView()
            view.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.speakers_button.hide()
            view.seek_requested.connect(self.seek_requested)
            picker.activated.connect(lambda index, s=side: self._on_picker_activated(s, index))
            column = QVBoxLayout()
            column.addWidget(picker)
            column.addWidget(view, 1)
            columns.addLayout(column, 1)
            self.pickers.append(picker)
            self.views.append(view)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)

    async def load(self) -> None:
        for side, picker in enumerate(self.pickers):
            await self.show_version(side, picker.currentIndex())

    async def show_version(self, side: int, index: int) -> None:
        if not 0 <= index < len(self.versions):
            return
        try:
            transcript = await self.transcription.load(self.versions[index])
        except StudioError as exc:
            self.message.setText(messages.status_text(exc))
            return
        self.views[side].set_transcript(transcript)

    @Slot(float)
    def set_position(self, seconds: float) -> None:
        for view in self.views:
            view.set_position(seconds)

    @asyncSlot()
    async def _on_picker_activated(self, side: int, index: int) -> None:
        await self.show_version(side, index)
