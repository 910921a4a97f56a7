"""The window as a newcomer meets it: job cards, messages and History rows that tell the truth."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
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


def narration_card(window: MainWindow):  # type: ignore[no-untyped-def]
    job = window.narration.vm.last_job_id
    assert job is not None
    row = window.jobs.row(job)
    assert row is not None
    return row


def test_a_narration_whose_sentences_failed_never_reads_done(
    qtbot, qloop, narration_gui_studio, wire
):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, narration_gui_studio)
    tab = window.narration
    run(qloop, tab.voice_panel.choose_provider("openai"))
    wire.state["refuse_speech"] = "Bread"
    tab.set_script("Milk is cold. Bread is warm. Tea is hot.", title="Shopping")
    run(qloop, tab.generate(), timeout=30)
    row = narration_card(window)
    assert row.status.text().startswith("Partly failed")
    assert "2 of 3 made, 1 failed" in row.status.text()
    assert "content policy" in row.toolTip()
    assert row.property("jobStatus") == "partial" and row.progress.isVisible()
    # Everything refused: the card says Failed, in red, with the reason on hover.
    wire.state["refuse_speech"] = "is"
    tab.set_script("Cheese is old. Jam is sweet.", title="More shopping")
    run(qloop, tab.generate(), timeout=30)
    row = narration_card(window)
    assert row.status.text().startswith("Failed") and "0 of 2 made" in row.status.text()
    assert "content policy" in row.toolTip() and "b42828" in row.status.styleSheet()
    assert not row.progress.isVisible()
    # A clean run still says Done.
    del wire.state["refuse_speech"]
    tab.set_script("Soup is warm.", title="Dinner")
    run(qloop, tab.generate(), timeout=30)
    row = narration_card(window)
    assert row.status.text().startswith("Done") and row.toolTip() == ""


def test_a_star_on_a_tile_is_the_star_in_history(qtbot, qloop, sound_studio) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, sound_studio)
    window.tabs.setCurrentIndex(2)
    page = window.sound.effects
    page.preset.setCurrentIndex(page.preset.findData("coin"))
    page.variations.setValue(4)
    landed = run(qloop, page.generate())
    assert all(v.ok for v in landed)
    tiles = page.grid.tiles
    # The batch's row in History is its first tile, whatever order they landed in.
    heads = [t.item for t in tiles if t.item is not None]
    rows = {r.id: r for r in (sound_studio.history.get(i.id) for i in heads) if r}
    first = tiles[0].item
    assert first is not None and rows[first.id].parent_id is None
    assert all(rows[t.item.id].parent_id == first.id for t in tiles[1:] if t.item)
    # Star the third tile: History's Starred filter shows exactly that effect.
    qtbot.mouseClick(tiles[2].star_button, Qt.MouseButton.LeftButton)
    starred = tiles[2].item
    assert starred is not None
    qtbot.waitUntil(lambda: sound_studio.history.get(starred.id).starred)
    window.tabs.setCurrentIndex(3)
    history = window.history
    history._debounce.stop()
    history.starred.setChecked(True)
    qtbot.waitUntil(lambda: history.model.total == 1, timeout=5000)
    assert history.model.items[0].id == starred.id
