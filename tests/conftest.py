"""Shared test set-up: offscreen Qt, a private data folder per test, no keyring or network."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

# Before anything imports Qt, the keyring or Hugging Face: tests never touch the user's
# display, keyring or the network unless a fixture provides a private one.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["AUDIO_STUDIO_KEYRING"] = "memory"
os.environ["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"
os.environ.pop("AUDIO_STUDIO_HOME", None)
for _var in (
    "OPENAI_API_KEY",
    "ELEVENLABS_API_KEY",
    "GROQ_API_KEY",
    "REPLICATE_API_TOKEN",
    "AUDIO_STUDIO_API_KEY",
    "CRAZYROUTER_API_KEY",
    "IMAROUTER_API_KEY",
):
    os.environ.pop(_var, None)

import pytest  # noqa: E402

from audio_studio.core.store.paths import AppPaths, resolve_paths  # noqa: E402
from audio_studio.core.store.secrets import MemorySecretStore  # noqa: E402
from audio_studio.core.studio import Studio, open_studio  # noqa: E402
from tests.support.data import DATA  # noqa: E402

pytest_plugins = [
    "tests.support.desktop",
    "tests.support.wire",
    "tests.support.audio",
    "tests.support.model_server",
    "tests.support.offline",
    "tests.support.sound",
    "tests.support.transcription",
    "tests.support.narration",
]

REPO = Path(__file__).resolve().parents[1]


SHARED_DATA = DATA


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if {"qtbot", "qapp", "qloop"} & set(fixtures):
            item.add_marker(pytest.mark.gui)
        if {"xvfb", "pulse", "secret_service"} & set(fixtures):
            item.add_marker(pytest.mark.desktop)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private AUDIO_STUDIO_HOME for this test."""
    folder = tmp_path / "home"
    monkeypatch.setenv("AUDIO_STUDIO_HOME", str(folder))
    return folder


@pytest.fixture
def paths(home: Path) -> AppPaths:
    p = resolve_paths(home)
    p.ensure()
    return p


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def service(paths: AppPaths, secrets: MemorySecretStore) -> Iterator[Studio]:
    """A Studio on a real SQLite file in tmp, with keys in memory."""
    svc = open_studio(paths, secrets=secrets)
    yield svc
    if not svc.db._conn.in_transaction:
        svc.db.close()


@pytest.fixture(scope="session")
def _qasync_loop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    from audio_studio.ui.event_loop import gui_event_loop

    loop = gui_event_loop(qapp, already_running=True)
    asyncio.events._set_running_loop(None)
    yield loop
    # stop() calls QApplication.exit(), after which Qt's nested event loops (qtbot.wait) return
    # at once; so there is one loop for the whole session, stopped only at its end.
    loop.stop()
    asyncio.events._set_running_loop(None)
    loop.close()


@pytest.fixture
def qloop(_qasync_loop: asyncio.AbstractEventLoop) -> Iterator[asyncio.AbstractEventLoop]:
    """qasync's loop over the test QApplication, as a running loop (pytest-qt style waits work).

    The app's one loop, as in the studio; tasks a test leaves behind are cancelled after it.
    """
    asyncio.events._set_running_loop(_qasync_loop)
    before = asyncio.all_tasks(_qasync_loop)
    yield _qasync_loop
    leftovers = [t for t in asyncio.all_tasks(_qasync_loop) - before if not t.done()]
    for task in leftovers:
        task.cancel()
    # Plain asyncio tests (pytest-asyncio) must not see the Qt loop as running.
    asyncio.events._set_running_loop(None)


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("audio_studio"):
            self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_unexpected_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that makes the studio log a WARNING or worse fails, unless it says it expects one."""
    collector = _WarningCollector()
    logging.getLogger().addHandler(collector)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(collector)
    if collector.records and "expect_warnings" not in request.fixturenames:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in collector.records)
        pytest.fail(f"unexpected warnings were logged:\n{lines}")


@pytest.fixture
def expect_warnings() -> None:
    """Use in tests where the studio is meant to log warnings."""
