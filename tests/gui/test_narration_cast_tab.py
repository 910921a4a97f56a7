"""The Narration tab with a cast, driven like a user on the loopback OpenAI server that speaks
real words: a cast file opened in the panel, role colours in the table, a sentence given to
another role, a take proof-listening flags shown with what was heard, and R for a new take."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from tests.gui.test_narration_tab import idle, make_window
from tests.integration.test_narration_proof import speak_all
from tests.support.narration import SPEECH
from tests.support.qt import run

pytestmark = pytest.mark.slow

CAST = """
[Narrator]
provider = "openai"
model = "gpt-4o-mini-tts"
voice = "coral"

[Alice]
provider = "openai"
model = "gpt-4o-mini-tts"
voice = "nova"
"""
LINES = (
    "The morning train was late again.",
    "Is anyone at the harbour today?",
    "She bought a loaf of fresh bread.",
)
SCRIPT = f"{LINES[0]}\n\nAlice: {LINES[1]}\n\n{LINES[2]}"


def test_cast_roles_proof_flag_and_one_key_remake(
    qtbot, qloop, narration_gui_studio, wire, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    wire.state["spoken"] = run(qloop, speak_all(narration_gui_studio, LINES), timeout=120)
    wire.state["swap_always"] = {LINES[2]: LINES[0]}  # the bread line always says the train's
    window = make_window(qtbot, narration_gui_studio)
    tab = window.narration
    tab.set_script(SCRIPT, title="Harbour")
    run(qloop, tab.sync_script())
    cast_file = tmp_path / "cast.toml"
    cast_file.write_text(CAST)
    assert run(qloop, tab.cast_panel.open_file(cast_file))
    qtbot.waitUntil(lambda: len(tab.vm.project.cast.roles) == 2, timeout=5000)
    panel = tab.cast_panel
    assert panel.roles.count() == 2 and panel.roles.item(1).text() == "Alice · openai · nova"
    assert not panel.status.isVisibleTo(tab)
    # Cloud voices: proof-listening is off unless asked for; ask for it.
    qtbot.waitUntil(lambda: not tab.proof.isChecked(), timeout=5000)
    assert not tab.proof_remake.isEnabled()
    tab.proof.setChecked(True)
    assert tab.vm.project.settings.proof is True
    assert tab.proof_remake.isEnabled() and tab.proof_remake.isChecked()
    tab.proof_remake.setChecked(False)
    assert tab.vm.project.settings.proof_remake is False
    tab.proof_remake.setChecked(True)  # flagged takes are made again once
    tab.live.setChecked(False)
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.vm.busy, timeout=5000)
    qtbot.waitUntil(lambda: idle(tab), timeout=120_000)
    project = tab.vm.project
    model = tab.chunks.model
    roles = [model.data(model.index(r, 4)) for r in range(model.rowCount())]
    assert roles == ["Narrator", "Alice", "Narrator"]
    colour = model.data(model.index(1, 4), Qt.ItemDataRole.DecorationRole)
    assert colour == QColor(project.cast.colour("Alice")) != QColor(project.cast.colour("Narrator"))
    sent = {r.json()["input"]: r.json()["voice"] for r in wire.requests("POST", SPEECH)}
    assert sent == {LINES[0]: "coral", LINES[1]: "nova", LINES[2]: "coral"}
    # The bread line was remade once and is still wrong: marked, with what was heard.
    assert model.data(model.index(2, 3)) == "⚠ check" and len(project.chunks[2].takes) == 2
    assert "1 to check" in tab.status.text()
    tab.chunks.table.selectRow(2)
    detail = tab.chunks.detail.text()
    assert "Heard “The morning train" in detail and "<s " in detail  # what was said instead
    assert "train" in model.data(model.index(2, 3), Qt.ItemDataRole.ToolTipRole)
    # One key: a new take of it.
    tab.chunks.table.setFocus()
    calls = len(wire.requests("POST", SPEECH))
    qtbot.keyClick(tab.chunks.table, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(project.chunks[2].takes) >= 3 and idle(tab), timeout=60_000)
    assert len(wire.requests("POST", SPEECH)) > calls
    # Give the first sentence to Alice: it is hers (marked as given by hand) and needs a take.
    tab.chunks.table.selectRow(0)
    combo = tab.chunks.role
    index = combo.findData("Alice")
    assert combo.isEnabled() and index > 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert project.role_of(project.chunks[0]) == "Alice" and project.chunks[0].stale
    assert model.data(model.index(0, 4)) == "Alice ✎"
    plan = run(qloop, tab.refresh_preflight())
    assert plan is not None and plan.to_make == 1
