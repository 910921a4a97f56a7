"""The History tab offscreen: pages of rows, search with highlights, filters, the detail pane,
re-run, delete with undo, open in its tab, usage and upkeep."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from audio_studio.core.audio.codec import AudioData, encode
from audio_studio.core.models import AudioFormat, HistoryKind, SfxRequest, Usage
from audio_studio.core.store.history import FileRecord, HistoryEntry
from audio_studio.ui.bridge import JobController
from audio_studio.ui.history.model import MATCH, TITLE, highlight_html
from audio_studio.ui.main_window import MainWindow
from tests.support.qt import run


def window_on(qtbot, service) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentIndex(3)
    # The tab loads itself once after it is built; the tests drive refresh() themselves, and a
    # late first load would reset the rows they are looking at.
    window.history._debounce.stop()
    return window


def audio_entry(service, title: str, seconds: float, **kw) -> HistoryEntry:  # type: ignore[no-untyped-def]
    wave = np.sin(np.linspace(0, 2 * np.pi * 330 * seconds, int(16000 * seconds)))
    data = encode(AudioData((0.2 * wave).astype(np.float32).reshape(-1, 1), 16000), AudioFormat.WAV)
    stored = service.files.put_bytes(data, "wav")
    record = FileRecord("audio", stored.path, stored.sha256, "wav", stored.size_bytes, seconds)
    return HistoryEntry(title=title, files=(record,), duration_s=seconds, **kw)


def test_rows_arrive_in_pages_and_search_highlights(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    with service.db.transaction() as tx:
        tx.executemany(
            "INSERT INTO items (kind, title, prompt, provider, created_at) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    "sfx",
                    f"effect {i}",
                    f"door slam number {i}",
                    "local",
                    f"2026-11-01T00:{i // 60:02d}:{i % 60:02d}+00:00",
                )
                for i in range(450)
            ],
        )
    service.history.add(
        HistoryEntry(
            kind=HistoryKind.TRANSCRIPT,
            title="JFK",
            transcript="ask not what your country can do for you",
        )
    )
    tab = window_on(qtbot, service).history
    run(qloop, tab.refresh())
    assert tab.model.total == 451 and tab.model.rowCount() == 200  # one page, not 451 rows
    assert tab.count_label.text() == "451 items"
    # Scrolling to the end asks for the next page (once the view has laid out its rows).
    qtbot.waitUntil(lambda: tab.table.verticalScrollBar().maximum() > 0)
    tab.table.scrollToBottom()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 400)
    tab.search.setText("countr")
    qtbot.waitUntil(lambda: tab.model.total == 1)
    assert not tab.table.isColumnHidden(MATCH)
    index = tab.model.index(0, MATCH)
    assert "[country]" in index.data() and tab.model.index(0, TITLE).data() == "JFK"
    assert highlight_html("ask [not] <what>") == "ask <b>not</b> &lt;what&gt;"


def test_filters_and_the_detail_pane(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    add = service.history.add
    add(
        audio_entry(
            service,
            "Laser",
            0.3,
            kind=HistoryKind.SFX,
            provider="local",
            prompt="zap",
            params={"engine": "sfxr", "seed": 7},
        )
    )
    add(
        HistoryEntry(
            kind=HistoryKind.SPEECH,
            title="Hello",
            provider="openai",
            model="tts-1",
            voice="nova",
            input_text="Hello there",
            usage=Usage(characters=11, cost_usd=0.000165),
            starred=True,
        )
    )
    tab = window_on(qtbot, service).history
    run(qloop, tab.refresh())
    assert tab.model.total == 2
    # The provider choices fill in just after the rows.
    qtbot.waitUntil(lambda: tab.provider.findData("openai") > 0)
    tab.provider.setCurrentIndex(tab.provider.findData("openai"))
    qtbot.waitUntil(lambda: tab.model.total == 1)
    tab.provider.setCurrentIndex(0)
    tab.starred.setChecked(True)
    qtbot.waitUntil(lambda: tab.model.total == 1 and tab.model.items[0].title == "Hello")
    tab.table.selectRow(0)
    detail = tab.detail
    assert "Provider: openai" in detail.summary.text() and "nova" in detail.summary.text()
    assert "$0.0002" in detail.summary.text() and "11 characters" in detail.summary.text()
    assert detail.text.toPlainText() == "Hello there"
    detail.title.setText("Hello, renamed")
    detail.title.editingFinished.emit()
    detail.tags.setText("greeting demo")
    detail.tags.editingFinished.emit()
    qtbot.waitUntil(lambda: service.history.get(detail.item.id).tags == ("greeting", "demo"))
    assert service.history.get(detail.item.id).title == "Hello, renamed"
    qtbot.waitUntil(lambda: tab.model.items[0].title == "Hello, renamed")


def test_export_copy_converts_by_name(qtbot, qloop, service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service.history.add(audio_entry(service, "Tone", 0.5, kind=HistoryKind.SFX))
    tab = window_on(qtbot, service).history
    run(qloop, tab.refresh())
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.detail.audio_path() is not None)
    same = run(qloop, tab.detail.export_copy(tmp_path / "tone.wav"))
    assert same.read_bytes() == tab.detail.audio_path().read_bytes()
    flac = run(qloop, tab.detail.export_copy(tmp_path / "tone.flac"))
    assert flac.read_bytes()[:4] == b"fLaC"


def test_rerun_delete_undo_and_open_in_tab(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    outcome = run(qloop, service.sound.generate(SfxRequest(preset="jump", seed=3)))
    window = window_on(qtbot, service)
    tab = window.history
    run(qloop, tab.refresh())
    again = run(qloop, tab.rerun(outcome.item))
    assert again is not None and again.file("audio").sha256 == outcome.item.file("audio").sha256
    run(qloop, tab.refresh())
    assert tab.model.total == 2
    deletion = run(qloop, tab.delete(again))
    assert deletion is not None and tab.undo_bar.isVisibleTo(tab) and tab.model.total == 1
    assert "Deleted" in tab.undo_label.text()
    qtbot.mouseClick(tab.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.model.total == 2 and not tab.undo_bar.isVisibleTo(tab))
    # "Open in its tab" goes through the window to the tab for that kind.
    opened = []
    window.sound.open_item = opened.append  # type: ignore[attr-defined]
    tab.open_in_tab.emit(outcome.item)
    assert window.tabs.currentIndex() == 2 and opened == [outcome.item]


def test_usage_and_upkeep_views(qtbot, qloop, service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service.history.add(
        HistoryEntry(
            kind=HistoryKind.TAKE, provider="openai", usage=Usage(characters=2000, cost_usd=0.03)
        )
    )
    service.history.add(
        audio_entry(
            service, "Old", 0.4, kind=HistoryKind.SFX, created_at="2001-01-01T00:00:00+00:00"
        )
    )
    tab = window_on(qtbot, service).history
    tab.pages.setCurrentWidget(tab.usage)
    qtbot.waitUntil(lambda: tab.usage.table.rowCount() == 1)
    assert tab.usage.table.item(0, 1).text() == "openai"
    assert tab.usage.table.item(0, 6).text() == "$0.03"
    assert tab.usage.chart.providers == ["openai"]
    tab.pages.setCurrentWidget(tab.maintenance)
    qtbot.waitUntil(lambda: tab.maintenance.disk["total"].text() != "…")
    run(qloop, tab.maintenance.cleanup(30))
    assert "Removed 1 file(s)" in tab.maintenance.result.text()
    count = run(qloop, tab.maintenance.export(tmp_path / "lib.zip"))
    assert count is not None and (tmp_path / "lib.zip").exists()
    run(qloop, asyncio.sleep(0))


def test_settings_budgets_page_saves_a_budget(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    service.history.add(
        HistoryEntry(kind=HistoryKind.SPEECH, provider="openai", usage=Usage(cost_usd=1.25))
    )
    window = window_on(qtbot, service)
    dialog = run(qloop, window.open_settings())
    page = dialog.budgets
    amount, warn, _block = page.rows["openai"]
    row = [i.id for i in page.providers].index("openai")
    assert page.table.item(row, 4).text() == "$1.25"
    amount.setValue(20.0)
    warn.setValue(75)
    assert run(qloop, dialog.save())
    budget = service.settings.budget("openai")
    assert (budget.monthly_usd, budget.warn_at, budget.block_at) == (20.0, 0.75, 1.0)
    dialog.reject()


def test_related_rows_open_in_the_detail_pane(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    add = service.history.add
    recording = add(audio_entry(service, "Standup", 1.0, kind=HistoryKind.RECORDING))
    for name in ("local tiny.en", "openai whisper-1"):
        add(
            HistoryEntry(
                kind=HistoryKind.TRANSCRIPT,
                title=f"Standup ({name})",
                transcript=f"We shipped it, says {name}.",
                parent_id=recording,
            )
        )
    tab = window_on(qtbot, service).history
    run(qloop, tab.refresh())
    assert tab.model.total == 1  # the transcripts fold under their recording
    tab.table.selectRow(0)
    detail = tab.detail
    qtbot.waitUntil(lambda: detail.related.count() == 2)
    tabs = detail.pages
    assert tabs.tabText(tabs.indexOf(detail.related)) == "Related (2)"
    assert all("transcript · Standup (" in detail.related.item(i).text() for i in range(2))
    detail.related.itemActivated.emit(detail.related.item(1))
    assert detail.item.kind is HistoryKind.TRANSCRIPT and "says" in detail.text.toPlainText()
    qtbot.waitUntil(lambda: detail.related.count() == 1)
    assert detail.related.item(0).text().startswith("Part of: recording · Standup")
    detail.related.itemActivated.emit(detail.related.item(0))
    assert detail.item.id == recording
    # A child shown from Related stays in the pane through a refresh; "Make again" shows the
    # new item (an effect variation here, made again bit for bit).
    outcome = run(qloop, service.sound.generate(SfxRequest(preset="jump", seed=5)))
    variation = service.history.add(
        dataclasses.replace(
            HistoryEntry(kind=HistoryKind.SFX, title="jump 2", provider="local"),
            parent_id=outcome.item.id,
            params=dict(outcome.item.params),
            files=outcome.item.files,
        )
    )
    detail.show_item(service.history.get(variation))
    run(qloop, tab.refresh())
    assert detail.item is not None and detail.item.id == variation
    qtbot.mouseClick(detail.buttons["rerun"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.item is not None and detail.item.id > variation, timeout=10_000)
    assert "Made again as History #" in detail.note.text()
