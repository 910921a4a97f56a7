"""The Transcription tab in the real window (pytest-qt): batch queue, options per capability,
the offline fallback, the transcript view on a two-hour transcript, edits saved to History,
exports, summaries and Read back, History's recordings with several transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QPlainTextEdit

from audio_studio.core.models import HistoryKind, JobStatus, Segment, Transcript
from audio_studio.core.studio import Studio
from audio_studio.core.subtitles import read_json, read_markdown, read_srt, read_vtt
from audio_studio.core.transcription.edits import ORIGINAL
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from audio_studio.ui.transcription.tab import TranscriptionTab
from tests.servers import stt_wire
from tests.servers.base import Fault, WireServer
from tests.support.offline import JFK
from tests.support.qt import run
from tests.support.transcription import clip_file, long_transcript, store_transcript

POST = f"{stt_wire.PREFIX}/audio/transcriptions"


def open_tab(qtbot, service: Studio) -> tuple[MainWindow, TranscriptionTab]:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentIndex(1)
    return window, window.transcription


def test_a_two_hour_transcript_opens_scrolls_searches_and_follows(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio
) -> None:
    _, tab = open_tab(qtbot, transcription_gui_studio)
    view = tab.view
    big = long_transcript(2.0)
    view.set_transcript(big)  # how fast, and how smoothly: bench/transcript_view.py
    qtbot.wait(300)
    assert view.model.rowCount() == 2400
    assert view.find("number 1999.") == 1
    assert view.step_match() == 1999
    for seconds in range(0, 7200, 300):  # playback jumping around the file
        view.set_position(float(seconds))
        qtbot.wait(5)
    assert view.model.current == 6900 // 3
    view.list.scrollToBottom()
    qtbot.wait(200)
    assert view.find("BUDGET") == sum(s.text.count("budget") for s in big.segments)
    qtbot.wait(100)


def test_options_follow_what_the_model_offers(
    qtbot, qloop, transcription_gui_studio: Studio
) -> None:  # type: ignore[no-untyped-def]
    _, tab = open_tab(qtbot, transcription_gui_studio)
    o = tab.options
    form = o._form

    def shown(widget) -> bool:  # type: ignore[no-untyped-def]
        return bool(form.isRowVisible(widget))

    assert o.provider_id() == "local" and o.model_id() == "tiny.en"
    assert shown(o.prompt) and shown(o.word_times)
    assert [o.language.itemData(i) for i in range(o.language.count())] == ["en"]
    # The offline engine labels no speakers, so the studio tells them apart itself (1 to 10).
    assert shown(o.diarize) and not shown(o.speakers)
    o.diarize.setChecked(True)
    o.speakers.setValue(2)
    assert shown(o.speakers) and o.speakers.maximum() == 10 and o.model_id() == "tiny.en"
    local = o.request(Path("a.wav"))
    assert local.diarize and local.num_speakers == 2
    o.select("openai")
    assert o.model_id() == "whisper-1" and shown(o.diarize) and not shown(o.speakers)
    assert "sent in parts" in o.hint.text()
    o.diarize.setChecked(True)  # whisper-1 cannot: the model that can is chosen
    assert o.model_id() == "gpt-4o-transcribe-diarize" and not shown(o.prompt)
    request = o.request(Path("a.wav"))
    assert request.diarize and request.prompt is None and not request.word_timestamps
    o.model.setCurrentText("gpt-4o-mini-transcribe")
    assert not o.diarize.isChecked() and "text only" in o.hint.text()
    o.select("elevenlabs")
    o.diarize.setChecked(True)
    o.speakers.setValue(3)
    assert shown(o.speakers) and not shown(o.prompt)
    assert o.request(Path("a.wav")).num_speakers == 3
    qtbot.waitUntil(lambda: "Cost:" in tab.preflight.text())


def test_files_go_through_the_queue_cancel_and_open(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    _, tab = open_tab(qtbot, transcription_gui_studio)
    tab.options.select("openai", "whisper-1")
    files = [clip_file(tmp_path / f"memo {n}.wav", 15, seed=n) for n in range(3)]
    (tmp_path / "notes.txt").write_text("not audio")
    wire.state["latency_s"] = 0.5
    jobs = tab.flow.add_files([f.path for f in files] + [tmp_path / "notes.txt"])
    assert len(jobs) == 3 and "notes.txt" in tab.status.text()
    assert tab.queue.tree.topLevelItemCount() == 3
    tab.queue.select(jobs[2].id)
    qtbot.mouseClick(tab.queue.cancel_button, Qt.MouseButton.LeftButton)
    outcomes = [run(qloop, j.result()) for j in jobs[:2]]
    qtbot.waitUntil(lambda: tab.queue.status(jobs[2].id) is JobStatus.CANCELLED)
    assert [tab.queue.status(j.id) for j in jobs[:2]] == [JobStatus.SUCCEEDED] * 2
    qtbot.waitUntil(lambda: tab.flow.item is not None)
    first = tab.flow.item
    assert first is not None and first.id in {o.item.id for o in outcomes}
    n = next(n for n, o in enumerate(outcomes) if o.item.id != first.id)
    tab.queue.select(jobs[n].id)
    qtbot.mouseClick(tab.queue.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.flow.item is not None and tab.flow.item.id == outcomes[n].item.id)
    assert tab.title.text() == files[n].path.name
    assert view_words(tab) == ["speech"] * len(files[n].clips)
    # Dropping files on the tab queues them the same way.
    drop(tab, [files[0].path, tmp_path / "notes.txt"])
    assert tab.queue.tree.topLevelItemCount() == 4
    run(qloop, tab.flow.last_job.result())  # type: ignore[union-attr]


def drop(tab: TranscriptionTab, paths: list[Path]) -> None:
    """Drag ``paths`` over the tab and drop them, as a file manager does."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = QPointF(tab.width() / 2, tab.height() / 2)
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        point.toPoint(), action, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    dropped = QDropEvent(
        point, action, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(tab, dropped)


def view_words(tab: TranscriptionTab) -> list[str]:
    return tab.view.transcript().text.split()


def test_a_cloud_failure_is_finished_offline(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, wire: WireServer
) -> None:
    _, tab = open_tab(qtbot, transcription_gui_studio)
    tab.options.select("openai", "whisper-1")
    quota = (
        b'{"error": {"message": "You exceeded your current quota.", "code": "insufficient_quota"}}'
    )
    wire.fail("POST", POST, Fault("status", status=429, body=quota))
    tab.flow.add_files([JFK])
    qtbot.waitUntil(lambda: tab.queue.finish_button.isEnabled(), timeout=10_000)
    row = tab.queue.tree.topLevelItem(0)
    assert row.text(3) == "Failed" and "quota" in row.toolTip(3)
    assert "Finish offline" in tab.status.text()
    qtbot.mouseClick(tab.queue.finish_button, Qt.MouseButton.LeftButton)
    done = run(qloop, tab.flow.last_job.result(), timeout=60)  # type: ignore[union-attr]
    assert "ask not what your country" in done.transcript.text.lower()
    assert done.item.params["providers"] == ["openai", "local"]
    qtbot.waitUntil(lambda: tab.flow.item is not None and tab.flow.item.id == done.item.id)
    assert "transcribed by local after openai failed" in tab.view.notices.text()
    assert tab.queue.tree.topLevelItemCount() == 1  # the same row followed the second job


SPOKEN = Transcript(
    segments=(
        Segment("And so my fellow Americans,", 0.0, 2.4, "A"),
        Segment("ask not what your country can do for you,", 2.4, 6.0, "B"),
        Segment("ask what you can do for your country.", 6.5, 10.5, "A"),
    ),
    language="en",
    language_probability=0.97,
    duration_s=11.0,
    provider="openai",
    model="whisper-1",
)


def test_read_along_correct_rename_undo_save_export_and_copy(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, tmp_path: Path
) -> None:
    window, tab = open_tab(qtbot, transcription_gui_studio)
    item = run(qloop, store_transcript(transcription_gui_studio, JFK, SPOKEN))
    run(qloop, tab.open_item(item))
    view = tab.view
    assert tab.title.text() == "jfk.flac" and view.model.rowCount() == 3
    assert "Language: en (97% sure)" in view.info.text() and "2 speakers" in view.info.text()
    assert tab.player.player.duration == pytest.approx(11.0, abs=0.01)
    # Click a line: the player goes there; playback there marks the line.
    rect = view.list.visualRect(view.model.index(2))
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.player.player.position == pytest.approx(6.5, abs=0.01)
    tab.player.position_changed.emit(7.0)
    assert view.model.current == 2
    # Correct the first line in place: double-click, type, Enter.
    rect = view.list.visualRect(view.model.index(0))
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = view.list.findChild(QPlainTextEdit, "segmentEditor")
    assert editor is not None
    editor.setPlainText("And so, my fellow Americans:")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.model.segment(0).text == "And so, my fellow Americans:")
    assert view.rename_speaker("A", "President Kennedy")
    assert [s.speaker for s in view.transcript().segments] == [
        "President Kennedy", "B", "President Kennedy"
    ]  # fmt: skip
    view.undo_action.trigger()
    assert view.transcript().speakers == ("A", "B")
    view.redo_action.trigger()
    assert view.find("kennedy") == 2 and "2 matches" in view.matches.text()
    assert view.find("ASK") == 2 and view.step_match() == 1
    # A moment after the last edit it is in History; the provider's version is kept.
    qtbot.waitUntil(lambda: "Corrections saved" in tab.status.text(), timeout=5000)
    saved = transcription_gui_studio.history.get(item.id)
    assert saved is not None and "my fellow Americans:" in saved.transcript
    assert {f.role for f in saved.files} == {ORIGINAL, "transcript"}
    assert run(qloop, transcription_gui_studio.transcription.load(saved)) == view.transcript()
    # Exports read back with the corrections; a path with accents and spaces is fine.
    folder = tmp_path / "Exportés ünd so"
    readers = {"srt": read_srt, "vtt": read_vtt, "json": read_json, "md": read_markdown}
    for fmt, reader in readers.items():
        path = run(qloop, tab.flow.outputs.export(fmt, folder / f"speech.{fmt}"))
        assert path is not None
        back = reader(path.read_text(encoding="utf-8"))
        if fmt in ("json", "md"):
            assert back.segments[0].text == "And so, my fellow Americans:"
            assert back.segments[0].speaker == "President Kennedy"
        else:  # captions are re-cut to the norms; a speaker change starts a cue with "- "
            assert back.segments[0].text.startswith("- And so, my fellow Americans:")
    assert run(qloop, tab.flow.outputs.export("txt", folder / "speech.txt")) is not None
    assert tab.flow.outputs.default_export_path("srt").name == "jfk.srt"
    # An export that cannot be written says so; nothing is lost.
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    assert run(qloop, tab.flow.outputs.export("srt", blocked / "x.srt")) is None
    assert "Could not write" in tab.status.text()
    qtbot.mouseClick(tab.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text().startswith("President Kennedy:\nAnd so,")
    window.close()


def test_summary_is_kept_and_read_back_to_narration(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, wire: WireServer
) -> None:
    window, tab = open_tab(qtbot, transcription_gui_studio)
    item = run(qloop, store_transcript(transcription_gui_studio, JFK, SPOKEN))
    run(qloop, tab.open_item(item))
    assert not tab.summary_box.isVisible()
    result = run(qloop, tab.flow.outputs.summarise())
    assert result is not None and result.summary.startswith("A recording of")
    assert tab.summary_box.isVisible() and "Action items" in tab.summary_text.toPlainText()
    rows = transcription_gui_studio.history.children(item.id)
    assert [r.kind for r in rows] == [HistoryKind.SUMMARY]
    with qtbot.waitSignal(tab.send_to_narration) as sent:
        qtbot.mouseClick(tab.read_back_button, Qt.MouseButton.LeftButton)
    text, title = sent.args
    assert text.startswith(result.summary) and "Action items:" in text
    assert title == "Summary of jfk.flac"
    assert window.tabs.currentIndex() == 0  # the window took it to the Narration editor
    # Opened again later (from History), the transcript comes with its summary.
    run(qloop, tab.open_item(rows[0]))
    assert tab.flow.item is not None and tab.flow.item.id == item.id
    assert tab.summary_box.isVisibleTo(tab) and tab.flow.outputs.summary == result


def test_a_recording_with_several_transcripts_switch_compare_and_find(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio
) -> None:
    _, tab = open_tab(qtbot, transcription_gui_studio)
    first = run(qloop, store_transcript(transcription_gui_studio, JFK, SPOKEN))
    other = Transcript((Segment("Ask what you can do.", 6.5, 10.5),), provider="groq")
    second = run(qloop, store_transcript(transcription_gui_studio, JFK, other, provider="groq"))
    recording = transcription_gui_studio.history.get(first.parent_id or 0)
    assert recording is not None and second.parent_id == recording.id
    run(qloop, tab.open_item(recording))
    assert tab.versions.count() == 2 and tab.flow.item.id == second.id  # type: ignore[union-attr]
    assert tab.compare_button.isEnabled()
    run(qloop, tab.flow.show_version(1))
    assert tab.view.model.rowCount() == 3
    tab.flow.outputs.compare()
    dialog = tab.findChild(QDialog, "transcriptCompare")
    assert dialog is not None
    qtbot.waitUntil(lambda: [v.model.rowCount() for v in dialog.views] == [1, 3])
    tab.player.position_changed.emit(7.0)
    assert [v.model.current for v in dialog.views] == [0, 2]
    dialog.close()
    assert run(qloop, tab.flow.find_in_all("country")) == 1
    assert tab.found.isVisible() and "[country]" in tab.found.item(0).text()
    run(qloop, tab.flow.open_found(0))
    assert tab.flow.item is not None and tab.flow.item.id == first.id
    assert tab.view.model.match_rows() == [1, 2]


def test_record_pause_and_transcribe_with_the_offline_engine(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio
) -> None:
    from audio_studio.core.audio.codec import decode
    from audio_studio.core.audio.fake import FakeBackend

    transcription_gui_studio.audio_backend = FakeBackend(decode(JFK), speed=4.0, input_seconds=11.0)
    _, tab = open_tab(qtbot, transcription_gui_studio)
    recorder = tab.recorder
    qtbot.mouseClick(recorder.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: recorder.recording and recorder.meter.peak_db > -40, timeout=5000)
    qtbot.mouseClick(recorder.pause_button, Qt.MouseButton.LeftButton)
    assert recorder.pause_button.text() == "Resume"
    qtbot.wait(100)
    qtbot.mouseClick(recorder.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: recorder.session is None or
                    recorder.session.levels().seconds >= 10.5, timeout=10_000)  # fmt: skip
    with qtbot.waitSignal(recorder.recorded, timeout=10_000) as taken:
        qtbot.mouseClick(recorder.record_button, Qt.MouseButton.LeftButton)
    take = taken.args[0]
    assert take.kind is HistoryKind.RECORDING and take.duration_s >= 10.5
    outcome = run(qloop, tab.flow.last_job.result(), timeout=60)  # type: ignore[union-attr]
    assert outcome.recording.id == take.id and outcome.item.parent_id == take.id
    assert "ask not what your country" in outcome.transcript.text.lower()
    qtbot.waitUntil(lambda: tab.flow.item is not None and tab.flow.item.id == outcome.item.id)
    assert tab.title.text() == take.title
