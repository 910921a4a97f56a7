"""Known voices in the Transcription tab: renaming a detected speaker remembers the voice; the
Known voices page plays a sample and forgets."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from audio_studio.core.models import Segment, Transcript
from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from audio_studio.ui.transcription.speakers_page import VoicesDialog
from tests.support.offline import JFK
from tests.support.qt import run
from tests.support.transcription import store_transcript

DETECTED = Transcript(
    (
        Segment("And so my fellow Americans,", 0.3, 3.0, "Speaker 1"),
        Segment("ask not what your country can do for you,", 3.2, 6.4, "Speaker 2"),
        Segment("ask what you can do for your country.", 6.5, 10.5, "Speaker 1"),
    ),
    language="en",
    duration_s=11.0,
    provider="local",
    model="tiny.en",
)


def test_a_rename_is_remembered_and_the_voice_can_be_forgotten(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio = transcription_gui_studio
    window = MainWindow(studio, JobController(studio.runner))
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(1)
    tab = window.transcription
    item = run(qloop, store_transcript(studio, JFK, DETECTED, provider="local"))
    unit = np.ones(256, np.float32) / 16.0
    prints = {"Speaker 1": unit.tolist(), "Speaker 2": np.roll(unit * 0, 1).tolist()}
    studio.history.update(item.id, params={"speaker_prints": prints})
    item = studio.history.get(item.id)
    run(qloop, tab.open_item(item))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Mara", True))
    tab.view.ask_rename("Speaker 1")
    assert [s.speaker for s in tab.view.transcript().segments] == ["Mara", "Speaker 2", "Mara"]
    qtbot.waitUntil(lambda: "Mara's voice is remembered" in tab.status.text())
    known = run(qloop, studio.transcription.known_voices())
    assert [v.name for v in known] == ["Mara"] and known[0].sample is not None
    # The speakers menu opens the Known voices page.
    tab.view.speakers_menu.aboutToShow.emit()
    actions = [a.text() for a in tab.view.speakers_menu.actions()]
    assert "Known voices…" in actions and "Rename “Mara”…" in actions
    tab.voices.open_voices()
    dialog = tab.voices.dialog
    assert isinstance(dialog, VoicesDialog)
    qtbot.waitUntil(lambda: dialog.list.count() == 1)
    assert dialog.list.item(0).text().startswith("Mara") and dialog.play_button.isEnabled()
    dialog.play_button.click()
    qtbot.waitUntil(lambda: dialog.player.player.duration > 1.0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.forget_button.click()
    qtbot.waitUntil(lambda: dialog.list.count() == 0)
    assert dialog.empty.isVisible() and not dialog.forget_button.isEnabled()
    assert run(qloop, studio.transcription.known_voices()) == []
