"""The Music job list as plain rows: persisted async jobs and this session's music jobs, merged.

A row says what a person needs: where the job is (queued, generating, not waited for, done,
failed, cancelled), how long since it was submitted, how long it queued, and what can be done
(cancel it on the provider, keep waiting for it). The persisted job is the truth about the
provider's side; the runner's snapshot is the truth about whether this studio is waiting.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from audio_studio.core.jobs.runner import JobSnapshot
from audio_studio.core.jobs.store import RemoteJobStore, StoredJob
from audio_studio.core.models import JobKind, JobStatus, RemoteJobState
from audio_studio.core.store.history import HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["QUEUED_TEXT", "MusicRow", "QueueClock", "RowState", "load_rows", "music_rows"]

# What poll_until_done reports while a job waits in the provider's queue, and the line the
# music service reports when the provider accepts a job (both checked by a unit test).
QUEUED_TEXT = "Queued on the provider…"
SUBMITTED_PREFIX = "Submitted to "
_NOT_STARTED = ("Working…", "Waiting…")  # the runner's own words before the job reports


class RowState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    STOPPED = "stopped"  # unfinished on the provider, but nobody is waiting for it here
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        return self in (RowState.QUEUED, RowState.RUNNING)


@dataclass(frozen=True)
class MusicRow:
    job_id: str
    prompt: str
    provider: str
    state: RowState
    status: str  # the Status column's text
    elapsed_s: float | None
    queue_s: float | None
    submitted: float  # epoch seconds, for sorting
    item_id: int | None = None
    remote: bool = False  # an async job on the provider (it can be cancelled there)
    error: str | None = None

    @property
    def can_cancel_remote(self) -> bool:
        return self.remote and (self.state.active or self.state is RowState.STOPPED)

    @property
    def can_keep_waiting(self) -> bool:
        return self.remote and self.state is RowState.STOPPED

    @property
    def can_stop_waiting(self) -> bool:
        return self.state.active


@dataclass
class QueueClock:
    """Notes when each job left the provider's queue, from its progress messages."""

    left: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def queued(message: str) -> bool:
        return message == QUEUED_TEXT or message.startswith(SUBMITTED_PREFIX)

    def observe(self, snapshot: JobSnapshot, now: float | None = None) -> None:
        if snapshot.kind is not JobKind.MUSIC or snapshot.status is not JobStatus.RUNNING:
            return
        message = snapshot.message
        if snapshot.id in self.left or self.queued(message) or message in _NOT_STARTED:
            return
        self.left[snapshot.id] = now if now is not None else time.time()


def _epoch(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return None


def _state(stored: StoredJob | None, live: JobSnapshot | None) -> RowState:
    remote_open = stored is not None and not stored.finished
    if live is not None and not live.status.finished:
        return RowState.QUEUED if QueueClock.queued(live.message) else RowState.RUNNING
    if live is not None and live.status is JobStatus.SUCCEEDED:
        return RowState.DONE
    if remote_open:
        return RowState.STOPPED
    if stored is not None:
        return {
            RemoteJobState.SUCCEEDED: RowState.DONE,
            RemoteJobState.CANCELED: RowState.CANCELLED,
        }.get(stored.remote.state, RowState.FAILED)
    if live is not None and live.status is JobStatus.CANCELLED:
        return RowState.CANCELLED
    return RowState.FAILED


def _status(state: RowState, provider: str, live: JobSnapshot | None, error: str | None) -> str:
    if state is RowState.QUEUED:
        return f"Queued on {provider}"
    if state is RowState.RUNNING:
        message = live.message if live is not None else ""
        return message if message and message != "Working…" else "Generating…"
    if state is RowState.STOPPED:
        # Why the studio stopped waiting (a deadline, a network error) is in ``error``.
        return f"Still on {provider}; not being waited for"
    if state is RowState.DONE:
        return "Done: in History"
    if state is RowState.CANCELLED:
        return error or f"Cancelled on {provider}"
    return f"Failed: {error}" if error else "Failed"


def _row(
    jid: str,
    stored: StoredJob | None,
    live: JobSnapshot | None,
    item: HistoryItem | None,
    clock: QueueClock,
    now: float,
) -> MusicRow:
    state = _state(stored, live)
    if stored is not None:
        prompt = str(stored.request.get("prompt") or stored.remote.meta.get("prompt") or "")
        provider = stored.remote.provider
        local = stored.remote.meta.get("submitted_local")
        submitted = (
            float(local)
            if isinstance(local, int | float)
            else stored.remote.submitted_at or _epoch(stored.submitted_at) or now
        )
    else:
        assert live is not None
        prompt, provider = live.title, live.provider or ""
        submitted = live.started or live.created
    error = (stored.error if stored is not None else None) or (item.error if item else None)
    if live is not None and live.status is JobStatus.FAILED and live.error is not None:
        error = str(live.error)
    if state in (RowState.DONE,):
        error = None
    finished_at = _epoch(item.finished_at) if item is not None else None
    if state.active or state is RowState.STOPPED:
        end = now
    elif live is not None and live.finished is not None:
        end = live.finished
    else:
        end = finished_at or now
    queue = item.latency.queue_ms / 1000 if item and item.latency.queue_ms is not None else None
    if queue is None and jid in clock.left:
        queue = max(0.0, clock.left[jid] - submitted)
    elif queue is None and state is RowState.QUEUED:
        queue = max(0.0, now - submitted)
    return MusicRow(
        job_id=jid,
        prompt=prompt or (item.prompt if item else ""),
        provider=provider,
        state=state,
        status=_status(state, provider, live, error),
        elapsed_s=max(0.0, end - submitted),
        queue_s=queue,
        submitted=submitted,
        item_id=stored.item_id if stored is not None else (item.id if item else None),
        remote=stored is not None,
        error=error,
    )


def music_rows(
    stored: Sequence[StoredJob],
    live: Sequence[JobSnapshot],
    items: Mapping[int, HistoryItem],
    clock: QueueClock | None = None,
    *,
    live_items: Mapping[str, HistoryItem] | None = None,
    now: float | None = None,
) -> list[MusicRow]:
    """Rows, newest first, for every persisted music job and every music job of this session.

    ``items`` maps History ids (of stored jobs) to rows; ``live_items`` maps job ids of jobs
    without a remote part (ElevenLabs' one long request) to their History row, when known.
    """
    now = time.time() if now is None else now
    clock = clock or QueueClock()
    by_id = {j.id: j for j in stored if j.kind is JobKind.MUSIC}
    snapshots = {s.id: s for s in live if s.kind is JobKind.MUSIC}
    rows = []
    for jid in {*by_id, *snapshots}:
        job = by_id.get(jid)
        item = items.get(job.item_id) if job is not None and job.item_id is not None else None
        if item is None and live_items:
            item = live_items.get(jid)
        rows.append(_row(jid, job, snapshots.get(jid), item, clock, now))
    return sorted(rows, key=lambda r: r.submitted, reverse=True)


async def load_rows(
    ctx: StudioContext, jobs: RemoteJobStore, clock: QueueClock | None = None
) -> list[MusicRow]:
    """The music rows: recent persisted jobs and this session's music jobs."""
    stored = await asyncio.to_thread(jobs.recent)
    live = [s for s in ctx.runner.jobs() if s.kind is JobKind.MUSIC]
    ids = [j.item_id for j in stored if j.item_id is not None]
    known = {j.id for j in stored}
    local_jobs = [s.id for s in live if s.id not in known]

    def read() -> tuple[dict[int, HistoryItem], dict[str, HistoryItem]]:
        items = {i: item for i in ids if (item := ctx.history.get(i)) is not None}
        by_job: dict[str, HistoryItem] = {}
        for jid in local_jobs:
            row = ctx.db.query_one(
                "SELECT id FROM items WHERE job_id = ? ORDER BY id DESC LIMIT 1", (jid,)
            )
            if row is not None and (item := ctx.history.get(int(row[0]))) is not None:
                by_job[jid] = item
        return items, by_job

    items, by_job = await asyncio.to_thread(read)
    return music_rows(stored, live, items, clock, live_items=by_job)
