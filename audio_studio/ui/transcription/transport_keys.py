"""Transcriber's keys that work anywhere in the tab, while typing in a line too.

Ctrl+Space plays or pauses (a resume starts ``REWIND_S`` earlier, so the last words are
heard again, as in oTranscribe and Express Scribe); Alt+Left and Alt+Right skip 5 s;
Alt+Down and Alt+Up change the speed; Alt+S splits and Alt+M merges lines.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from audio_studio.core.audio.player import PlayerState
from audio_studio.ui.tasks import spawn
from audio_studio.ui.transcription.corrections import CorrectionBar
from audio_studio.ui.widgets.player_bar import PlayerBar

REWIND_S = 1.5
SKIP_S = 5.0
SPEED_STEP = 0.1

KEYS = {
    "play": "Ctrl+Space",
    "back": "Alt+Left",
    "forward": "Alt+Right",
    "slower": "Alt+Down",
    "faster": "Alt+Up",
    "split": "Alt+S",
    "merge": "Alt+M",
}


class TransportKeys(QObject):
    """Shortcuts on ``owner`` (with its children) driving ``player`` and ``tools``."""

    def __init__(self, owner: QWidget, player: PlayerBar, tools: CorrectionBar) -> None:
        super().__init__(owner)
        self.player = player
        self.tools = tools
        actions: dict[str, Callable[[], object]] = {
            "play": self.play_pause,
            "back": lambda: self.skip(-SKIP_S),
            "forward": lambda: self.skip(SKIP_S),
            "slower": lambda: tools.step_speed(-SPEED_STEP),
            "faster": lambda: tools.step_speed(SPEED_STEP),
            "split": tools.split,
            "merge": tools.merge,
        }
        self.shortcuts: dict[str, QShortcut] = {}
        for name, keys in KEYS.items():
            shortcut = QShortcut(QKeySequence(keys), owner)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(actions[name])
            self.shortcuts[name] = shortcut

    def play_pause(self) -> None:
        """Pause, or play; a resume goes back ``REWIND_S`` first."""
        player = self.player.player
        if player.buffer is None:
            return
        if player.state is PlayerState.PAUSED:
            self.player.seek(max(0.0, player.position - REWIND_S))
        spawn(self.player.toggle(), owner=self.player)

    def skip(self, seconds: float) -> None:
        player = self.player.player
        if player.buffer is None:
            return
        self.player.seek(min(max(0.0, player.position + seconds), player.duration))
