"""The main actions' keys, the same in every tab, shown in the Actions menu and in tooltips.

Open Ctrl+O, generate or transcribe Ctrl+Enter, stop Esc, export Ctrl+E, record Ctrl+R, find
Ctrl+F, and play/pause Space where no text has focus. A tab's actions are QActions on the tab
(so a key works only while the tab is shown); the window lists the current tab's in its
Actions menu. A key presses the action's button, so it does nothing while the button is off.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QWidget

KEYS: dict[str, tuple[str, ...]] = {
    "open": ("Ctrl+O",),
    "run": ("Ctrl+Return", "Ctrl+Enter"),
    "stop": ("Esc",),
    "export": ("Ctrl+E",),
    "record": ("Ctrl+R",),
    "find": ("Ctrl+F",),
    "play": ("Space",),
}


def key_text(name: str) -> str:
    """How the key of ``name`` reads on this platform, e.g. "Ctrl+Return"."""
    return QKeySequence(KEYS[name][0]).toString(QKeySequence.SequenceFormat.NativeText)


def with_key(tip: str, name: str) -> str:
    """A tooltip that names its key: "Make the audio (Ctrl+Return)"."""
    return f"{tip} ({key_text(name)})"


class TabActions(QObject):
    """The main actions of one tab (``owner``), each bound to its key and, usually, a button.

    Space is not a shortcut (it would take Space from buttons and lists): the tab passes key
    presses nobody took to ``space_pressed``; its menu entry only shows the key.
    """

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.owner = owner
        self.actions: list[QAction] = []
        self._play: Callable[[], object] | None = None
        owner.installEventFilter(self)

    def add(
        self,
        name: str,
        text: str,
        target: QAbstractButton | Callable[[], object],
        tip: str = "",
    ) -> QAction:
        """An action for key ``name``; ``target`` is the button it presses (its tooltip then
        names the key) or what it calls."""
        action = QAction(text, self.owner)
        keys = [QKeySequence(k) for k in KEYS[name]]
        if isinstance(target, QAbstractButton):
            button = target
            action.triggered.connect(lambda _=False: button.click())
            button.setToolTip(with_key(tip or button.toolTip() or text, name))
        else:
            call = target
            action.triggered.connect(lambda _=False: call())
        if name == "play":
            self._play = action.trigger
            action.setShortcut(keys[0])
            # Shown in the menu; the key itself reaches the tab only when nothing else took it.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        else:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.owner.addAction(action)
        self.actions.append(action)
        return action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.owner
            and self._play is not None
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Space
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            self._play()
            return True
        return False
