"""The Transcription tab's widgets as its flow and outputs fill them (the tab provides them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import (
        QComboBox,
        QGroupBox,
        QLabel,
        QListWidget,
        QPushButton,
        QTextBrowser,
    )

    from audio_studio.ui.transcription.options import SttOptions
    from audio_studio.ui.transcription.queue import TranscriptionQueue
    from audio_studio.ui.transcription.transcript_view import TranscriptView
    from audio_studio.ui.widgets.player_bar import PlayerBar

__all__ = ["TranscriptionScreen"]


class TranscriptionScreen(Protocol):
    """The tab's widgets the flow fills (the TranscriptionTab provides them)."""

    status: QLabel
    preflight: QLabel
    title: QLabel
    versions: QComboBox
    found: QListWidget
    summary_box: QGroupBox
    summary_text: QTextBrowser
    summarise_button: QPushButton
    view: TranscriptView
    queue: TranscriptionQueue
    options: SttOptions
    player: PlayerBar
    send_to_narration: SignalInstance

    def update_actions(self) -> None: ...
