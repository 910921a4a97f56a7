"""Settings as a newcomer meets them: Cancel discards everything, Test tests what is typed."""

from __future__ import annotations

import json

import httpx

from audio_studio.core.store.paths import AppPaths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import open_studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.support.qt import run


def test_cancel_discards_a_base_url_that_was_tested(qtbot, qloop, paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"data": [{"id": "tts-1"}]})

    secrets = MemorySecretStore()
    secrets.set("openai", "sk-test-key-123456789")
    service = open_studio(paths, secrets=secrets, transport=httpx.MockTransport(handler))
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.show()
    dialog = run(qloop, window.open_settings())
    page = dialog.providers
    page.base_url.setText("http://127.0.0.1:8123/v1")
    run(qloop, page.test_connection())
    # The typed address is what was tested...
    assert seen[-1] == "http://127.0.0.1:8123/v1/models"
    assert page.test_result.text().startswith("✓")
    # ...and nothing of it was saved: Cancel leaves settings (and settings.json) as they were.
    assert service.settings.provider("openai").base_url is None
    dialog.reject()
    assert service.settings.provider("openai").base_url is None
    if paths.settings_path.exists():
        saved = json.loads(paths.settings_path.read_text())
        assert "8123" not in json.dumps(saved)
    # The cloud provider built for the test is not the one the studio keeps.
    run(qloop, service.test_connection("openai"))
    assert seen[-1] == "https://api.openai.com/v1/models"
    # A missing key: the message says what to do on this very page.
    dialog = run(qloop, window.open_settings())
    page = dialog.providers
    secrets.delete("openai")
    run(qloop, service.delete_api_key("openai"))
    run(qloop, page.test_connection())
    assert "Settings → Providers" not in page.test_result.text()
    assert "API key" in page.test_result.text()
    dialog.reject()
