"""The History library: re-run, delete with undo, clean-up, usage, and moving a library."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import AudioData, decode, encode
from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    AudioFormat,
    HistoryKind,
    SfxRequest,
    SpeechRequest,
    Usage,
)
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryQuery
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio


def add_audio_item(service: Studio, title: str, seconds: float = 0.5, **kw: object) -> int:
    tone = np.sin(np.linspace(0, 440 * 2 * np.pi * seconds, int(16000 * seconds)))
    data = encode(AudioData(tone.astype(np.float32).reshape(-1, 1) * 0.3, 16000), AudioFormat.WAV)
    stored = service.files.put_bytes(data, "wav")
    record = FileRecord("audio", stored.path, stored.sha256, "wav", stored.size_bytes, seconds)
    entry = HistoryEntry(kind=HistoryKind.SFX, title=title, files=(record,), **kw)  # type: ignore[arg-type]
    return service.history.add(entry)


async def test_rerun_sends_the_same_request_body(studio, wire) -> None:  # type: ignore[no-untyped-def]
    request = SpeechRequest(
        text="Re-run me exactly.",
        voice="nova",
        model="gpt-4o-mini-tts",
        speed=1.25,
        format=AudioFormat.MP3,
        instructions="Warm and slow.",
    )
    first = await studio.narration.speak(request, provider_id="openai")
    again = await studio.library.rerun(first.item)
    bodies = [r.json() for r in wire.requests("POST", "/openai/v1/audio/speech")]
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert again.id != first.item.id and again.input_text == first.item.input_text
    assert again.provider == "openai" and again.voice == "nova"


async def test_procedural_sfx_rerun_is_bit_identical(service) -> None:  # type: ignore[no-untyped-def]
    first = await service.sound.generate(SfxRequest(preset="explosion", seed=42))
    again = await service.library.rerun(first.item)
    a, b = first.item.file("audio"), again.file("audio")
    assert a is not None and b is not None
    assert a.sha256 == b.sha256 and a.path.read_bytes() == b.path.read_bytes()


async def test_a_recording_cannot_be_rerun(service) -> None:  # type: ignore[no-untyped-def]
    item_id = service.history.add(HistoryEntry(kind=HistoryKind.RECORDING, title="memo"))
    with pytest.raises(InputError, match="cannot be made again"):
        await service.library.rerun(service.history.get(item_id))


async def test_delete_removes_files_and_undo_restores_them(service) -> None:  # type: ignore[no-untyped-def]
    parent = add_audio_item(service, "parent", 0.4)
    child = add_audio_item(service, "child", 0.6, parent_id=parent)
    shared = service.history.get(parent).files[0]
    other = service.history.add(
        HistoryEntry(kind=HistoryKind.SFX, title="shares bytes", files=(shared,))
    )
    child_file = service.history.get(child).files[0].path
    deletion = await service.library.delete(parent)
    assert {i.id for i in deletion.items} == {parent, child}
    assert service.history.get(parent) is None and service.history.get(child) is None
    assert not child_file.exists()  # its own file went to the trash
    assert shared.path.exists()  # still used by another item
    assert service.history.get(other) is not None
    restored = await service.library.undo()
    assert restored is deletion
    assert service.history.get(parent).title == "parent"  # same id back
    assert service.history.get(child).parent_id == parent
    assert child_file.exists() and decode(child_file).duration_s == pytest.approx(0.6, abs=0.01)
    assert await service.library.undo() is None  # only the last delete can be undone


async def test_cleanup_keeps_starred_items_and_their_children(service) -> None:  # type: ignore[no-untyped-def]
    old = "2000-01-01T00:00:00+00:00"
    plain = add_audio_item(service, "old plain", 0.45, created_at=old)
    starred = add_audio_item(service, "old starred", created_at=old, starred=True)
    child = add_audio_item(service, "child of starred", 0.3, created_at=old, parent_id=starred)
    fresh = add_audio_item(service, "new", 0.7)
    plain_file = service.history.get(plain).files[0].path
    report = await service.library.cleanup_older_than(30)
    assert report.items == 1 and report.files == 1 and report.bytes_freed > 0
    assert not plain_file.exists()
    item = service.history.get(plain)
    assert item is not None and item.files == () and "files-removed" in item.tags
    for kept in (starred, child, fresh):
        assert service.history.get(kept).files[0].path.exists()


async def test_usage_per_provider_and_month(service) -> None:  # type: ignore[no-untyped-def]
    add = service.history.add
    add(
        HistoryEntry(
            kind=HistoryKind.TAKE, provider="openai", usage=Usage(characters=1000, cost_usd=0.015)
        )
    )
    add(
        HistoryEntry(
            kind=HistoryKind.NARRATION,
            provider="openai",
            usage=Usage(characters=1000, cost_usd=0.015),
        )
    )  # an export: not counted
    add(
        HistoryEntry(kind=HistoryKind.TRANSCRIPT, provider="groq", usage=Usage(audio_seconds=600.0))
    )
    add(
        HistoryEntry(
            kind=HistoryKind.SPEECH,
            provider="openai",
            usage=Usage(characters=10),
            created_at="2026-01-05T00:00:00+00:00",
        )
    )
    rows = await service.library.usage()
    newest = [r for r in rows if r.month == rows[0].month]
    openai = next(r for r in newest if r.provider == "openai")
    assert openai.characters == 1000 and openai.cost_usd == pytest.approx(0.015)
    groq = next(r for r in newest if r.provider == "groq")
    assert groq.audio_seconds == 600.0 and groq.unknown_cost_items == 1
    assert any(r.month == "2026-01" and r.characters == 10 for r in rows)
    disk = await service.library.disk_usage()
    assert disk.database_bytes > 0 and disk.total_bytes >= disk.database_bytes


CHECK_IMPORTED = r"""
import json, sys
from pathlib import Path
from audio_studio.core.audio.codec import decode
from audio_studio.core.studio import open_studio
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
svc = open_studio(resolve_paths(Path(sys.argv[1])), secrets=MemorySecretStore())
rows = []
for item in svc.history.query(HistoryQuery(limit=1000)):
    rows.append([item.id, item.title, item.parent_id, item.tags,
                 [round(decode(f.path).duration_s, 2) for f in item.files]])
print(json.dumps(sorted(rows)))
"""


async def test_export_then_import_on_a_fresh_home(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    parent = add_audio_item(service, "bed", 0.5, tags=("keep",))
    add_audio_item(service, "variation", 0.25, parent_id=parent)
    archive = tmp_path / "library.zip"
    count = await service.library.export(archive)
    assert count == 2 and "history.db" in zipfile.ZipFile(archive).namelist()
    fresh = open_studio(resolve_paths(tmp_path / "elsewhere"), secrets=MemorySecretStore())
    report = await fresh.library.import_(archive)
    assert report.items == 2 and report.files == 2 and report.kept_ids
    fresh.db.close()
    # A separate process on the new home sees the same rows and playable files.
    out = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORTED, str(tmp_path / "elsewhere")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    expected = sorted(
        [[parent, "bed", None, ["keep"], [0.5]], [parent + 1, "variation", parent, [], [0.25]]]
    )
    assert json.loads(out.stdout) == expected
    # Importing into a library that already has items gives new ids and keeps the links.
    again = await service.library.import_(archive)
    assert not again.kept_ids and again.files == 0
    assert service.history.count(HistoryQuery()) == 4


async def test_import_refuses_what_is_not_a_library(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a library export"):
        await service.library.import_(junk)
