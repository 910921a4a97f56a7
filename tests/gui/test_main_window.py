"""The window offscreen: tabs, banners, the Jobs dock (progress, Cancel), Settings, History."""

from __future__ import annotations

import asyncio

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from audio_studio.core.jobs.runner import JobContext
from audio_studio.core.models import JobKind, JobStatus
from audio_studio.core.store.paths import AppPaths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.support.qt import run


def make_window(qtbot, service: Studio) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_window_has_four_tabs_menus_dock_and_status(qtbot, qloop, paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    # No provider registered at all: each tab must say what it needs instead of failing.
    service = open_studio(paths, secrets=MemorySecretStore(), specs=[])
    window = make_window(qtbot, service)
    assert window.windowTitle() == "Audio Studio"
    names = [window.tabs.tabText(i).replace("&&", "&") for i in range(window.tabs.count())]
    assert names == ["Narration", "Transcription", "Sound (effects & music)", "History"]
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Actions", "&View", "&Tools", "&Help"]
    assert window.jobs_dock.isVisible()
    assert window.jobs_status.text() == "Ready"
    # Without an engine installed or a key, each tab says what it needs instead of failing.
    assert window.narration.banner.isVisibleTo(window.narration)
    assert "needs a provider" in window.narration.banner.text()
    assert not window.narration.generate_button.isEnabled()
    assert not window.transcription.recorder.record_button.isEnabled()
    assert "coming soon" not in window.narration.banner.text().lower()


def test_jobs_dock_shows_progress_and_cancel_works(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, service)
    gate = asyncio.Event()

    async def work(ctx: JobContext) -> None:
        ctx.report(0.4, "Sentence 2 of 5")
        await gate.wait()

    job = window.controller.submit(JobKind.NARRATION, "Chapter one", work, provider="local")
    qtbot.waitUntil(
        lambda: (
            window.jobs.row(job.id) is not None
            and "Sentence 2 of 5" in window.jobs.row(job.id).status.text()
        )
    )
    row = window.jobs.row(job.id)
    assert row is not None
    assert "Chapter one" in row.title.text() and row.progress.value() == 400
    assert window.jobs_status.text() == "1 job running"
    qtbot.mouseClick(row.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: service.runner.snapshot(job.id).status is JobStatus.CANCELLED)
    assert "Cancelled" in row.status.text() and not row.cancel_button.isVisibleTo(row)
    assert window.jobs_status.text() == "Ready"
    window.jobs.clear_finished()
    assert window.jobs.row(job.id) is None


def test_settings_saves_a_key_and_tests_the_connection(qtbot, qloop, paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("authorization") != "Bearer sk-test-key-123456789":
            return httpx.Response(401, json={"error": {"message": "bad key"}})
        return httpx.Response(200, json={"data": [{"id": "tts-1"}, {"id": "whisper-1"}]})

    secrets = MemorySecretStore()
    service = open_studio(paths, secrets=secrets, transport=httpx.MockTransport(handler))
    window = make_window(qtbot, service)
    dialog = run(qloop, window.open_settings())
    page = dialog.providers
    assert page.list.currentItem().text() == "OpenAI"
    assert "session only" in page.store_state.text()
    page.key.setText("sk-test-key-123456789")
    qtbot.mouseClick(page.save_key_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.key_state.text() == "A key is set for this session.")
    assert secrets.get("openai").reveal() == "sk-test-key-123456789"  # type: ignore[union-attr]
    assert page.key.text() == ""
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.test_result.text().startswith(("✓", "✗")))
    assert page.test_result.text() == "✓ Connected: 2 models available."
    assert seen[-1].url == "https://api.openai.com/v1/models"
    # Changing the base URL and saving settings persists it (the key stays out of the file).
    page.base_url.setText("http://127.0.0.1:9/v1")
    assert run(qloop, dialog.save())
    assert service.settings.provider("openai").base_url == "http://127.0.0.1:9/v1"
    assert "sk-test" not in paths.settings_path.read_text()
    dialog.reject()


def test_startup_notices_are_shown(qtbot, qloop, paths: AppPaths, expect_warnings) -> None:  # type: ignore[no-untyped-def]
    paths.settings_path.write_text("{{{ garbage")
    service = open_studio(paths, secrets=MemorySecretStore())
    window = make_window(qtbot, service)
    run(qloop, window.start())
    box = window.findChild(object, "startupNotices")
    assert box is not None and "default settings" in box.text()


def test_closing_with_running_jobs_asks_first(qtbot, qloop, service, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    window = make_window(qtbot, service)
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))

    async def work(ctx: JobContext) -> None:
        await asyncio.sleep(60)

    window.controller.submit(JobKind.MUSIC, "bed", work)
    qtbot.waitUntil(lambda: window.jobs_status.text() == "1 job running")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.close()
    assert closed == [] and window.isVisible()
    window.force_close()
    assert closed == [True]
    run(qloop, service.runner.cancel_all())


def test_about_lists_version_licence_and_components(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    from audio_studio import __version__

    window = make_window(qtbot, service)
    dialog = run(qloop, window.open_about())
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert __version__ in texts and "General Public License" in texts
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert {"PySide6-Essentials", "httpx", "numpy"} <= set(names)
    licences = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
    assert all(licences)
    dialog.close()


def test_a_tab_can_send_text_to_narration(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QObject, Signal

    class Sender(QObject):
        send_to_narration = Signal(str, str)

    window = make_window(qtbot, service)
    window.tabs.setCurrentIndex(3)
    sender = Sender()
    sender.send_to_narration.connect(window._on_tab_send_to_narration)
    sender.send_to_narration.emit("Summary: ship on Friday.", "Meeting notes")
    assert window.tabs.currentIndex() == 0
    assert window.narration.editor.toPlainText() == "Summary: ship on Friday."
