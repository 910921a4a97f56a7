"""The Narration tab driven like a user, offline (Piper) and on the loopback OpenAI server:
paste, preflight, generate with preview, new take, choose, lock, export, History, reopen."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt

from audio_studio.core.audio.analysis import analyze_file
from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.models import HistoryKind, JobKind, JobStatus
from audio_studio.core.narration.project import ChunkStatus
from audio_studio.core.settings import Budget
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.studio import Studio
from audio_studio.core.text import Lexicon
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.support.narration import SPEECH
from tests.support.qt import run

pytestmark = pytest.mark.slow

SCRIPT = "Nguyen opened the shop. The bell rang twice.\n\nA customer came in [pause 1s] at last."


def make_window(qtbot, service: Studio) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def idle(tab) -> bool:  # type: ignore[no-untyped-def]
    return not tab.vm.busy and tab.generate_button.isEnabled()


def test_offline_narration_from_paste_to_export_and_back(qtbot, qloop, service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend = FakeBackend(speed=8, keep_output=True)
    service.audio_backend = backend
    window = make_window(qtbot, service)
    tab = window.narration
    qtbot.waitUntil(lambda: tab.voice_panel.voice.count() > 0, timeout=10_000)
    assert tab.voice_panel.voice.currentData() == "en_US-joe-medium"
    tab.proof.setChecked(False)  # counts takes: proof-listening's rare remake would add one
    # Paste, preflight.
    tab.editor.setPlainText(SCRIPT)
    assert tab.char_count.text().startswith(f"{len(SCRIPT)} characters")
    run(qloop, tab.sync_script())
    run(qloop, tab.refresh_preflight())
    assert "4 sentences in 2 paragraphs" in tab.preflight.text() and "free" in tab.preflight.text()
    tab.set_lexicon(Lexicon.of({"Nguyen": "Win"}))
    # Generate: the preview plays while the rest is made.
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.vm.busy, timeout=5000)
    assert tab.stop_button.isEnabled() and not tab.generate_button.isEnabled()
    qtbot.waitUntil(lambda: idle(tab), timeout=60_000)
    project = tab.vm.project
    assert all(c.status is ChunkStatus.DONE for c in project.chunks)
    assert "4 of 4 sentences made" in tab.status.text()
    jobs = [j for j in service.runner.jobs() if j.kind is JobKind.NARRATION]
    assert jobs and jobs[-1].status is JobStatus.SUCCEEDED
    buffer = tab.player_bar.player.buffer
    assert buffer is not None and buffer.ended and buffer.duration_s > 4
    qtbot.waitUntil(lambda: backend.played and np.abs(np.concatenate(backend.played)).max() > 0.05)
    model = tab.chunks.model
    assert model.rowCount() == 4 and model.data(model.index(0, 3)) == "done"
    assert (
        model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
        == "Said as: Win opened the shop."
    )
    # A new take of sentence two; choose the first back; lock it.
    tab.chunks.table.selectRow(1)
    assert tab.chunks.regenerate_button.isEnabled()
    qtbot.mouseClick(tab.chunks.regenerate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(project.chunks[1].takes) == 2 and idle(tab), timeout=30_000)
    tab.chunks.refresh()
    assert tab.chunks.take.count() == 2 and tab.chunks.take.currentIndex() == 1
    run(qloop, tab.sentences.choose_take(project.chunks[1], 0))
    assert project.chunks[1].current == 0 and model.data(model.index(1, 2)) == "1 of 2"
    qtbot.mouseClick(tab.chunks.lock_button, Qt.MouseButton.LeftButton)
    assert project.chunks[1].locked and not tab.chunks.regenerate_button.isEnabled()
    assert model.data(model.index(1, 3)).startswith("locked · ")
    lock = model.data(model.index(1, 3), Qt.ItemDataRole.DecorationRole)
    assert lock is not None and not lock.pixmap(16, 16).isNull()
    # Edit a sentence in the list: the script follows, the sentence needs a new take.
    tab.sentences.edit(project.chunks[3], "at long last.")
    run(qloop, tab.sync_script())
    assert "at long last." in tab.editor.toPlainText() and project.chunks[3].stale
    missing = run(qloop, tab.export_to(tmp_path / "shop.wav"))
    assert missing is None and "edited" in tab.status.text()
    run(qloop, tab.generate(), timeout=60)
    # Export, then History has the project, its takes and the export.
    out = run(qloop, tab.export_to(tmp_path / "shop.wav"), timeout=60)
    assert out is not None and "Exported" in tab.status.text()
    assert analyze_file(out.path).lufs == pytest.approx(-16, abs=0.5)
    rows = service.history.query(HistoryQuery(kinds=(HistoryKind.NARRATION,)))
    assert {r.parent_id is None for r in rows} == {True, False}
    takes = service.history.children(project.item_id)
    assert sum(t.kind is HistoryKind.TAKE for t in takes) == 6
    # Reopening the studio restores the project with its takes and lock.
    window.close()
    again = make_window(qtbot, service).narration
    qtbot.waitUntil(lambda: again.vm.project.id == project.id, timeout=10_000)
    assert again.editor.toPlainText() == project.script
    assert again.vm.project.chunks[1].locked and len(again.vm.project.chunks[1].takes) == 2
    # And History can send any take back to the tab.
    other = make_window(qtbot, service).narration
    run(qloop, other.load_item(takes[0]))
    assert other.vm.project.id == project.id


def test_cloud_refusal_retry_take_lock_export_cache_budget(
    qtbot, qloop, narration_gui_studio, wire, tmp_path
):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, narration_gui_studio)
    tab = window.narration
    panel = tab.voice_panel
    run(qloop, panel.choose_provider("openai"))
    assert panel.model.currentData() == "gpt-4o-mini-tts" and panel.voice.currentData() == "alloy"
    assert panel.instructions.isVisibleTo(tab) and wire.requests("GET", "/openai/v1/models")
    # Presets fill the style box, but never over what the user wrote.
    assert (
        panel.choose_preset("Calm narrator") and "Voice Affect" in panel.instructions.toPlainText()
    )
    panel.instructions.setPlainText("Whisper like a librarian.")
    assert not panel.choose_preset("Dramatic") and "kept" in panel.preset_note.text()
    assert panel.instructions.toPlainText() == "Whisper like a librarian."
    wire.state["refuse_speech"] = "Bread"
    tab.set_script("Milk is cold. Bread is warm. Tea is hot.", title="Shopping")
    run(qloop, tab.sync_script())
    run(qloop, tab.refresh_preflight())
    assert "3 sentences" in tab.preflight.text() and "$" in tab.preflight.text()
    run(qloop, tab.generate(), timeout=30)
    chunks = tab.vm.project.chunks
    assert [c.status for c in chunks] == [ChunkStatus.DONE, ChunkStatus.FAILED, ChunkStatus.DONE]
    body = wire.requests("POST", SPEECH)[0].json()
    assert body["instructions"] == "Whisper like a librarian." and body["voice"] == "alloy"
    tab.chunks.table.selectRow(1)
    assert "content policy" in tab.chunks.detail.text()
    assert tab.chunks.retry_button.isEnabled() and tab.chunks.offline_button.isEnabled()
    del wire.state["refuse_speech"]
    qtbot.mouseClick(tab.chunks.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chunks[1].status is ChunkStatus.DONE and idle(tab), timeout=20_000)
    assert len(wire.requests("POST", SPEECH)) == 4
    # A new take of the first sentence, then lock it; the preview played what was made.
    tab.chunks.table.selectRow(0)
    qtbot.mouseClick(tab.chunks.regenerate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(chunks[0].takes) == 2 and idle(tab), timeout=20_000)
    assert len(wire.requests("POST", SPEECH)) == 5
    qtbot.mouseClick(tab.chunks.lock_button, Qt.MouseButton.LeftButton)
    assert chunks[0].locked
    buffer = tab.player_bar.player.buffer
    assert buffer is not None and buffer.duration_s >= 0.5
    # Export, and History has the project with its takes (with cost) and the export (without).
    out = run(qloop, tab.export_to(tmp_path / "shopping.mp3"), timeout=60)
    assert out is not None and out.path.exists()
    assert analyze_file(out.path).lufs == pytest.approx(-16, abs=1.0)
    kids = narration_gui_studio.history.children(tab.vm.project.item_id)
    takes = [k for k in kids if k.kind is HistoryKind.TAKE]
    assert len(takes) == 4 and all(t.usage.cost_usd and t.provider == "openai" for t in takes)
    assert all(t.params["instructions"] == "Whisper like a librarian." for t in takes)
    export = next(k for k in kids if k.kind is HistoryKind.NARRATION)
    assert export.usage.cost_usd is None and export.params["format"] == "mp3"
    # The same script again in a new project: no provider calls at all.
    tab.set_script("Milk is cold. Bread is warm. Tea is hot.")
    run(qloop, tab.sync_script())
    run(qloop, tab.refresh_preflight())
    assert "3 from the cache" in tab.preflight.text() and "free" in tab.preflight.text()
    assert "free · free" not in tab.preflight.text()
    run(qloop, tab.generate(), timeout=30)
    assert len(wire.requests("POST", SPEECH)) == 5 and "3 from the cache" in tab.status.text()
    # A budget this job would break disables Generate and says why.
    tab.set_script("A new sentence that is not cached yet.")
    budgets = {"openai": Budget(monthly_usd=0.0001)}
    narration_gui_studio.use_settings(
        dataclasses.replace(narration_gui_studio.settings, budgets=budgets)
    )
    run(qloop, tab.sync_script())
    run(qloop, tab.refresh_preflight())
    assert "Blocked:" in tab.preflight.text() and not tab.generate_button.isEnabled()
    # An empty script: a clear message, nothing else happens.
    tab.set_script("   \n\n")
    run(qloop, tab.generate())
    assert "script is empty" in tab.status.text() and not tab.vm.busy


def test_stop_keeps_finished_sentences_and_cloning_needs_consent(
    qtbot, qloop, narration_gui_studio, wire, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, narration_gui_studio)
    tab = window.narration
    run(qloop, tab.voice_panel.choose_provider("openai"))
    wire.state["speech_delay_s"] = 0.3
    tab.set_script(" ".join(f"Sentence {i}." for i in range(1, 41)))
    run(qloop, tab.sync_script())
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    project = tab.vm.project
    qtbot.waitUntil(lambda: sum(c.take is not None for c in project.chunks) >= 4, timeout=20_000)
    qtbot.mouseClick(tab.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: idle(tab), timeout=10_000)
    made = sum(c.take is not None for c in project.chunks)
    assert 4 <= made < 40 and "Stopped. Finished sentences are kept." in tab.status.text()
    assert len(wire.requests("POST", SPEECH)) < 20
    del wire.state["speech_delay_s"]
    # ElevenLabs: its sliders, and "New voice from a sample…" at the end of the voice list.
    run(qloop, tab.voice_panel.choose_provider("elevenlabs"))
    panel = tab.voice_panel
    assert set(panel.knobs) == {"stability", "similarity_boost", "style", "use_speaker_boost"}
    assert panel.voice.itemData(panel.voice.count() - 1) == "__new_voice__"
    dialog = tab.open_clone_dialog("elevenlabs")
    qtbot.addWidget(dialog)
    # Record a sample through the audio engine (the fake microphone plays a tone, fast).
    run(qloop, dialog.start_recording())
    assert dialog.session is not None and dialog.meter.running
    qtbot.waitUntil(lambda: dialog.session.levels().seconds > 6, timeout=10_000)
    run(qloop, dialog.stop_recording())
    assert dialog.sample is not None and dialog.sample.exists()
    assert "1–2 minutes" in dialog.sample_label.text()  # a short sample clones less well
    dialog.name.setText("My voice")
    assert not dialog.clone_button.isEnabled()  # no consent yet
    dialog.consent.setChecked(True)
    assert dialog.clone_button.isEnabled()
    result = run(qloop, dialog.clone())
    assert result is not None and panel.voice.currentData() == "cloned_1"
    assert panel.settings().cloned_voice and panel.settings().voice_name == "My voice"
    (request,) = wire.requests("POST", "/elevenlabs/v1/voices/add")
    assert request.fields()["name"] == ["My voice"] and request.fields()["files"]
    voices = narration_gui_studio.history.query(HistoryQuery(kinds=(HistoryKind.VOICE,)))
    assert voices and voices[0].params["consent_given"] is True


def test_a_take_made_again_in_history_joins_the_open_narration(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    service.audio_backend = FakeBackend(speed=8)
    window = make_window(qtbot, service)
    tab = window.narration
    qtbot.waitUntil(lambda: tab.voice_panel.voice.count() > 0, timeout=10_000)
    tab.editor.setPlainText("The tide came in. The boats rose.")
    run(qloop, tab.sync_script())
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.vm.busy, timeout=5000)
    qtbot.waitUntil(lambda: idle(tab), timeout=60_000)
    first = tab.vm.project.chunks[0]
    take = service.history.get(first.take.item_id)
    # An edit the tab has not saved yet: History's re-run must not lose it.
    tab.editor.setPlainText("The tide came in. The boats rose. Gulls circled.")
    window.tabs.setCurrentIndex(3)
    again = run(qloop, window.history.rerun(take), timeout=60)
    assert again is not None and again.kind is HistoryKind.TAKE
    project = tab.vm.project
    chunk = project.find(first.id)
    assert chunk is not None and [t.item_id for t in chunk.takes][-1] == again.id
    assert project.script.endswith("Gulls circled.") and len(project.chunks) == 3
    assert tab.editor.toPlainText().endswith("Gulls circled.")
    # While the tab is making audio for it, History says to wait instead of racing it.
    tab.vm.job = object()  # type: ignore[assignment]
    try:
        assert run(qloop, window.history.rerun(take)) is None
        assert "Narration tab is making this narration" in window.history.detail.note.text()
    finally:
        tab.vm.job = None
