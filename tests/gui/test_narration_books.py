"""A book in the Narration tab: opened off the GUI thread, chapters ticked, made and exported."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.models import HistoryKind
from audio_studio.core.narration.audiobook import chapter_file_name
from audio_studio.core.store.history import HistoryQuery
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.gui.test_narration_tab import make_window
from tests.support.books import CHAPTERS, cover_png, make_epub, make_pdf
from tests.support.qt import run

pytestmark = pytest.mark.slow

NUMBERS = "In 1999, Dr. Smith paid $3.50 for 2 tickets on March 3rd."
BOOK = (
    (CHAPTERS[0][0], (NUMBERS, *CHAPTERS[0][1][1:])),
    *CHAPTERS[1:],
)


def _narration_tab(qtbot, service):  # type: ignore[no-untyped-def]
    """The Narration tab of a shown window, its voices listed, previews on a fake device."""
    service.audio_backend = FakeBackend(speed=8, keep_output=True)
    tab = make_window(qtbot, service).narration
    qtbot.waitUntil(lambda: tab.voice_panel.voice.count() > 0, timeout=10_000)
    return tab


def test_open_tick_generate_and_export_a_book(qtbot, qloop, service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tab = _narration_tab(qtbot, service)
    assert not tab.chapters.isVisible()  # a plain script has no chapter list
    # A locked PDF: one sentence, and the open project is left as it was.
    before = tab.vm.project
    assert not run(qloop, tab.open_script(make_pdf(tmp_path / "locked.pdf", password="x")))
    assert "locked.pdf" in tab.status.text() and "password" in tab.status.text()
    assert tab.vm.project is before
    book = make_epub(tmp_path / "novel.epub", BOOK, cover=cover_png(), extras=False)
    assert run(qloop, tab.open_script(book))
    assert tab.chapters.isVisible()
    tree = tab.chapters.tree
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    assert [r.text(0) for r in rows] == [f"{i}. {name}" for i, (name, _) in enumerate(BOOK, 1)]
    assert [r.text(2) for r in rows] == ["0 / 3"] * 3
    assert rows[1].text(1) == str(sum(len(s.split()) for s in (BOOK[1][0], *BOOK[1][1])))
    assert all(r.checkState(0) == Qt.CheckState.Checked for r in rows)
    # The count above the script is the book's, not the empty script's before it.
    assert tab.char_count.text() == f"{len(tab.editor.toPlainText()):,} characters"
    assert tab.editor.toPlainText().startswith(BOOK[0][0]) and len(tab.vm.project.chunks) == 9
    # The sentence list shows what will be said where it differs from the text.
    model = tab.chunks.model
    shown = [model.data(model.index(i, 1)) for i in range(model.rowCount())]
    assert (
        f"{NUMBERS}   → says: In nineteen ninety-nine, Doctor Smith paid three dollars"
        in (shown[1])
    )
    # Untick the second chapter; generate the ticked ones.
    tab.chapters.set_chosen([0, 2])
    assert "2 of 3 chapters ticked" in tab.chapters.summary.text()
    assert not tab.chapters.export_button.isEnabled()  # nothing made yet
    run(qloop, tab.book.generate_ticked())
    qtbot.waitUntil(lambda: not tab.vm.busy, timeout=60_000)
    tab.book.refresh_now()
    assert [r.text(2) for r in rows] == ["3 / 3", "0 / 3", "3 / 3"]
    assert tab.chapters.export_button.isEnabled()
    tab.chapters.captions.setCurrentIndex(tab.chapters.captions.findData("srt"))
    outcome = run(qloop, tab.book.export_book(tmp_path / "novel.m4b"))
    assert outcome is not None and outcome.chapters == 2
    assert (tmp_path / "novel.m4b").exists() and (tmp_path / "novel.srt").exists()
    # Read-along: while the M4B plays, the sentence heard is the one selected; its timing
    # is the captions' timing.
    import pysubs2

    cues = pysubs2.load(str(tmp_path / "novel.srt")).events
    timeline = tab.book.read_along
    assert len(timeline) == len(cues) == 6
    assert all(abs(c.start / 1000 - t.start_s) < 0.01 for c, t in zip(cues, timeline, strict=True))
    tab.player_bar.position_changed.emit(timeline[4].start_s + 0.05)
    assert [c.id for c in tab.chunks.chosen()] == [timeline[4].chunk]
    assert tab.vm.project.find(timeline[4].chunk).text == BOOK[2][1][0]
    rows_ = service.history.query(HistoryQuery(kinds=(HistoryKind.NARRATION,)))
    export = next(r for r in rows_ if "audiobook" in r.tags)
    assert {f.role for f in export.files} == {"export", "captions"}
    assert export.params["chapters"] == [BOOK[0][0], BOOK[2][0]]


def test_a_dropped_subtitle_file_becomes_a_voice_over(qtbot, qloop, service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from tests.support.books import CUES, make_srt

    service.audio_backend = FakeBackend(speed=8, keep_output=True)
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    tab = window.narration
    qtbot.waitUntil(lambda: tab.voice_panel.voice.count() > 0, timeout=10_000)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(make_srt(tmp_path / "video.srt")))])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    tab.dropEvent(drop)
    qtbot.waitUntil(lambda: tab.vm.project.book is not None, timeout=10_000)
    project = tab.vm.project
    assert [c.text for c in project.chunks] == [t for _, _, t in CUES]
    run(qloop, tab.generate())
    qtbot.waitUntil(lambda: not tab.vm.busy, timeout=60_000)
    run(qloop, tab.export_to(tmp_path / "voice.wav"))
    assert (tmp_path / "voice.wav").exists()
    assert "voice-over" in tab.status.text() and "3 cues" in tab.status.text()


def answer_save_dialog(seen: list[tuple[str, str]], path: Path, name_filter: str) -> None:
    """When the save dialog opens, note its title and offered name, pick ``name_filter`` and
    ``path``, and accept, as a person would."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(30, poll)
            return
        field = dialog.findChild(QLineEdit, "fileNameEdit")
        seen.append((dialog.windowTitle(), field.text() if field else ""))
        dialog.selectNameFilter(name_filter)
        dialog.setDirectory(str(path.parent))
        assert field is not None
        field.setText(path.name)  # typed over the offered name
        dialog.accept()

    QTimer.singleShot(30, poll)


def chapter_titles(path: Path) -> list[str]:
    ffprobe = shutil.which("ffprobe")
    assert ffprobe, "ffprobe is in the test set-up (scripts/setup.sh installs ffmpeg)"
    out = subprocess.run(
        [ffprobe, "-v", "error", "-print_format", "json", "-show_chapters", str(path)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return [c["tags"]["title"] for c in json.loads(out.stdout)["chapters"]]


@pytest.mark.qt_log_ignore("This plugin does not support")  # the file dialog, offscreen
def test_the_main_export_of_a_book_writes_the_audiobook(qtbot, qloop, service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tab = _narration_tab(qtbot, service)
    assert run(qloop, tab.open_script(make_epub(tmp_path / "novel.epub", extras=False)))
    run(qloop, tab.generate(), timeout=120)
    qtbot.waitUntil(lambda: not tab.vm.busy, timeout=60_000)
    tab.chapters.captions.setCurrentIndex(tab.chapters.captions.findData("srt"))
    # The main Export offers the audiobook, an M4B by default; the captions go beside it.
    out = tmp_path / "out" / "novel.m4b"
    out.parent.mkdir()
    seen: list[tuple[str, str]] = []
    answer_save_dialog(seen, out, "Audiobook (*.m4b)")
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: out.exists() and not tab.vm.busy, timeout=60_000)
    assert seen[0][0] == "Export audiobook" and seen[0][1].endswith(".m4b")
    assert chapter_titles(out) == [name for name, _ in CHAPTERS]
    assert out.with_suffix(".srt").exists()
    assert "3 chapters" in tab.status.text()
    # The folder option: one file per chapter, captions beside each.
    folder = tmp_path / "out" / "parts"
    answer_save_dialog(seen, folder, "A folder of chapter files (*)")
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: folder.is_dir() and not tab.vm.busy, timeout=60_000)
    qtbot.waitUntil(lambda: len(list(folder.glob("*.srt"))) == 3, timeout=30_000)
    names = sorted(p.name for p in folder.iterdir())
    assert [n for n in names if n.endswith(".mp3")] == [
        chapter_file_name(k, name, 2, "mp3") for k, (name, _) in enumerate(CHAPTERS, 1)
    ]
