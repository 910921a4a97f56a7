"""Known voices: the speakers the user named, with a sample each, and Forget.

``VoiceMemory`` joins the transcript view to the studio's voice memory: renaming a detected
speaker in the tab also remembers the voice (core/transcription/naming.py), and the view's
Speakers menu gains "Known voices…", which opens ``VoicesDialog``.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.errors import StudioError
from audio_studio.core.models import Transcript
from audio_studio.core.transcription.voices import KnownVoice
from audio_studio.ui.tasks import spawn
from audio_studio.ui.widgets.player_bar import PlayerBar


class TranscriptionTab(Protocol):
    """What the voices page uses of the Transcription tab (the tab builds it: no import back)."""

    ctx: Any
    flow: Any
    view: Any
    status: Any

    def window(self) -> QWidget: ...


__all__ = ["VoiceMemory", "VoicesDialog"]


class VoicesDialog(QDialog):
    """The voices the user named: how many prints each has, a sample to play, Forget."""

    def __init__(self, tab: TranscriptionTab, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voicesDialog")
        self.setWindowTitle("Known voices")
        self.resize(520, 420)
        self._service = tab.flow.transcription
        self._voices: list[KnownVoice] = []
        intro = QLabel(
            "Speakers you renamed are recognised in later recordings by their voice. "
            "Voice prints stay on this computer."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("voicesList")
        self.empty = QLabel("No named voices yet: rename a detected speaker to add one.")
        self.player = PlayerBar.for_context(tab.ctx, show_waveform=False)
        self.play_button = QPushButton("Play sample")
        self.forget_button = QPushButton("Forget…")
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.forget_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.list, self.empty):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.player)
        layout.addWidget(close)
        self.list.currentRowChanged.connect(self._on_list_current_row_changed)
        self.play_button.clicked.connect(self._on_play_button_clicked)
        self.forget_button.clicked.connect(self._on_forget_button_clicked)
        self._on_list_current_row_changed(-1)
        spawn(self.reload(), owner=self)

    async def reload(self) -> None:
        self._voices = await self._service.known_voices()
        self.list.clear()
        for v in self._voices:
            nots = f", {v.not_prints} correction(s)" if v.not_prints else ""
            item = QListWidgetItem(f"{v.name}  ·  {v.prints} voice print(s){nots}")
            item.setData(Qt.ItemDataRole.UserRole, v.name)
            self.list.addItem(item)
        self.empty.setVisible(not self._voices)
        if self._voices:
            self.list.setCurrentRow(0)

    def _current(self) -> KnownVoice | None:
        row = self.list.currentRow()
        return self._voices[row] if 0 <= row < len(self._voices) else None

    @Slot(int)
    def _on_list_current_row_changed(self, _row: int) -> None:
        voice = self._current()
        self.forget_button.setEnabled(voice is not None)
        self.play_button.setEnabled(voice is not None and voice.sample is not None)

    @Slot()
    def _on_play_button_clicked(self) -> None:
        voice = self._current()
        if voice is not None and voice.sample is not None:
            spawn(self._play(voice), owner=self)

    async def _play(self, voice: KnownVoice) -> None:
        assert voice.sample is not None
        try:
            await self.player.load_file(voice.sample)
        except StudioError:
            return  # the bar shows why
        self.player.player.play()

    @Slot()
    def _on_forget_button_clicked(self) -> None:
        voice = self._current()
        if voice is None:
            return
        answer = QMessageBox.question(
            self,
            "Forget voice",
            f"Forget {voice.name}? Its voice prints are deleted; later recordings will no "
            "longer be labelled with this name.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            spawn(self._forget(voice.name), owner=self)

    async def _forget(self, name: str) -> None:
        await self._service.forget_voice(name)
        await self.reload()


class VoiceMemory(QObject):
    """Renames in the tab's transcript view are remembered as voices; opens VoicesDialog."""

    def __init__(self, tab: TranscriptionTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.dialog: VoicesDialog | None = None
        tab.view.speaker_renamed.connect(self._on_view_speaker_renamed)
        # Connected after the view's own handler, which clears the menu first.
        tab.view.speakers_menu.aboutToShow.connect(self._on_speakers_menu_about_to_show)

    @Slot(object, str, str)
    def _on_view_speaker_renamed(self, before: Transcript, old: str, new: str) -> None:
        item = self.tab.flow.item
        if item is not None:
            spawn(self._remember(item, before, old, new), owner=self)

    async def _remember(self, item: object, before: Transcript, old: str, new: str) -> None:
        try:
            kept = await self.tab.flow.transcription.remember_speaker(item, before, old, new)  # type: ignore[arg-type]
        except StudioError as exc:
            self.tab.status.setText(exc.message)
            return
        if kept:
            self.tab.status.setText(f"{new}'s voice is remembered for later recordings.")

    @Slot()
    def _on_speakers_menu_about_to_show(self) -> None:
        menu = self.tab.view.speakers_menu
        menu.addSeparator()
        menu.addAction("Known voices…").triggered.connect(self.open_voices)

    @Slot()
    def open_voices(self) -> None:
        self.dialog = VoicesDialog(self.tab, self.tab)
        self.dialog.open()
