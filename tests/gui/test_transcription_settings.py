"""Settings → Transcription (pytest-qt, the real window): caption norms and file names that exports
follow, and watch folders the studio serves while open, with their jobs in the Jobs list."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

from audio_studio.core.models import HistoryKind
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.studio import Studio
from audio_studio.core.transcription.watch import WatchEventKind
from tests.gui.test_transcription_corrections import opened
from tests.support.qt import run
from tests.support.transcription import clip_file


def test_caption_norms_and_file_names_from_settings(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, tmp_path: Path
) -> None:
    studio = transcription_gui_studio
    tab = opened(qtbot, qloop, studio)
    window = tab.window()
    dialog = run(qloop, window.open_settings())  # type: ignore[attr-defined]
    dialog.nav.setCurrentRow(dialog.PAGES.index("Transcription"))
    page = dialog.transcription
    assert dialog.stack.currentWidget() is page
    page.preset.setCurrentIndex(page.preset.findData("bbc"))
    page.speakers.setCurrentIndex(page.speakers.findData("name"))
    page.max_chars.setValue(30)
    page.template.setText("{provider} {title}")
    page.timestamps.setCurrentIndex(page.timestamps.findData("off"))
    assert run(qloop, dialog.save())
    dialog.accept()
    settings = studio.settings
    assert (settings.caption_preset, settings.caption_speakers) == ("bbc", "name")
    assert settings.caption_max_chars == 30 and settings.document_timestamps == "off"
    assert tab.flow.outputs.default_export_path("vtt").name == "openai jfk.vtt"
    path = run(qloop, tab.flow.outputs.export("vtt", tmp_path / "x.vtt"))
    assert path is not None
    text = path.read_text()
    lines = [ln for ln in text.splitlines()[1:] if ln and "-->" not in ln and not ln.isdigit()]
    lines = [re.sub(r"<[^>]+>", "", ln) for ln in lines]  # as shown: voice tags are not text
    assert "<v A>" in text  # the speaker also named for players that read voice tags
    assert all(len(ln) <= 30 for ln in lines) and lines[0].startswith("A: And so")
    assert any(ln.startswith("B: ask not") for ln in lines)


def test_watch_folders_are_served_while_the_studio_is_open(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, tmp_path: Path
) -> None:
    studio = transcription_gui_studio
    studio.use_settings(dataclasses.replace(studio.settings, transcription_provider="openai"))
    tab = opened(qtbot, qloop, studio)
    window = tab.window()
    inbox, out = tmp_path / "inbox", tmp_path / "transcripts"
    inbox.mkdir()
    dialog = run(qloop, window.open_settings())  # type: ignore[attr-defined]
    page = dialog.transcription
    page.folders.addItem(str(inbox))
    page.output.setText(str(out))
    for fmt, box in page.formats.items():
        box.setChecked(fmt in ("txt", "docx"))
    assert run(qloop, dialog.save())
    dialog.accept()
    qtbot.waitUntil(
        lambda: window.watch_folders is not None and window.watch_folders.folders == (inbox,)
    )  # type: ignore[attr-defined]
    events: list[WatchEventKind] = []
    watcher = window.watch_folders.watcher  # type: ignore[attr-defined]
    shown = watcher.on_event
    watcher.on_event = lambda e: (events.append(e.kind), shown(e))
    watcher.settle_s = 0.5
    made = clip_file(tmp_path / "standup.wav", 10, seed=5)
    shutil.copyfile(made.path, inbox / "standup.wav")
    qtbot.waitUntil(lambda: WatchEventKind.DONE in events, timeout=60_000)
    assert (out / "standup.txt").read_text().split() == ["speech"] * len(made.clips)
    assert (out / "standup.docx").stat().st_size > 0
    assert "standup.wav: done" in window.statusBar().currentMessage()
    rows = studio.history.query(HistoryQuery(kinds=(HistoryKind.TRANSCRIPT,), search="speech"))
    assert any(r.title == "standup.wav" for r in rows)
    assert any(j.title == "Watch: standup.wav" for j in studio.runner.jobs())
    # Removing the folder in Settings stops the watch.
    dialog = run(qloop, window.open_settings())  # type: ignore[attr-defined]
    dialog.transcription.folders.clear()
    assert run(qloop, dialog.save())
    dialog.accept()
    qtbot.waitUntil(lambda: window.watch_folders.folders == ())  # type: ignore[attr-defined]
