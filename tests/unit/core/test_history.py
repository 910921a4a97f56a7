"""History on a real SQLite file: migrations, inserts with files, FTS, filters, recovery."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from audio_studio.core.models import HistoryKind, HistoryStatus, Latency, Usage
from audio_studio.core.store.db import Database
from audio_studio.core.store.history import (
    FileRecord,
    HistoryEntry,
    HistoryQuery,
    HistoryStore,
    fts_query,
    redact_params,
)
from audio_studio.core.store.migrations import MIGRATIONS


def open_store(tmp_path: Path) -> HistoryStore:
    return HistoryStore(Database.open(tmp_path / "h.db").db, tmp_path)


def test_migrations_from_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.touch()  # an empty file is a valid, empty database
    db = Database.open(path).db
    version = db.query_one("PRAGMA user_version")[0]  # type: ignore[index]
    assert version == len(MIGRATIONS)
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"items", "files", "items_fts", "remote_jobs", "synth_cache"} <= tables
    assert db.query_one("PRAGMA journal_mode")[0] == "wal"  # type: ignore[index]
    db.close()
    # Opening again applies nothing new and keeps the data.
    again = Database.open(path)
    assert again.notices == []
    again.db.close()


def test_add_get_with_files_and_provenance(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    audio = FileRecord(
        "audio", tmp_path / "audio" / "ab" / "abc.wav", "abc", "wav", 1234, 1.5, 22050, 1
    )
    item_id = store.add(
        HistoryEntry(
            kind=HistoryKind.SPEECH,
            title="Greeting",
            provider="local",
            model="piper",
            voice="joe",
            params={"speed": 1.1, "api_key": "sk-should-never-be-stored", "nested": {"token": "x"}},
            input_text="Hello there",
            duration_s=1.5,
            usage=Usage(characters=11, cost_usd=0.0),
            latency=Latency(ttfb_ms=90.0, total_ms=400.0),
            files=(audio,),
            tags=("Demo", "demo", "two words"),
        )
    )
    item = store.get(item_id)
    assert item is not None
    assert item.title == "Greeting" and item.voice == "joe"
    assert item.params == {"speed": 1.1, "nested": {}}
    assert item.usage.characters == 11 and item.latency.ttfb_ms == 90.0
    assert item.tags == ("demo", "two-words")
    assert item.file("audio") == audio  # stored relative, read back absolute
    raw = store.db.query_one("SELECT path FROM files")
    assert raw is not None and raw[0] == "audio/ab/abc.wav"
    assert item.status is HistoryStatus.DONE and item.finished_at == item.created_at


def test_fts_finds_an_inserted_transcript(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.add(HistoryEntry(kind=HistoryKind.SFX, prompt="heavy wooden door slam"))
    wanted = store.add(
        HistoryEntry(
            kind=HistoryKind.TRANSCRIPT,
            title="Meeting",
            transcript="And so my fellow Americans, ask not what your country can do for you.",
        )
    )
    found = store.query(HistoryQuery(search="fellow americ"))
    assert [i.id for i in found] == [wanted]
    assert found[0].match is not None and "[fellow]" in found[0].match
    assert store.count(HistoryQuery(search="fellow")) == 1
    # Text a user types is never FTS syntax: quotes, operators and stars are just words.
    assert [i.prompt for i in store.query(HistoryQuery(search='door" OR *'))] == []
    assert len(store.query(HistoryQuery(search='door" *slam*'))) == 1
    assert store.query(HistoryQuery(search='"unbalanced')) == []
    # Updating the text re-indexes it.
    store.update(wanted, transcript="nothing about countries")
    assert store.query(HistoryQuery(search="fellow")) == []
    assert [i.id for i in store.query(HistoryQuery(search="countries"))] == [wanted]


def test_filters_and_search_combined(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    a = store.add(
        HistoryEntry(
            kind=HistoryKind.SFX,
            prompt="laser zap",
            provider="local",
            created_at="2026-01-01T00:00:00+00:00",
            starred=True,
        )
    )
    store.add(
        HistoryEntry(
            kind=HistoryKind.SFX,
            prompt="laser beam",
            provider="elevenlabs",
            created_at="2026-02-01T00:00:00+00:00",
        )
    )
    store.add(
        HistoryEntry(
            kind=HistoryKind.MUSIC,
            prompt="laser funk",
            provider="local",
            created_at="2026-03-01T00:00:00+00:00",
        )
    )
    q = HistoryQuery(search="laser", kinds=(HistoryKind.SFX,), provider="local")
    assert [i.id for i in store.query(q)] == [a]
    assert store.count(HistoryQuery(starred_only=True)) == 1
    assert store.count(HistoryQuery(since="2026-01-15T00:00:00+00:00")) == 2
    assert store.count(HistoryQuery(until="2026-01-15T00:00:00+00:00")) == 1
    newest_first = [i.prompt for i in store.query(HistoryQuery())]
    assert newest_first == ["laser funk", "laser beam", "laser zap"]
    assert [i.prompt for i in store.query(HistoryQuery(limit=1, offset=1))] == ["laser beam"]


def test_children_cascade_on_delete(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    parent = store.add(HistoryEntry(kind=HistoryKind.RECORDING, title="Voice note"))
    child = store.add(HistoryEntry(kind=HistoryKind.TRANSCRIPT, parent_id=parent, transcript="hi"))
    assert [c.id for c in store.children(parent)] == [child]
    assert store.count(HistoryQuery(top_level_only=True)) == 1
    deleted = store.delete(parent)
    assert deleted is not None and deleted.title == "Voice note"
    assert store.get(child) is None
    assert store.query(HistoryQuery(search="hi")) == []


def test_recover_marks_running_rows_interrupted(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    running = store.add(HistoryEntry(kind=HistoryKind.NARRATION, status=HistoryStatus.RUNNING))
    resumable = store.add(HistoryEntry(kind=HistoryKind.MUSIC, status=HistoryStatus.RUNNING))
    store.db.execute(
        "INSERT INTO remote_jobs (id, kind, provider, remote_id, state, item_id, submitted_at, "
        "updated_at) VALUES ('j1', 'music', 'replicate', 'r1', 'running', ?, 'now', 'now')",
        (resumable,),
    )
    done = store.add(HistoryEntry(kind=HistoryKind.SFX))
    assert store.recover() == 1
    item = store.get(running)
    assert item is not None and item.status is HistoryStatus.INTERRUPTED and item.error
    assert store.get(resumable).status is HistoryStatus.RUNNING  # type: ignore[union-attr]
    assert store.get(done).status is HistoryStatus.DONE  # type: ignore[union-attr]


def test_helpers() -> None:
    assert fts_query("  ") is None
    assert fts_query('door "slam" OR*') == '"door"* "slam"* "OR"*'
    assert redact_params({"Authorization": "Bearer x", "xi-api-key": "k", "voice": "v"}) == {
        "voice": "v"
    }


def test_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}")
    conn.close()
    from audio_studio.core.errors import StorageError

    try:
        Database.open(path)
    except StorageError as exc:
        assert "newer Audio Studio" in exc.message and str(path) in exc.message
    else:
        raise AssertionError("a newer schema must not be opened")
