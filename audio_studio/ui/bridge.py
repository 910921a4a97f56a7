"""JobController: turns the core's job events into Qt signals and submits work for the tabs.

Threads: the runner calls the listener on the event-loop thread, which under qasync is the
GUI thread, so signals are emitted directly (no queued hop needed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from audio_studio.core.errors import StudioError
from audio_studio.core.jobs.runner import Job, JobContext, JobRunner, JobSnapshot
from audio_studio.core.models import JobKind, JobStatus

T = TypeVar("T")


class JobController(QObject):
    """Qt face of the JobRunner.

    Signals:
        job_changed(JobSnapshot): any change of any job (status, progress, message).
        job_finished(str, object): job id and its result, after it succeeded.
        job_failed(str, object): job id and the exception (a StudioError, or a bug).
        job_cancelled(str): job id.
        history_changed(): something was added to, or changed in, History.
    """

    job_changed = Signal(object)
    job_finished = Signal(str, object)
    job_failed = Signal(str, object)
    job_cancelled = Signal(str)
    history_changed = Signal()

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        runner.add_listener(self._on_event)

    def submit(
        self,
        kind: JobKind,
        title: str,
        work: Callable[[JobContext], Awaitable[T]],
        *,
        provider: str | None = None,
        job_id: str | None = None,
    ) -> Job[T]:
        """Start ``work`` as a job; ``job_id`` reuses a persisted id (async music jobs)."""
        return self.runner.submit(kind, title, work, provider=provider, job_id=job_id)

    def cancel(self, job_id: str) -> bool:
        return self.runner.cancel(job_id)

    def detach(self) -> None:
        self.runner.remove_listener(self._on_event)

    def _on_event(self, snapshot: JobSnapshot, result: object | None) -> None:
        self.job_changed.emit(snapshot)
        if snapshot.status is JobStatus.SUCCEEDED:
            self.job_finished.emit(snapshot.id, result)
        elif snapshot.status is JobStatus.FAILED:
            self.job_failed.emit(snapshot.id, snapshot.error)
        elif snapshot.status is JobStatus.CANCELLED:
            self.job_cancelled.emit(snapshot.id)


def is_user_error(error: Any) -> bool:
    return isinstance(error, StudioError)
