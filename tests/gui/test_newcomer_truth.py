"""The window as a newcomer meets it: History rows, messages and counts that tell the truth."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from audio_studio.core.models import HistoryKind
from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.history.model import COST, MODEL, PROVIDER
from audio_studio.ui.main_window import MainWindow
from tests.support.qt import run

pytestmark = pytest.mark.slow


def make_window(qtbot, service: Studio) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_history_row_shows_what_made_the_audio_not_the_picker(
    qtbot, qloop, narration_gui_studio, wire, tmp_path
):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, narration_gui_studio)
    tab = window.narration
    run(qloop, tab.voice_panel.choose_provider("local"))
    tab.live.setChecked(False)
    tab.set_script("The tide is out. The boats rest on the sand.", title="Low tide")
    run(qloop, tab.generate(), timeout=120)
    project = tab.vm.project
    assert all(c.take and c.take.provider == "local" for c in project.chunks)
    # OpenAI is merely picked, not used: Generate has nothing to make, Export joins Piper takes.
    run(qloop, tab.voice_panel.choose_provider("openai"))
    assert project.settings.provider == "openai"
    run(qloop, tab.generate(), timeout=30)
    out = run(qloop, tab.export_to(tmp_path / "tide.wav"), timeout=60)
    assert out is not None
    window.tabs.setCurrentIndex(3)
    history = window.history
    run(qloop, history.refresh())
    model = history.model
    row = next(r for r, i in enumerate(model.items) if i.id == project.item_id)
    assert model.data(model.index(row, PROVIDER)) == "local"
    assert "gpt" not in str(model.data(model.index(row, MODEL)))
    kids = narration_gui_studio.history.children(project.item_id)
    export = next(k for k in kids if k.kind is HistoryKind.NARRATION)
    assert export.provider == "local" and export.model != "gpt-4o-mini-tts"
    # A sentence remade in the OpenAI voice: the take says OpenAI, the rest stay Piper's.
    tab.chunks.table.selectRow(0)
    run(qloop, tab.vm.generate([project.chunks[0]], force=True), timeout=30)
    assert project.chunks[0].take is not None and project.chunks[0].take.provider == "openai"
    takes = [k for k in narration_gui_studio.history.children(project.item_id)]
    assert {t.provider for t in takes if t.kind is HistoryKind.TAKE} == {"local", "openai"}
    # The narration's row never says "cost ?": its takes carry the cost.
    run(qloop, history.refresh())
    row = next(r for r, i in enumerate(model.items) if i.id == project.item_id)
    assert model.data(model.index(row, PROVIDER)) in ("local", "openai")
    assert model.data(model.index(row, COST)) == ""
    assert "take" in model.data(model.index(row, COST), Qt.ItemDataRole.ToolTipRole)


def test_inline_messages_go_when_their_cause_is_gone_and_one_count_is_explained(
    qtbot, qloop, narration_gui_studio, wire
):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, narration_gui_studio)
    tab = window.narration
    panel = tab.voice_panel
    run(qloop, narration_gui_studio.delete_api_key("openai"))
    # "The script is empty" goes as soon as there is a script.
    tab.set_script("   \n")
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "script is empty" in tab.status.text())
    tab.editor.setFocus()
    qtbot.keyClicks(tab.editor, "Hello harbour.")
    assert tab.status.text() == ""
    # "Needs an API key" (under Voice, and after Generate) goes once the key is saved.
    run(qloop, panel.choose_provider("openai"))
    assert "API key" in panel.status.text()
    run(qloop, tab.generate(), timeout=30)
    assert "API key" in tab.status.text()
    dialog = run(qloop, window.open_settings())
    page = dialog.providers
    page.key.setText("sk-test-key-123456789")
    qtbot.mouseClick(page.save_key_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.key.text() == "", timeout=10_000)
    dialog.accept()
    qtbot.waitUntil(lambda: "API key" not in panel.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: panel.voice.count() > 1, timeout=10_000)
    assert "API key" not in tab.status.text()
    run(qloop, tab.refresh_preflight())
    assert "$" in tab.preflight.text() and not panel.status.styleSheet()
    # One character count; when the spoken count differs, the preflight says why.
    tab.set_script("Wait here. [pause 1s] Then go on.")
    run(qloop, tab.sync_script())
    run(qloop, tab.refresh_preflight())
    typed = len(tab.editor.toPlainText())
    assert tab.char_count.text().startswith(f"{typed} characters")
    assert f"characters spoken ({typed} in the script)" in tab.preflight.text()


def test_switching_voice_says_other_takes_are_kept_and_offers_a_remake(
    qtbot, qloop, narration_gui_studio, wire
):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, narration_gui_studio)
    tab = window.narration
    run(qloop, tab.voice_panel.choose_provider("openai"))
    tab.live.setChecked(False)
    tab.set_script("The pier is long. The lamps are lit. A boat comes in.", title="Pier")
    run(qloop, tab.generate(), timeout=30)
    project = tab.vm.project
    assert not tab.remake_button.isVisible()
    # Another voice, and one sentence edited: "to make: 1", and the other two are said to stay.
    panel = tab.voice_panel
    panel.voice.setCurrentIndex(panel.voice.findData("nova"))
    panel.changed.emit()
    tab.sentences.edit(project.chunks[2], "A ferry comes in.")
    run(qloop, tab.sync_script())
    run(qloop, tab.refresh_preflight())
    assert "to make: 1" in tab.preflight.text()
    assert "2 sentences have takes in another voice" in tab.other_voice.text()
    assert tab.remake_button.isVisible() and "$" in tab.remake_button.text()
    assert tab.remake_button.text() == "Remake all in this voice (< $0.01)"
    # Remake: every sentence now has a take in the chosen voice; the old takes are kept.
    qtbot.mouseClick(tab.remake_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.vm.busy, timeout=5000)
    qtbot.waitUntil(lambda: not tab.vm.busy, timeout=30_000)
    assert all(c.take and c.take.voice == "nova" for c in project.chunks)
    assert [len(c.takes) for c in project.chunks] == [2, 2, 2]
    run(qloop, tab.refresh_preflight())
    assert not tab.remake_button.isVisible() and not tab.other_voice.isVisible()
