"""The Music job list's rows: which state, which actions, elapsed and queue time."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from audio_studio.core.errors import ProviderUnavailableError
from audio_studio.core.jobs.runner import JobSnapshot
from audio_studio.core.jobs.store import StoredJob
from audio_studio.core.models import (
    HistoryKind,
    HistoryStatus,
    JobKind,
    JobStatus,
    Latency,
    RemoteJob,
    RemoteJobState,
    Usage,
)
from audio_studio.core.providers.polling import RemoteStatus, poll_until_done
from audio_studio.core.sound.music_board import (
    QUEUED_TEXT,
    QueueClock,
    RowState,
    music_rows,
)
from audio_studio.core.store.history import HistoryItem

T0 = 1_800_000_000.0


def stored(state: RemoteJobState = RemoteJobState.PENDING, error: str | None = None) -> StoredJob:
    remote = RemoteJob("gateway", "job_1", state=state, submitted_at=T0 - 3600,
                       meta={"submitted_local": T0, "prompt": "lofi"})  # fmt: skip
    return StoredJob("music-1", JobKind.MUSIC, remote, {"prompt": "lofi"}, 7,
                     "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", error)  # fmt: skip


def live(status: JobStatus = JobStatus.RUNNING, message: str = QUEUED_TEXT, **kw: object):  # type: ignore[no-untyped-def]
    snap = JobSnapshot("music-1", JobKind.MUSIC, "lofi", "gateway", status, None, message,
                       None, T0, T0, None)  # fmt: skip
    return replace(snap, **kw)  # type: ignore[arg-type]


def item(status: HistoryStatus, queue_ms: float | None = None) -> HistoryItem:
    return HistoryItem(7, HistoryKind.MUSIC, "lofi", status, "gateway", None, None, {}, "",
                       "lofi", "", 30.0, Usage(), Latency(queue_ms=queue_ms), None,
                       "2026-01-01T00:00:00+00:00", "2027-01-15T08:00:40+00:00", False, (),
                       None, "music-1")  # fmt: skip


def test_a_queued_then_running_job() -> None:
    clock = QueueClock()
    (row,) = music_rows([stored()], [live()], {}, clock, now=T0 + 10)
    assert row.state is RowState.QUEUED and row.status == "Queued on gateway"
    assert row.elapsed_s == 10 and row.queue_s == 10  # this computer's clock, not the provider's
    assert row.can_cancel_remote and row.can_stop_waiting and not row.can_keep_waiting
    running = live(message="Generating…")
    clock.observe(running, now=T0 + 12)
    (row,) = music_rows([stored()], [running], {}, clock, now=T0 + 20)
    assert row.state is RowState.RUNNING and row.status == "Generating…"
    assert row.queue_s == 12 and row.elapsed_s == 20


def test_not_waited_for_offers_keep_waiting() -> None:
    error = ProviderUnavailableError("Gateway has not finished after 10 min.")
    stopped = live(JobStatus.FAILED, error=error, finished=T0 + 600)
    (row,) = music_rows([stored()], [stopped], {7: item(HistoryStatus.INTERRUPTED)}, now=T0 + 700)
    assert row.state is RowState.STOPPED and row.status == "Still on gateway; not being waited for"
    assert row.error is not None and "has not finished" in row.error
    assert row.can_keep_waiting and row.can_cancel_remote and not row.can_stop_waiting
    assert row.elapsed_s == 700  # the job goes on at the provider
    # Left by a previous run: no runner job at all.
    (row,) = music_rows([stored()], [], {}, now=T0 + 5)
    assert row.state is RowState.STOPPED and row.can_keep_waiting


def test_finished_rows() -> None:
    done = stored(RemoteJobState.SUCCEEDED)
    (row,) = music_rows([done], [], {7: item(HistoryStatus.DONE, 2500)}, now=T0 + 99)
    assert row.state is RowState.DONE and row.queue_s == 2.5 and not row.can_cancel_remote
    failed = stored(RemoteJobState.FAILED, "Gateway could not finish the job (no GPU).")
    (row,) = music_rows([failed], [], {}, now=T0)
    assert row.state is RowState.FAILED and row.status.endswith("(no GPU).")
    cancelled = stored(RemoteJobState.CANCELED, "The job was cancelled on Gateway.")
    (row,) = music_rows([cancelled], [], {}, now=T0)
    assert row.state is RowState.CANCELLED and row.status == "The job was cancelled on Gateway."
    # A one-request provider (ElevenLabs): only a runner job, no remote one to cancel.
    el = live(JobStatus.SUCCEEDED, message="Done", finished=T0 + 40)
    el = replace(el, provider="elevenlabs")
    (row,) = music_rows([], [el], {}, live_items={"music-1": item(HistoryStatus.DONE)}, now=T0)
    assert row.state is RowState.DONE and not row.remote and row.elapsed_s == 40
    assert row.item_id == 7


def test_rows_come_newest_first_and_other_kinds_are_ignored() -> None:
    older = stored()
    newer = replace(
        stored(), id="music-2", remote=replace(older.remote, meta={"submitted_local": T0 + 5})
    )
    other = replace(live(), id="sfx-1", kind=JobKind.SFX)
    rows = music_rows([older, newer], [other], {}, now=T0 + 10)
    assert [r.job_id for r in rows] == ["music-2", "music-1"]


async def test_queued_text_is_what_the_poller_reports() -> None:
    seen: list[str | None] = []
    states = iter([RemoteJobState.PENDING, RemoteJobState.SUCCEEDED])

    async def fetch() -> RemoteStatus:
        return RemoteStatus(next(states))

    async def no_sleep(_delay: float) -> None:
        return None

    http = SimpleNamespace(name="Gateway", provider_id="gateway", scrub=str)
    await poll_until_done(fetch, http=http, deadline_s=5, sleep=no_sleep,  # type: ignore[arg-type]
                          progress=lambda _share, message: seen.append(message))  # fmt: skip
    assert seen[0] == QUEUED_TEXT and QueueClock.queued(seen[0])
    assert not QueueClock.queued(str(seen[1]))
