"""An async music job outlives the studio: submitted from the window, the process killed, the
studio started again, and the job finishes into History (real processes, keyring, SQLite, HTTP)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.settings import save_settings
from tests.support.desktop import SecretService
from tests.support.wire import KEYS, wire_settings

REPO = Path(__file__).resolve().parents[2]


def read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    import select

    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline().strip() if ready else ""


def query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql, args).fetchall()


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


@pytest.mark.slow
def test_a_music_job_survives_closing_the_studio(
    secret_service: SecretService, wire, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    paths = resolve_paths(home)
    paths.ensure()
    # The provider points at the loopback server through the settings, as a user would set it.
    save_settings(paths.settings_path, wire_settings(wire, music_provider="gateway"))
    wire.state["polls_to_finish"] = 10**6  # the job stays queued while the first studio runs
    env = {k: v for k, v in os.environ.items() if k != "AUDIO_STUDIO_KEYRING"}
    env.update(**secret_service.env(), AUDIO_STUDIO_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    first = subprocess.Popen(
        [sys.executable, "-m", "tests.support.sound_app", "gateway", "rainy lo-fi bed",
         KEYS["gateway"]],
        cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        line = read_line(first, 60)
        assert line.startswith("SUBMITTED music-"), first.stderr.read() if first.poll() else line
        job_id = line.split()[1]
        first.kill()  # no orderly shutdown: as if the machine went to sleep or the app crashed
        first.wait(10)
    finally:
        stop(first)
    db = paths.db_path
    ((state, item_id),) = query(db, "SELECT state, item_id FROM remote_jobs WHERE id = ?", job_id)
    assert state == "pending"
    assert query(db, "SELECT status FROM items WHERE id = ?", item_id) == [("running",)]
    polls_before = len(wire.requests("GET", "/gateway/v1/audio/generate/async/"))

    wire.state["polls_to_finish"] = 1  # the gateway finishes it meanwhile
    second = subprocess.Popen(
        [sys.executable, "-m", "audio_studio"],
        cwd=REPO, env={**env, "AUDIO_STUDIO_ANNOUNCE_SHOWN": "1"}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert read_line(second, 60) == "AUDIO_STUDIO_SHOWN"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if query(db, "SELECT status FROM items WHERE id = ?", item_id) == [("done",)]:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the resumed job did not finish into History")
        second.send_signal(signal.SIGTERM)  # closes the window the orderly way
        assert second.wait(30) == 0
    finally:
        stop(second)
    assert query(db, "SELECT state FROM remote_jobs WHERE id = ?", job_id) == [("succeeded",)]
    ((path,),) = query(db, "SELECT path FROM files WHERE item_id = ? AND role = 'audio'", item_id)
    assert (paths.data_dir / str(path)).exists() or Path(str(path)).exists()
    assert len(wire.requests("GET", "/gateway/v1/audio/generate/async/")) > polls_before
    assert len(wire.requests("POST", "/gateway/v1/audio/generate/async")) == 1  # not resubmitted
    log = paths.log_path.read_text()
    assert "resumed 1 music job(s)" in log and "Traceback" not in log
    assert KEYS["gateway"] not in log
