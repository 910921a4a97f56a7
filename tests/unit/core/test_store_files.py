"""Content-addressed files, atomic writes, paths, and corrupt or unwritable storage."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audio_studio.core.errors import StorageError
from audio_studio.core.fileio import atomic_write_text
from audio_studio.core.store.db import Database
from audio_studio.core.store.files import FileStore
from audio_studio.core.store.paths import resolve_paths


def test_put_bytes_is_content_addressed(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "audio")
    data = b"RIFF....WAVE"
    one = store.put_bytes(data, "wav")
    two = store.put_bytes(data, ".wav")
    assert one == two
    assert one.sha256 == hashlib.sha256(data).hexdigest()
    assert one.path == tmp_path / "audio" / one.sha256[:2] / f"{one.sha256}.wav"
    assert one.path.read_bytes() == data
    assert not [p for p in one.path.parent.iterdir() if p.name.startswith(".incoming")]


def test_put_file_copies_or_moves(tmp_path: Path) -> None:
    src = tmp_path / "take.flac"
    src.write_bytes(b"fLaC" * 1000)
    stored = FileStore(tmp_path / "audio").put_file(src, move=True)
    assert stored.format == "flac" and stored.size_bytes == 4000
    assert stored.path.exists() and not src.exists()


def test_unwritable_store_gives_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="Check free disk space"):
        FileStore(blocker / "audio").put_bytes(b"x", "wav")


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_home_override_and_unwritable_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIO_STUDIO_HOME", str(tmp_path / "h"))
    paths = resolve_paths()
    assert paths.data_dir == tmp_path / "h" / "data"
    assert paths.db_path.parent == paths.data_dir
    paths.ensure()
    assert paths.audio_dir.is_dir() and paths.models_dir.is_dir()
    # Even root cannot create a folder inside a regular file.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError) as info:
        resolve_paths(blocker / "studio").ensure()
    assert str(blocker) in info.value.message and "--home" in info.value.message


def test_corrupt_database_is_moved_aside(tmp_path: Path, expect_warnings: None) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"this is not a database" * 100)
    opened = Database.open(path)
    assert len(opened.notices) == 1
    notice = opened.notices[0]
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("history.db.corrupt-")]
    assert len(moved) == 1 and moved[0].read_bytes().startswith(b"this is not")
    assert str(moved[0]) in notice and str(path) in notice
    assert opened.db.query_one("SELECT count(*) FROM items")[0] == 0  # type: ignore[index]
    opened.db.close()


WRITER = r"""
import sys, time
from pathlib import Path
from audio_studio.core.store.db import Database
from audio_studio.core.store.history import HistoryEntry, HistoryStore
from audio_studio.core.models import HistoryKind
store = HistoryStore(Database.open(Path(sys.argv[1])).db, Path(sys.argv[1]).parent)
for i in range(50):
    store.add(HistoryEntry(kind=HistoryKind.SFX, prompt=f"committed {i}"))
print("committed", flush=True)
with store.db.transaction() as tx:
    for i in range(100000):
        tx.execute("INSERT INTO items (kind, created_at, prompt) VALUES ('sfx', 'x', ?)",
                   (f"uncommitted {i}",))
        if i == 1000:
            print("in transaction", flush=True)
    time.sleep(60)
"""


def test_writer_killed_mid_transaction_keeps_every_committed_row(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "committed"
    assert proc.stdout.readline().strip() == "in transaction"
    proc.kill()  # SIGKILL: no cleanup, no rollback, the WAL holds a half transaction
    proc.wait(10)
    proc.stdout.close()
    opened = Database.open(path)
    assert opened.notices == []
    rows = opened.db.query("SELECT prompt FROM items ORDER BY id")
    assert [r[0] for r in rows] == [f"committed {i}" for i in range(50)]
    assert opened.db.query_one("PRAGMA integrity_check")[0] == "ok"  # type: ignore[index]
    opened.db.close()
    assert os.path.exists(path)
