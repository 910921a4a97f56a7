"""The History library: every output of every kind with its provenance, and FTS5 search over it.

Blocking: every method runs SQLite; call via asyncio.to_thread from async code.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from audio_studio.core.models import HistoryKind, HistoryStatus, Latency, Usage, frozen_mapping
from audio_studio.core.store.db import Database
from audio_studio.core.store.history_types import (
    FileRecord,
    HistoryEntry,
    HistoryItem,
    HistoryQuery,
    entry_of,
    fts_query,
    now_iso,
    redact_params,
    tags_text,
)

__all__ = [
    "FileRecord",
    "HistoryEntry",
    "HistoryItem",
    "HistoryQuery",
    "HistoryStore",
    "entry_of",
    "fts_query",
    "now_iso",
    "redact_params",
]

_COLUMNS = (
    "kind, title, status, provider, model, voice, params, input_text, prompt, transcript, "
    "duration_s, characters, audio_seconds, requests, credits, cost_usd, ttfb_ms, total_ms, "
    "upload_ms, queue_ms, error, created_at, finished_at, starred, tags, parent_id, job_id"
)
_UPDATABLE = {
    "title", "status", "provider", "model", "voice", "params", "input_text", "prompt",
    "transcript", "duration_s", "error", "finished_at", "starred", "tags", "cost_usd",
    "characters", "audio_seconds", "requests", "credits", "ttfb_ms", "total_ms", "upload_ms",
    "queue_ms", "parent_id",
}  # fmt: skip


class HistoryStore:
    """Reads and writes History rows and their files."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.data_dir = data_dir

    # -- writing -----------------------------------------------------------------------------

    def add(self, entry: HistoryEntry, *, item_id: int | None = None) -> int:
        """Insert a row and its files; ``item_id`` restores a row under its old id."""
        created = entry.created_at or now_iso()
        finished = entry.finished_at
        if finished is None and entry.status is not HistoryStatus.RUNNING:
            finished = created
        row = (
            entry.kind.value,
            entry.title,
            entry.status.value,
            entry.provider,
            entry.model,
            entry.voice,
            json.dumps(redact_params(entry.params), sort_keys=True, default=str),
            entry.input_text,
            entry.prompt,
            entry.transcript,
            entry.duration_s,
            entry.usage.characters,
            entry.usage.audio_seconds,
            entry.usage.requests,
            entry.usage.credits,
            entry.usage.cost_usd,
            entry.latency.ttfb_ms,
            entry.latency.total_ms,
            entry.latency.upload_ms,
            entry.latency.queue_ms,
            entry.error,
            created,
            finished,
            int(entry.starred),
            tags_text(entry.tags),
            entry.parent_id,
            entry.job_id,
        )
        columns = _COLUMNS if item_id is None else f"id, {_COLUMNS}"
        values = row if item_id is None else (item_id, *row)
        marks = ", ".join("?" * len(values))
        with self.db.transaction() as tx:
            new_id = tx.execute(f"INSERT INTO items ({columns}) VALUES ({marks})", values)
            self._insert_files(tx, new_id, entry.files)
        return new_id

    def restore(self, items: Sequence[HistoryItem]) -> None:
        """Put deleted items back with their ids (parents before children)."""
        for item in sorted(items, key=lambda i: (i.parent_id is not None, i.id)):
            self.add(entry_of(item), item_id=item.id)

    def add_files(self, item_id: int, files: Sequence[FileRecord]) -> None:
        with self.db.transaction() as tx:
            self._insert_files(tx, item_id, files)

    def _insert_files(self, tx: Any, item_id: int, files: Sequence[FileRecord]) -> None:
        tx.executemany(
            "INSERT INTO files (item_id, role, path, sha256, format, size_bytes, duration_s, "
            "sample_rate, channels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    item_id,
                    f.role,
                    self._store_path(f.path),
                    f.sha256,
                    f.format,
                    f.size_bytes,
                    f.duration_s,
                    f.sample_rate,
                    f.channels,
                )
                for f in files
            ],
        )

    def update(self, item_id: int, **fields: Any) -> None:
        """Change some columns of one row; ``params`` and ``tags`` take Python values."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "params":
                value = json.dumps(redact_params(value), sort_keys=True, default=str)
            elif key == "tags":
                value = tags_text(value)
            elif isinstance(value, HistoryStatus):
                value = value.value
            elif isinstance(value, bool):
                value = int(value)
            values[key] = value
        if not values:
            return
        assignments = ", ".join(f"{key} = :{key}" for key in values)
        self.db.execute(
            f"UPDATE items SET {assignments} WHERE id = :_id", {**values, "_id": item_id}
        )

    def delete(self, item_id: int) -> HistoryItem | None:
        """Delete a row (its children and file rows cascade); returns what was deleted."""
        item = self.get(item_id)
        if item is not None:
            self.db.execute("DELETE FROM items WHERE id = ?", (item_id,))
        return item

    def recover(self) -> int:
        """Mark rows left RUNNING by a previous run as INTERRUPTED; returns how many.

        Rows whose work can resume (an async provider job in ``remote_jobs``) are left alone.
        """
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE items SET status = ?, finished_at = ?, "
                "error = coalesce(error, 'The studio stopped before this finished.') "
                "WHERE status = ? AND id NOT IN (SELECT item_id FROM remote_jobs "
                "WHERE item_id IS NOT NULL AND state IN ('pending', 'running'))",
                (HistoryStatus.INTERRUPTED.value, now_iso(), HistoryStatus.RUNNING.value),
            )
            return int(tx.query("SELECT changes()")[0][0])

    # -- reading -----------------------------------------------------------------------------

    def get(self, item_id: int) -> HistoryItem | None:
        row = self.db.query_one("SELECT * FROM items WHERE id = ?", (item_id,))
        if row is None:
            return None
        return self._item(row, self._files_for([item_id]).get(item_id, ()))

    def query(self, q: HistoryQuery) -> list[HistoryItem]:
        where, params, fts = self._where(q)
        if fts:
            # Newest first by id, which the FTS index walks in order and stops after one page;
            # ordering by created_at would compute every match (and its snippet) first.
            sql = (
                "SELECT items.*, snippet(items_fts, -1, '[', ']', '…', 8) AS match "
                "FROM items_fts JOIN items ON items.id = items_fts.rowid "
                f"WHERE items_fts MATCH ? {where} ORDER BY items_fts.rowid DESC "
                "LIMIT ? OFFSET ?"
            )
            rows = self.db.query(sql, [fts, *params, q.limit, q.offset])
        else:
            sql = (
                f"SELECT items.* FROM items WHERE 1 = 1 {where} "
                "ORDER BY items.created_at DESC, items.id DESC LIMIT ? OFFSET ?"
            )
            rows = self.db.query(sql, [*params, q.limit, q.offset])
        files = self._files_for([int(r["id"]) for r in rows])
        return [self._item(r, files.get(int(r["id"]), ())) for r in rows]

    def count(self, q: HistoryQuery) -> int:
        where, params, fts = self._where(q)
        if fts and not where:
            row = self.db.query_one("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", [fts])
        elif fts:
            row = self.db.query_one(
                "SELECT count(*) FROM items_fts JOIN items ON items.id = items_fts.rowid "
                f"WHERE items_fts MATCH ? {where}",
                [fts, *params],
            )
        else:
            row = self.db.query_one(f"SELECT count(*) FROM items WHERE 1 = 1 {where}", params)
        return int(row[0]) if row else 0

    def children(self, parent_id: int) -> list[HistoryItem]:
        return self.query(HistoryQuery(parent_id=parent_id, limit=10_000))

    def with_descendants(self, item_id: int) -> list[HistoryItem]:
        """The item and everything below it (takes, transcripts, summaries…), parents first."""
        rows = self.db.query(
            "WITH RECURSIVE tree(id) AS (SELECT ? UNION ALL "
            "SELECT items.id FROM items JOIN tree ON items.parent_id = tree.id) "
            "SELECT id FROM tree",
            (item_id,),
        )
        found = [self.get(int(r[0])) for r in rows]
        return [i for i in found if i is not None]

    def file_users(self, path: Path) -> int:
        """How many file rows point at ``path`` (content-addressed files are shared)."""
        row = self.db.query_one(
            "SELECT count(*) FROM files WHERE path = ?", (self._store_path(path),)
        )
        return int(row[0]) if row else 0

    def providers(self) -> list[str]:
        rows = self.db.query(
            "SELECT DISTINCT provider FROM items WHERE provider IS NOT NULL ORDER BY provider"
        )
        return [str(r[0]) for r in rows]

    def _where(self, q: HistoryQuery) -> tuple[str, list[Any], str | None]:
        clauses: list[str] = []
        params: list[Any] = []
        if q.kinds:
            clauses.append(f"items.kind IN ({', '.join('?' * len(q.kinds))})")
            params.extend(k.value for k in q.kinds)
        if q.provider:
            clauses.append("items.provider = ?")
            params.append(q.provider)
        if q.since:
            clauses.append("items.created_at >= ?")
            params.append(q.since)
        if q.until:
            clauses.append("items.created_at <= ?")
            params.append(q.until)
        if q.starred_only:
            clauses.append("items.starred = 1")
        if q.parent_id is not None:
            clauses.append("items.parent_id = ?")
            params.append(q.parent_id)
        if q.top_level_only:
            clauses.append("items.parent_id IS NULL")
        where = "".join(f" AND {c}" for c in clauses)
        return where, params, fts_query(q.search) if q.search else None

    def _files_for(self, ids: Sequence[int]) -> dict[int, tuple[FileRecord, ...]]:
        if not ids:
            return {}
        out: dict[int, list[FileRecord]] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            rows = self.db.query(
                f"SELECT * FROM files WHERE item_id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
                list(chunk),
            )
            for r in rows:
                out.setdefault(int(r["item_id"]), []).append(
                    FileRecord(
                        role=r["role"],
                        path=self._load_path(r["path"]),
                        sha256=r["sha256"],
                        format=r["format"],
                        size_bytes=int(r["size_bytes"]),
                        duration_s=r["duration_s"],
                        sample_rate=r["sample_rate"],
                        channels=r["channels"],
                    )
                )
        return {k: tuple(v) for k, v in out.items()}

    def _item(self, r: sqlite3.Row, files: tuple[FileRecord, ...]) -> HistoryItem:
        keys = r.keys()
        return HistoryItem(
            id=int(r["id"]),
            kind=HistoryKind(r["kind"]),
            title=r["title"],
            status=HistoryStatus(r["status"]),
            provider=r["provider"],
            model=r["model"],
            voice=r["voice"],
            params=frozen_mapping(json.loads(r["params"] or "{}")),
            input_text=r["input_text"],
            prompt=r["prompt"],
            transcript=r["transcript"],
            duration_s=r["duration_s"],
            usage=Usage(
                characters=int(r["characters"]),
                audio_seconds=float(r["audio_seconds"]),
                requests=int(r["requests"]),
                credits=float(r["credits"]),
                cost_usd=r["cost_usd"],
            ),
            latency=Latency(r["ttfb_ms"], r["total_ms"], r["upload_ms"], r["queue_ms"]),
            error=r["error"],
            created_at=r["created_at"],
            finished_at=r["finished_at"],
            starred=bool(r["starred"]),
            tags=tuple(t for t in (r["tags"] or "").split() if t),
            parent_id=r["parent_id"],
            job_id=r["job_id"],
            files=files,
            match=r["match"] if "match" in keys else None,
        )

    def _store_path(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.data_dir.resolve()))
        except ValueError:
            return str(path)

    def _load_path(self, stored: str) -> Path:
        p = Path(stored)
        return p if p.is_absolute() else self.data_dir / p
