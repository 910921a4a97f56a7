"""The window as a newcomer meets it: History rows, messages and counts that tell the truth."""

from __future__ import annotations

import pytest

from audio_studio.core.models import HistoryKind
from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.history.model import MODEL, PROVIDER
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
