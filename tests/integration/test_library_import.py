"""Moving a library: the CLI's export/import and an import that does not trust its archive."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import AudioData, encode
from audio_studio.core.errors import InputError
from audio_studio.core.models import AudioFormat, HistoryKind
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryQuery
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


def add_sound(service: Studio, title: str) -> int:
    tone = np.sin(np.linspace(0, 440 * 2 * np.pi * 0.3, 4800)).astype(np.float32) * 0.3
    stored = service.files.put_bytes(
        encode(AudioData(tone.reshape(-1, 1), 16000), AudioFormat.WAV), "wav"
    )
    record = FileRecord("audio", stored.path, stored.sha256, "wav", stored.size_bytes, 0.3)
    return service.history.add(HistoryEntry(kind=HistoryKind.SFX, title=title, files=(record,)))


def make_export(tmp_path: Path, *, secret: Path | None = None) -> Path:
    """A real export of a small library; with ``secret``, a transcript that points at it."""
    svc = open_studio(resolve_paths(tmp_path / "origin"), secrets=MemorySecretStore())
    add_sound(svc, "door")
    if secret is not None:
        digest = hashlib.sha256(secret.read_bytes()).hexdigest()
        outside = FileRecord("source", secret, digest, "wav", secret.stat().st_size, 1.0)
        svc.history.add(
            HistoryEntry(
                kind=HistoryKind.TRANSCRIPT,
                title="meeting",
                provider="openai",
                transcript="hello",
                params={"source": str(secret)},
                files=(outside,),
            )
        )
    svc.db.close()
    archive = tmp_path / "library.zip"
    out = cli(tmp_path / "origin", "library", "export", str(archive))
    assert out.returncode == 0, out.stderr
    assert "Exported the library" in out.stdout
    return archive


def with_extra(archive: Path, name: str, data: bytes) -> Path:
    bad = archive.with_name(f"bad-{abs(hash(name))}.zip")
    shutil.copy(archive, bad)
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr(zipfile.ZipInfo(name), data)
    return bad


def count(home: Path) -> int:
    svc = open_studio(resolve_paths(home), secrets=MemorySecretStore())
    try:
        return svc.history.count(HistoryQuery())
    finally:
        svc.db.close()


def test_cli_export_and_import_move_a_library(tmp_path: Path) -> None:
    archive = make_export(tmp_path)
    out = cli(tmp_path / "new", "library", "import", str(archive))
    assert out.returncode == 0, out.stderr
    assert "Imported 1 item(s) and 1 file(s)" in out.stdout
    assert count(tmp_path / "new") == 1
    again = cli(tmp_path / "origin", "library", "export", str(archive))
    assert again.returncode == 1 and "exists already" in again.stderr


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("models/piper/evil.onnx", "never contains"),
        ("trash/x.wav", "never contains"),
        ("../escaped.txt", "unsafe path"),
        ("audio/../../escaped.txt", "unsafe path"),
        ("/tmp/absolute.txt", "unsafe path"),
        ("history.db-wal", "never contains"),
    ],
)
def test_import_refuses_entries_outside_their_folders(
    tmp_path: Path, entry: str, says: str
) -> None:
    bad = with_extra(make_export(tmp_path), entry, b"payload")
    home = tmp_path / "new"
    out = cli(home, "library", "import", str(bad))
    assert out.returncode == 1, out.stdout
    assert says in out.stderr and "nothing was imported" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    data = resolve_paths(home).data_dir
    assert not (data / "models" / "piper" / "evil.onnx").exists()
    assert not (tmp_path / "escaped.txt").exists() and not (data.parent / "escaped.txt").exists()
    assert count(home) == 0


def test_a_damaged_file_is_refused_by_its_checksum(tmp_path: Path) -> None:
    archive = make_export(tmp_path)
    with zipfile.ZipFile(archive) as zf:
        audio = next(n for n in zf.namelist() if n.startswith("audio/"))
        contents = {n: zf.read(n) for n in zf.namelist()}
    contents[audio] = contents[audio][:-10] + b"0123456789"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in contents.items():
            zf.writestr(name, data)
    out = cli(tmp_path / "new", "library", "import", str(archive))
    assert out.returncode == 1 and "does not match its checksum" in out.stderr
    assert count(tmp_path / "new") == 0
    assert not (resolve_paths(tmp_path / "new").data_dir / audio).exists()


def test_a_damaged_database_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("history.db", b"this is not sqlite" * 100)
    out = cli(tmp_path / "new", "library", "import", str(bad))
    assert out.returncode == 1 and "History database in bad.zip" in out.stderr
    assert "Traceback" not in out.stderr


async def test_imported_paths_never_point_at_files_of_this_computer(
    tmp_path: Path, service: Studio
) -> None:
    """A transcript whose row named a local file must not make *Make again* upload it."""
    secret = tmp_path / "private.wav"
    secret.write_bytes(b"RIFF private bytes")
    archive = make_export(tmp_path, secret=secret)
    report = await service.library.import_(archive)
    assert report.items == 2
    items = service.history.query(HistoryQuery())
    transcript = next(i for i in items if i.kind is HistoryKind.TRANSCRIPT)
    assert transcript.files == ()
    assert "source" not in transcript.params and transcript.params["source_name"] == "private.wav"
    for item in items:
        for record in item.files:
            assert record.path.resolve().is_relative_to(service.paths.data_dir.resolve())
    with pytest.raises(InputError, match="no longer has its audio"):
        await service.library.rerun(transcript)
