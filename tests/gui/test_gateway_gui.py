"""The two gateways in the window: a link pasted or dropped on the Transcription tab, their
pages and what could not be verified in Settings → Providers, and all four latency figures in
History's detail."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from audio_studio.core.models import HistoryKind, JobStatus
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.history.detail import describe_item
from audio_studio.ui.main_window import MainWindow
from tests.servers.base import WireServer
from tests.support.qt import run


def open_window(qtbot, service: Studio) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def drop_link(widget, url: str) -> None:  # type: ignore[no-untyped-def]
    """Drop a link as a browser does (text/uri-list and the text itself)."""
    from PySide6.QtCore import QUrl

    data = QMimeData()
    data.setUrls([QUrl(url)])
    data.setText(url)
    point = QPointF(widget.width() / 2, widget.height() / 2)
    action = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), action, data, buttons, keys)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(point, action, data, buttons, keys))


def test_a_pasted_link_is_passed_on_and_a_dropped_one_downloaded(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, wire: WireServer
) -> None:
    window = open_window(qtbot, transcription_gui_studio)
    window.tabs.setCurrentIndex(1)
    tab = window.transcription
    tab.options.select("imarouter")
    url = f"{wire.url}/media/meeting.mp3"
    tab.link.setText(url)
    qtbot.keyClick(tab.link, Qt.Key.Key_Return)
    job = tab.flow.last_job
    assert job is not None and tab.link.text() == ""
    outcome = run(qloop, job.result())
    assert wire.state["fetched"] == [url]  # ImaRouter fetched it; nothing was downloaded here
    qtbot.waitUntil(lambda: "Hello there" in tab.view.transcript().text)
    assert tab.title.text() == "meeting.mp3" and outcome.item.provider == "imarouter"

    # Dropped from a browser onto the tab, for a provider that needs the file: downloaded, then
    # uploaded to the listening server, which hears the 2-second tone as one burst of sound.
    tab.options.select("openai", "whisper-1")
    drop_link(tab, f"{wire.url}/media/talk.wav")
    second = tab.flow.last_job
    assert second is not None and second is not job
    dropped = run(qloop, second.result())
    assert dropped.transcript.text == "speech"
    assert dropped.recording.params["source"] == f"{wire.url}/media/talk.wav"
    assert dropped.recording.file() is not None  # the audio is kept in History
    assert len(wire.requests("GET", "/media/")) == 2
    assert tab.queue.tree.topLevelItemCount() == 2

    # Not a link: one line saying what to paste, no job.
    tab.link.setText("meeting.mp3")
    qtbot.keyClick(tab.link, Qt.Key.Key_Return)
    assert tab.flow.last_job is second and "https://" in tab.status.text()


def test_a_link_that_fails_is_one_line_in_the_tab(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, wire: WireServer
) -> None:
    window = open_window(qtbot, transcription_gui_studio)
    window.tabs.setCurrentIndex(1)
    tab = window.transcription
    tab.options.select("openai", "whisper-1")
    tab.flow.add_link(f"{wire.url}/media/missing.mp3")
    job = tab.flow.last_job
    assert job is not None
    with pytest.raises(Exception, match="HTTP 404"):
        run(qloop, job.result())
    qtbot.waitUntil(lambda: "HTTP 404" in tab.status.text())
    snapshot = transcription_gui_studio.runner.snapshot(job.id)
    assert snapshot is not None and snapshot.status is JobStatus.FAILED
    assert transcription_gui_studio.history.query(HistoryQuery()) == []


def test_settings_describe_both_gateways_from_their_pages(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio
) -> None:
    window = open_window(qtbot, transcription_gui_studio)
    dialog = run(qloop, window.open_settings())
    page = dialog.providers
    names = [page.list.item(i).text() for i in range(page.list.count())]
    assert "Crazyrouter" in names and "ImaRouter" in names
    page.list.setCurrentRow(names.index("ImaRouter"))
    qtbot.waitUntil(lambda: page.title.text() == "ImaRouter")
    text = page.source.toPlainText()
    assert "Not verified without an account" in text and "Suno v4" in text
    assert "returns an audio URL" in text and page.source.isVisible()
    assert page.base_url.placeholderText() == "https://api.imarouter.com/v1"
    assert "audio/generate" in page.description.text()
    page.list.setCurrentRow(names.index("Crazyrouter"))
    qtbot.waitUntil(lambda: page.title.text() == "Crazyrouter")
    assert 'href="https://crazyrouter.com/en/blog/' in page.source.toHtml()
    budgets = [
        dialog.budgets.table.item(r, 0).text() for r in range(dialog.budgets.table.rowCount())
    ]
    assert "Crazyrouter" in budgets and "ImaRouter" in budgets  # each with its own budget
    dialog.reject()


def test_history_detail_shows_all_four_latency_figures(  # type: ignore[no-untyped-def]
    qloop, transcription_gui_studio: Studio, wire: WireServer
) -> None:
    from pathlib import Path

    from audio_studio.core.models import TranscriptionRequest

    outcome = run(
        qloop,
        transcription_gui_studio.transcription.transcribe_link(
            f"{wire.url}/media/meeting.mp3", TranscriptionRequest(Path("x")),
            provider_id="imarouter",
        ),
    )  # fmt: skip
    assert outcome.item.kind is HistoryKind.TRANSCRIPT
    line = next(x for x in describe_item(outcome.item).splitlines() if x.startswith("Latency"))
    assert "first byte" in line and "total" in line and "upload" in line
    assert "queue —" in line and "first byte —" not in line and "upload —" not in line
