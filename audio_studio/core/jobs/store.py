"""Persisted async provider jobs (the ``remote_jobs`` table), so polling resumes after a restart.

A job is saved the moment the provider gives it an id (before the first poll), updated as it
is polled, and marked finished, failed or cancelled at the end. Rows never hold secrets: the
request is passed through ``redact_params`` and poll URLs come from the provider's reply.

Blocking: every method runs SQLite; call via asyncio.to_thread from async code.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from audio_studio.core.models import JobKind, RemoteJob, RemoteJobState, frozen_mapping
from audio_studio.core.store.db import Database
from audio_studio.core.store.history import now_iso, redact_params

__all__ = ["RemoteJobStore", "StoredJob"]

_UNFINISHED = (RemoteJobState.PENDING.value, RemoteJobState.RUNNING.value)


@dataclass(frozen=True)
class StoredJob:
    """A persisted async job: the studio's id, the provider's job, and its History row."""

    id: str
    kind: JobKind
    remote: RemoteJob
    request: Mapping[str, Any]
    item_id: int | None
    submitted_at: str
    updated_at: str
    error: str | None

    @property
    def finished(self) -> bool:
        return self.remote.state.value not in _UNFINISHED


def _iso(epoch: float | None) -> str:
    if epoch is None:
        return now_iso()
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def _epoch(iso: str) -> float | None:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return None


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(redact_params(value), sort_keys=True, default=str)


class RemoteJobStore:
    """Reads and writes rows of ``remote_jobs``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self,
        job_id: str,
        kind: JobKind,
        remote: RemoteJob,
        *,
        request: Mapping[str, Any] | None = None,
        item_id: int | None = None,
    ) -> None:
        """Record a job the provider just accepted (or replace the record of ``job_id``)."""
        now = now_iso()
        self.db.execute(
            "INSERT OR REPLACE INTO remote_jobs (id, kind, provider, remote_id, poll_url, "
            "cancel_url, state, request, meta, item_id, submitted_at, updated_at, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (
                job_id,
                kind.value,
                remote.provider,
                remote.job_id,
                remote.poll_url,
                remote.cancel_url,
                remote.state.value,
                _json(request or {}),
                _json(remote.meta),
                item_id,
                _iso(remote.submitted_at),
                now,
            ),
        )

    def update(
        self,
        job_id: str,
        *,
        state: RemoteJobState | None = None,
        error: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        sets, values = ["updated_at = ?"], [now_iso()]
        if state is not None:
            sets.append("state = ?")
            values.append(state.value)
        if error is not None:
            sets.append("error = ?")
            values.append(error)
        if meta is not None:
            sets.append("meta = ?")
            values.append(_json(meta))
        self.db.execute(f"UPDATE remote_jobs SET {', '.join(sets)} WHERE id = ?", [*values, job_id])

    def mark_finished(self, job_id: str) -> None:
        self.update(job_id, state=RemoteJobState.SUCCEEDED)

    def mark_failed(self, job_id: str, error: str) -> None:
        self.update(job_id, state=RemoteJobState.FAILED, error=error)

    def mark_canceled(self, job_id: str) -> None:
        self.update(job_id, state=RemoteJobState.CANCELED)

    def get(self, job_id: str) -> StoredJob | None:
        row = self.db.query_one("SELECT * FROM remote_jobs WHERE id = ?", (job_id,))
        return _job(row) if row else None

    def find(self, ref: str) -> StoredJob | None:
        """A job by the studio's id, or by the provider's id (what `music --no-wait` printed)."""
        row = self.db.query_one(
            "SELECT * FROM remote_jobs WHERE id = ? OR remote_id = ? ORDER BY submitted_at DESC",
            (ref, ref),
        )
        return _job(row) if row else None

    def unfinished(self) -> list[StoredJob]:
        rows = self.db.query(
            "SELECT * FROM remote_jobs WHERE state IN (?, ?) ORDER BY submitted_at", _UNFINISHED
        )
        return [_job(r) for r in rows]

    def recent(self, limit: int = 50) -> list[StoredJob]:
        rows = self.db.query(
            "SELECT * FROM remote_jobs ORDER BY submitted_at DESC LIMIT ?", (limit,)
        )
        return [_job(r) for r in rows]


def _job(r: sqlite3.Row) -> StoredJob:
    meta = json.loads(r["meta"] or "{}")
    return StoredJob(
        id=r["id"],
        kind=JobKind(r["kind"]),
        remote=RemoteJob(
            provider=r["provider"],
            job_id=r["remote_id"],
            poll_url=r["poll_url"],
            cancel_url=r["cancel_url"],
            state=RemoteJobState(r["state"]),
            submitted_at=_epoch(r["submitted_at"]),
            meta=frozen_mapping(meta),
        ),
        request=frozen_mapping(json.loads(r["request"] or "{}")),
        item_id=r["item_id"],
        submitted_at=r["submitted_at"],
        updated_at=r["updated_at"],
        error=r["error"],
    )
