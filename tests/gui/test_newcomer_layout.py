"""Small screens: every tab at 1024×640 and 800×600, with controls that neither overlap nor
lose their words, and the window never pushed wider than the screen."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QWidget,
)

from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.support.offline import JFK
from tests.support.qt import run
from tests.support.transcription import store_transcript

pytestmark = pytest.mark.slow

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QLabel)
SIZES = [(1024, 640), (800, 600)]
SHOTS = Path(os.environ.get("AUDIO_STUDIO_SHOTS", tempfile.gettempdir()))  # to look at them


def shown(tab: QWidget) -> list[QWidget]:
    return [
        w
        for w in tab.findChildren(QWidget)
        if isinstance(w, CONTROLS)
        and w.isVisible()
        and w.width() > 0
        and not isinstance(w.parentWidget(), (QComboBox, QLineEdit))  # their inner parts
        and type(w).__name__ not in ("QLineEditIconButton",)
    ]


def rect(w: QWidget) -> QRect:
    """The part of ``w`` one sees (a scroll area clips what is scrolled away), in the window."""
    seen = w.visibleRegion().boundingRect()
    return QRect(w.mapTo(w.window(), seen.topLeft()), seen.size())


def overlaps(widgets: list[QWidget]) -> list[str]:
    found = []
    for i, a in enumerate(widgets):
        ra = rect(a).adjusted(1, 1, -1, -1)
        if ra.isEmpty():
            continue  # scrolled out of sight: reached by scrolling
        for b in widgets[i + 1 :]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            rb = rect(b).adjusted(1, 1, -1, -1)
            if not rb.isEmpty() and ra.intersects(rb):  # an empty rect is scrolled away too
                found.append(f"{describe(a)} overlaps {describe(b)}")
    return found


def describe(w: QWidget) -> str:
    text = getattr(w, "text", lambda: "")()
    return f"{type(w).__name__}({w.objectName() or text[:30]!r})"


def cut_words(widgets: list[QWidget]) -> list[str]:
    """Buttons, check boxes and one-line labels whose text does not fit; wrapped labels whose
    lines do not fit their height."""
    cut = []
    for w in widgets:
        if isinstance(w, QAbstractButton) and w.text():
            need = w.sizeHint().width()
            if w.width() + 2 < need:
                cut.append(f"{describe(w)} is {w.width()} px wide, needs {need}")
        elif isinstance(w, QLabel) and w.text():
            if w.wordWrap():
                need = w.heightForWidth(w.width())
                if need > 0 and w.height() + 2 < need:
                    cut.append(f"{describe(w)} is {w.height()} px high, needs {need}")
            elif w.width() + 2 < w.minimumSizeHint().width():
                cut.append(f"{describe(w)} is {w.width()} px wide")
    return cut


def scrolled(window: MainWindow, index: int) -> tuple[bool, bool]:
    area = window.tabs.widget(index).findChild(QScrollArea, "tabScroll")
    assert area is not None
    return (
        area.horizontalScrollBar().maximum() > 0,
        area.verticalScrollBar().maximum() > 0,
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_tab_fits_small_screens(
    qtbot, qloop, narration_gui_studio: Studio, size, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    studio = narration_gui_studio
    run(qloop, studio.delete_api_key("openai"))
    window = MainWindow(studio, JobController(studio.runner))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    # Content a newcomer has after a few minutes: a script, a voice needing a key, a transcript.
    narration = window.narration
    run(qloop, narration.voice_panel.choose_provider("openai"))
    narration.set_script("The harbour tour starts at nine. " * 12, title="Harbour tour")
    run(qloop, narration.sync_script())
    run(qloop, narration.refresh_preflight())
    window.tabs.setCurrentIndex(1)
    item = run(qloop, store_transcript(studio, JFK, _spoken()))
    run(qloop, window.transcription.open_item(item))
    problems: list[str] = []
    for index in range(4):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(150)
        name = window.tabs.tabText(index)
        assert window.width() == size[0], f"{name} pushed the window to {window.width()} px"
        tab = window.tab(index)
        widgets = shown(tab)
        problems += [f"{name}: {p}" for p in overlaps(widgets) + cut_words(widgets)]
        if size == (1024, 640):
            wide, tall = scrolled(window, index)
            assert not wide, f"{name} needs sideways scrolling at 1024×640"
            assert not tall, f"{name} needs scrolling down at 1024×640"
        window.grab().save(str(SHOTS / f"tab{index}-{size[0]}x{size[1]}.png"))
        assert len(widgets) > 10
    assert not problems, "\n".join(problems)
    # The inline transcript editor is a box of several lines, not a one-line spin-box look.
    window.tabs.setCurrentIndex(1)
    view = window.transcription.view
    at = view.list.visualRect(view.model.index(0)).center()
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=at)
    editor = view.list.findChild(QPlainTextEdit, "segmentEditor")
    assert editor is not None and editor.isVisible()
    assert editor.height() >= 3 * editor.fontMetrics().lineSpacing()
    assert not editor.verticalScrollBar().isVisible()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    # The red API-key hint under Voice is shown whole.
    hint = narration.voice_panel.status
    window.tabs.setCurrentIndex(0)
    qtbot.wait(50)
    assert "API key" in hint.text() and hint.height() >= hint.heightForWidth(hint.width())


def _spoken():  # type: ignore[no-untyped-def]
    from audio_studio.core.models import Segment, Transcript

    return Transcript(
        segments=(
            Segment("And so my fellow Americans,", 0.0, 2.4, "A"),
            Segment("ask not what your country can do for you,", 2.4, 6.0, "B"),
        ),
        language="en",
        duration_s=11.0,
        provider="openai",
        model="whisper-1",
    )


def test_a_long_player_message_never_pushes_the_waveform_over_the_buttons(  # type: ignore[no-untyped-def]
    qtbot, qloop, narration_gui_studio: Studio
) -> None:
    window = MainWindow(narration_gui_studio, JobController(narration_gui_studio.runner))
    qtbot.addWidget(window)
    window.resize(1024, 640)
    window.show()
    qtbot.waitExposed(window)
    bar = window.narration.player_bar
    bar.message.setText("No preview: no audio devices were found. " * 4)
    bar.message.setVisible(True)
    qtbot.wait(100)
    assert bar.waveform is not None
    wave = rect(bar.waveform)
    buttons = [b for b in bar.findChildren(QAbstractButton) if b.isVisible()]
    assert buttons and all(not wave.intersects(rect(b)) for b in buttons), wave
    assert bar.message.height() >= bar.message.heightForWidth(bar.message.width())
