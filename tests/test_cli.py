"""The command line: parser, --version, --home, history (list, search, JSON), exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from audio_studio import __version__
from audio_studio.core.models import HistoryKind
from audio_studio.core.store.history import HistoryEntry
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import open_studio


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def seed(home: Path) -> None:
    service = open_studio(resolve_paths(home), secrets=MemorySecretStore())
    service.history.add(
        HistoryEntry(
            kind=HistoryKind.SFX,
            title="Door",
            prompt="wooden door slam",
            provider="local",
            duration_s=1.2,
        )
    )
    service.history.add(
        HistoryEntry(
            kind=HistoryKind.TRANSCRIPT,
            title="JFK",
            transcript="ask not what your country can do for you",
        )
    )
    service.db.close()


def test_version() -> None:
    out = cli("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"audio-studio {__version__}"


def test_history_list_search_and_json(tmp_path: Path) -> None:
    home = tmp_path / "h"
    seed(home)
    listed = cli("--home", str(home), "history")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "JFK" in lines[0] and "Door" in lines[1]
    found = cli("--home", str(home), "history", "--search", "country", "--json")
    data = json.loads(found.stdout)
    assert [d["title"] for d in data] == ["JFK"]
    assert data[0]["match"] and "[country]" in data[0]["match"]
    by_kind = cli("history", "--kind", "sfx", "--json", env={"AUDIO_STUDIO_HOME": str(home)})
    assert [d["title"] for d in json.loads(by_kind.stdout)] == ["Door"]
    limited = cli("--home", str(home), "history", "--limit", "1", "--json")
    assert len(json.loads(limited.stdout)) == 1
    by_provider = cli("--home", str(home), "history", "--provider", "local", "--json")
    assert [d["title"] for d in json.loads(by_provider.stdout)] == ["Door"]
    assert json.loads(cli("--home", str(home), "history", "--starred", "--json").stdout) == []
    recent = cli("--home", str(home), "history", "--since", "1", "--json")
    assert len(json.loads(recent.stdout)) == 2
    old = cli("--home", str(home), "history", "--since", "2000-01-01", "--search", "door")
    assert "Door" in old.stdout
    assert cli("--home", str(home), "history", "--since", "soon").returncode == 2


def test_history_bad_usage_exits_2(tmp_path: Path) -> None:
    out = cli("--home", str(tmp_path / "h"), "history", "--kind", "podcast")
    assert out.returncode == 2 and "unknown kind" in out.stderr and out.stdout == ""
    assert cli("history", "--limit", "zero").returncode == 2
    assert cli("no-such-command").returncode == 2


def test_empty_history(tmp_path: Path) -> None:
    out = cli("--home", str(tmp_path / "h"), "history")
    assert out.returncode == 0 and "History is empty." in out.stdout


def test_unwritable_home_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = cli("--home", str(blocker / "studio"), "history")
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "cannot write" in out.stderr
    assert "Traceback" not in out.stderr


def test_gui_without_display_says_how_to_start(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["AUDIO_STUDIO_HOME"] = str(tmp_path / "h")
    out = subprocess.run(
        [sys.executable, "-m", "audio_studio"], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "xvfb-run" in out.stderr
    assert "QT_QPA_PLATFORM=offscreen" in out.stderr and "Traceback" not in out.stderr


def test_gui_with_unwritable_data_dir_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = cli("--home", str(blocker / "studio"), env={"QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 1
    assert "cannot write" in out.stderr and "Traceback" not in out.stderr
