"""Every piece of work is one asyncio.Task owned by the JobRunner: progress, status, cancel.

Threads: everything here runs on the event loop thread (Qt's loop under qasync, or a plain
asyncio loop in the CLI and tests). Listeners are called on that thread, synchronously.
Status comes from exception types: CancelledError -> CANCELLED, StudioError -> FAILED with a
user message, anything else -> FAILED and reported to the bug handler (the excepthook in the GUI).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

from audio_studio.core.errors import StudioError
from audio_studio.core.models import JobKind, JobStatus

__all__ = ["Job", "JobContext", "JobListener", "JobProblem", "JobRunner", "JobSnapshot"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# Progress events closer together than this are merged, so a chatty engine cannot flood the UI.
_PROGRESS_INTERVAL_S = 0.05


@dataclass(frozen=True)
class JobProblem:
    """Work that ran to its end without all of it succeeding (sentences that failed, effects
    the provider refused): the job is finished, but it must not read as a plain "Done"."""

    message: str  # what failed and why, for the Jobs dock's card and its tooltip
    everything: bool = False  # nothing at all was made: the card says Failed
    done_share: float | None = None  # the share of the work that did succeed


@dataclass(frozen=True)
class JobSnapshot:
    """The state of one job at one moment, as listeners see it."""

    id: str
    kind: JobKind
    title: str
    provider: str | None
    status: JobStatus
    progress: float | None  # 0..1; None while the share of work done is unknown
    message: str
    error: BaseException | None
    created: float  # time.time()
    started: float | None
    finished: float | None
    problem: JobProblem | None = None  # set when a finished job did not all succeed

    @property
    def elapsed_s(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or time.time()) - self.started


class JobListener(Protocol):
    def __call__(self, snapshot: JobSnapshot, result: object | None) -> None: ...


class JobContext:
    """Handed to the work function so it can report progress and learn its own id."""

    def __init__(self, runner: JobRunner, job_id: str) -> None:
        self._runner = runner
        self.job_id = job_id

    def report(self, progress: float | None = None, message: str | None = None) -> None:
        """Report progress (0..1) and/or a short status line; cheap to call often."""
        self._runner._report(self.job_id, progress, message)

    def limiter(self, provider: str) -> asyncio.Semaphore:
        """The shared concurrency limit for calls to ``provider`` (across all jobs)."""
        return self._runner.limiter(provider)

    def report_problem(
        self, message: str, *, everything: bool = False, done_share: float | None = None
    ) -> None:
        """Say that the work will end without all of it succeeding (the result still comes
        back); the job then finishes as failed (``everything``) or partly failed."""
        self._runner._problems[self.job_id] = JobProblem(message, everything, done_share)


class Job(Generic[T]):
    """A submitted job: its id and task; ``await job.result()`` for the outcome."""

    def __init__(self, job_id: str, task: asyncio.Task[T]) -> None:
        self.id = job_id
        self.task = task

    async def result(self) -> T:
        return await asyncio.shield(self.task)


class JobRunner:
    """Starts, tracks and cancels jobs, and tells listeners about every change."""

    def __init__(
        self,
        *,
        provider_limits: dict[str, int] | None = None,
        default_limit: int = 4,
        bug_handler: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._provider_limits = dict(provider_limits or {})
        self._default_limit = default_limit
        self._limiters: dict[str, asyncio.Semaphore] = {}
        self._jobs: dict[str, tuple[JobSnapshot, asyncio.Task[Any]]] = {}
        self._listeners: list[JobListener] = []
        self._counter = itertools.count(1)
        self._last_progress: dict[str, float] = {}
        self._problems: dict[str, JobProblem] = {}
        self.bug_handler = bug_handler or _log_bug

    # -- listeners ---------------------------------------------------------------------------

    def add_listener(self, listener: JobListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: JobListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # -- submitting --------------------------------------------------------------------------

    def submit(
        self,
        kind: JobKind,
        title: str,
        work: Callable[[JobContext], Awaitable[T]],
        *,
        provider: str | None = None,
        job_id: str | None = None,
    ) -> Job[T]:
        """Start ``work`` as a task now and return its handle.

        Args:
            kind: what sort of job it is (shown in the Jobs dock).
            title: a short human title, e.g. the first words of the script.
            work: ``async def work(ctx) -> result``; it may call ``ctx.report``.
            provider: the provider the job talks to, for display and limits.
            job_id: reuse a persisted id (resumed async jobs); a new one otherwise.
        """
        jid = job_id or f"{kind.value}-{int(time.time() * 1000):x}-{next(self._counter)}"
        if jid in self._jobs and not self._jobs[jid][0].status.finished:
            raise ValueError(f"job {jid} is already running")
        snapshot = JobSnapshot(
            id=jid,
            kind=kind,
            title=title,
            provider=provider,
            status=JobStatus.PENDING,
            progress=None,
            message="Waiting…",
            error=None,
            created=time.time(),
            started=None,
            finished=None,
        )
        task = asyncio.get_running_loop().create_task(self._run(jid, work), name=f"job:{jid}")
        self._jobs[jid] = (snapshot, task)
        task.add_done_callback(lambda t: self._on_done(jid, t))
        self._emit(snapshot, None)
        return Job(jid, task)

    def _on_done(self, jid: str, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            # Cancelled before its first step: _run never saw the CancelledError.
            snapshot = self._jobs[jid][0]
            if not snapshot.status.finished:
                self._update(
                    jid, status=JobStatus.CANCELLED, finished=time.time(), message="Cancelled"
                )
        else:
            # Failures were already reported to listeners; retrieving the exception here keeps
            # asyncio from logging "exception was never retrieved" for jobs nobody awaits.
            task.exception()

    async def _run(self, jid: str, work: Callable[[JobContext], Awaitable[T]]) -> T:
        self._update(jid, status=JobStatus.RUNNING, started=time.time(), message="Working…")
        try:
            result = await work(JobContext(self, jid))
        except asyncio.CancelledError:
            self._problems.pop(jid, None)
            self._update(jid, status=JobStatus.CANCELLED, finished=time.time(), message="Cancelled")
            raise
        except StudioError as exc:
            self._problems.pop(jid, None)
            exc.job_id = exc.job_id or jid
            self._update(
                jid, status=JobStatus.FAILED, finished=time.time(), message=exc.message, error=exc
            )
            raise
        except Exception as exc:
            self._problems.pop(jid, None)
            self._update(
                jid,
                status=JobStatus.FAILED,
                finished=time.time(),
                message="An unexpected error occurred; details are in the log.",
                error=exc,
            )
            self.bug_handler(exc)
            raise
        problem = self._problems.pop(jid, None)
        if problem is None:
            changes: dict[str, Any] = {"progress": 1.0, "message": "Done"}
        else:
            changes = {"progress": problem.done_share, "message": problem.message}
        self._update(
            jid,
            status=JobStatus.SUCCEEDED,
            finished=time.time(),
            problem=problem,
            result=result,
            **changes,
        )
        return result

    # -- control -----------------------------------------------------------------------------

    def cancel(self, job_id: str) -> bool:
        """Ask a job to stop; returns False if it is unknown or already finished."""
        entry = self._jobs.get(job_id)
        if entry is None or entry[0].status.finished:
            return False
        return entry[1].cancel()

    async def cancel_all(self, grace_s: float = 5.0) -> None:
        """Cancel every running job and wait (up to ``grace_s``) for them to wind down."""
        tasks = [t for s, t in self._jobs.values() if not s.status.finished]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)

    def snapshot(self, job_id: str) -> JobSnapshot | None:
        entry = self._jobs.get(job_id)
        return entry[0] if entry else None

    def jobs(self) -> list[JobSnapshot]:
        return [s for s, _ in self._jobs.values()]

    def active(self) -> list[JobSnapshot]:
        return [s for s, _ in self._jobs.values() if not s.status.finished]

    def forget_finished(self) -> None:
        for jid in [j for j, (s, _) in self._jobs.items() if s.status.finished]:
            del self._jobs[jid]
            self._last_progress.pop(jid, None)
            self._problems.pop(jid, None)

    def limiter(self, provider: str) -> asyncio.Semaphore:
        if provider not in self._limiters:
            limit = self._provider_limits.get(provider, self._default_limit)
            self._limiters[provider] = asyncio.Semaphore(max(1, limit))
        return self._limiters[provider]

    def set_provider_limit(self, provider: str, limit: int) -> None:
        """Change a provider's limit; takes effect for calls that start after this."""
        self._provider_limits[provider] = limit
        self._limiters.pop(provider, None)

    # -- internals ---------------------------------------------------------------------------

    def _report(self, jid: str, progress: float | None, message: str | None) -> None:
        entry = self._jobs.get(jid)
        if entry is None or entry[0].status.finished:
            return
        now = time.monotonic()
        if message is None and now - self._last_progress.get(jid, 0.0) < _PROGRESS_INTERVAL_S:
            return
        self._last_progress[jid] = now
        changes: dict[str, Any] = {}
        if progress is not None:
            changes["progress"] = min(1.0, max(0.0, progress))
        if message is not None:
            changes["message"] = message
        if changes:
            self._update(jid, **changes)

    def _update(self, jid: str, *, result: object | None = None, **changes: Any) -> None:
        snapshot, task = self._jobs[jid]
        snapshot = replace(snapshot, **changes)
        self._jobs[jid] = (snapshot, task)
        self._emit(snapshot, result)

    def _emit(self, snapshot: JobSnapshot, result: object | None) -> None:
        for listener in list(self._listeners):
            try:
                listener(snapshot, result)
            except Exception as exc:  # a broken listener must not break the job
                self.bug_handler(exc)


def _log_bug(exc: BaseException) -> None:
    log.error("unexpected error in a job", exc_info=(type(exc), exc, exc.__traceback__))
