"""JobRunner: ids, progress, status from exception types, cancel, limits, listeners."""

from __future__ import annotations

import asyncio

import pytest

from audio_studio.core.errors import InvalidRequestError
from audio_studio.core.jobs.runner import JobContext, JobRunner, JobSnapshot
from audio_studio.core.models import JobKind, JobStatus


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[JobSnapshot, object]] = []

    def __call__(self, snapshot: JobSnapshot, result: object | None) -> None:
        self.events.append((snapshot, result))

    def statuses(self, job_id: str) -> list[JobStatus]:
        out: list[JobStatus] = []
        for snap, _ in self.events:
            if snap.id == job_id and (not out or out[-1] is not snap.status):
                out.append(snap.status)
        return out


async def test_success_reports_progress_and_result() -> None:
    runner = JobRunner()
    rec = Recorder()
    runner.add_listener(rec)

    async def work(ctx: JobContext) -> str:
        ctx.report(0.5, "half way")
        await asyncio.sleep(0)
        return "made"

    job = runner.submit(JobKind.SPEECH, "hello", work, provider="local")
    assert await job.result() == "made"
    assert rec.statuses(job.id) == [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    assert any(s.message == "half way" and s.progress == 0.5 for s, _ in rec.events)
    last, result = rec.events[-1]
    assert result == "made" and last.progress == 1.0 and last.provider == "local"


async def test_studio_error_fails_the_job_with_its_message() -> None:
    runner = JobRunner()
    bugs: list[BaseException] = []
    runner.bug_handler = bugs.append

    async def work(ctx: JobContext) -> None:
        raise InvalidRequestError("Text too long for this voice.", status=400)

    job = runner.submit(JobKind.SPEECH, "t", work)
    with pytest.raises(InvalidRequestError) as info:
        await job.result()
    snap = runner.snapshot(job.id)
    assert snap is not None and snap.status is JobStatus.FAILED
    assert snap.message == "Text too long for this voice."
    assert info.value.job_id == job.id
    assert bugs == []  # a StudioError is not a bug


async def test_unexpected_exception_goes_to_the_bug_handler() -> None:
    runner = JobRunner()
    bugs: list[BaseException] = []
    runner.bug_handler = bugs.append

    async def work(ctx: JobContext) -> None:
        raise KeyError("oops")

    job = runner.submit(JobKind.SFX, "t", work)
    with pytest.raises(KeyError):
        await job.result()
    assert len(bugs) == 1 and isinstance(bugs[0], KeyError)
    assert runner.snapshot(job.id).status is JobStatus.FAILED  # type: ignore[union-attr]


async def test_cancel_a_running_job_propagates_cancelled_error() -> None:
    runner = JobRunner()
    started = asyncio.Event()
    cleaned = asyncio.Event()

    async def work(ctx: JobContext) -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            cleaned.set()

    job = runner.submit(JobKind.MUSIC, "long", work)
    await started.wait()
    assert runner.cancel(job.id)
    with pytest.raises(asyncio.CancelledError):
        await job.task
    assert cleaned.is_set()
    assert runner.snapshot(job.id).status is JobStatus.CANCELLED  # type: ignore[union-attr]
    assert not runner.cancel(job.id)  # already finished


async def test_cancel_before_the_job_starts() -> None:
    runner = JobRunner()
    ran = []

    async def work(ctx: JobContext) -> None:
        ran.append(1)

    job = runner.submit(JobKind.SFX, "t", work)
    runner.cancel(job.id)
    await asyncio.sleep(0.01)
    assert ran == []
    assert runner.snapshot(job.id).status is JobStatus.CANCELLED  # type: ignore[union-attr]


async def test_cancel_all_stops_everything() -> None:
    runner = JobRunner()

    async def work(ctx: JobContext) -> None:
        await asyncio.sleep(60)

    jobs = [runner.submit(JobKind.SFX, str(i), work) for i in range(3)]
    await asyncio.sleep(0)
    await runner.cancel_all()
    assert all(runner.snapshot(j.id).status is JobStatus.CANCELLED for j in jobs)  # type: ignore[union-attr]
    assert runner.active() == []


async def test_provider_limiter_bounds_concurrency() -> None:
    runner = JobRunner(provider_limits={"slow": 2})
    running = 0
    peak = 0

    async def call(ctx: JobContext) -> None:
        nonlocal running, peak
        async with ctx.limiter("slow"):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    jobs = [runner.submit(JobKind.SPEECH, str(i), call) for i in range(6)]
    await asyncio.gather(*(j.result() for j in jobs))
    assert peak == 2


async def test_a_broken_listener_does_not_break_the_job() -> None:
    runner = JobRunner()
    bugs: list[BaseException] = []
    runner.bug_handler = bugs.append

    def bad(snapshot: JobSnapshot, result: object | None) -> None:
        raise RuntimeError("listener bug")

    runner.add_listener(bad)

    async def work(ctx: JobContext) -> int:
        return 7

    assert await runner.submit(JobKind.SPEECH, "t", work).result() == 7
    assert bugs and all(isinstance(b, RuntimeError) for b in bugs)


async def test_progress_is_throttled_but_messages_are_not() -> None:
    runner = JobRunner()
    rec = Recorder()
    runner.add_listener(rec)

    async def work(ctx: JobContext) -> None:
        for i in range(1000):
            ctx.report(i / 1000)
        ctx.report(message="final words")

    await runner.submit(JobKind.TRANSCRIPTION, "t", work).result()
    assert len(rec.events) < 50
    assert any(s.message == "final words" for s, _ in rec.events)
