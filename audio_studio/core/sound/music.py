"""Music as a job: provider call -> stored audio + a History row; async jobs persist and resume.

The History row is RUNNING while the provider works, across restarts too (``recover()`` keeps
rows whose remote job is unfinished), and is finished when the audio is stored. Cancelling the
task only stops waiting, so the remote job stays resumable (quitting, Ctrl+C, ``--no-wait``);
``cancel()`` is what stops it on the provider.

Threads: runs on the event loop; SQLite, files and decoding go through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.costs import Estimate
from audio_studio.core.errors import (
    ConfigurationError,
    InputError,
    NetworkError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
    StudioError,
)
from audio_studio.core.jobs.runner import Job, JobContext
from audio_studio.core.jobs.store import RemoteJobStore, StoredJob
from audio_studio.core.models import (
    AudioResult,
    Capability,
    HistoryKind,
    HistoryStatus,
    JobKind,
    MusicRequest,
    RemoteJob,
    Usage,
    frozen_mapping,
)
from audio_studio.core.providers.base import MusicGenerator, ProgressFn
from audio_studio.core.providers.polling import REMOTE_CANCELED
from audio_studio.core.sound.music_board import MusicRow, QueueClock, load_rows
from audio_studio.core.sound.music_output import measure_duration, write_output
from audio_studio.core.store.history import FileRecord, HistoryEntry, now_iso

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["MusicOutcome", "MusicService"]

log = logging.getLogger(__name__)

# Failures after which the remote job is probably still fine: keep it for `jobs resume`.
_RESUMABLE = (NetworkError, ProviderUnavailableError, RateLimitedError)
_REMOTE_CANCEL_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class MusicOutcome:
    """What a music job left behind. ``result`` is None when it was not waited for."""

    job_id: str
    item_id: int
    provider: str
    remote: RemoteJob | None
    result: AudioResult | None
    audio_path: Path | None  # the stored file in the data folder
    output: Path | None  # the caller's file, when one was asked for and written
    estimate: Estimate | None = None


class MusicService:
    """Generates, resumes and cancels music jobs for one StudioContext."""

    def __init__(self, ctx: StudioContext) -> None:
        self._ctx = ctx
        self.jobs = RemoteJobStore(ctx.db)
        self._cancel_requested: set[str] = set()

    # -- generating --------------------------------------------------------------------------

    async def generate(
        self,
        request: MusicRequest,
        *,
        provider_id: str | None = None,
        job_id: str | None = None,
        progress: ProgressFn | None = None,
        wait: bool = True,
        output: Path | None = None,
    ) -> MusicOutcome:
        """Make music and keep it in History; with ``wait=False`` return once the job has an id.

        Raises:
            StudioError: no provider, a refused request, or a failed job (History says so too).
        """
        ctx = self._ctx
        pid = provider_id or ctx.settings.music_provider
        if not pid:
            raise ConfigurationError(
                "Choose a music provider in Settings (or --provider elevenlabs, replicate, "
                "gateway, crazyrouter or imarouter)."
            )
        provider: MusicGenerator = await ctx.provider(pid, Capability.MUSIC)
        jid = job_id or f"music-{uuid.uuid4().hex[:12]}"
        model = request.model or provider.info.default_models.get(Capability.MUSIC)
        check = await ctx.preflight(pid, Capability.MUSIC, model, seconds=request.duration_s)
        check.raise_if_blocked()
        cost = check.estimate
        params = _request_params(request, output)
        entry = HistoryEntry(
            kind=HistoryKind.MUSIC,
            title=" ".join(request.prompt.split())[:60],
            status=HistoryStatus.RUNNING,
            provider=pid,
            model=model,
            params=params,
            prompt=request.prompt,
            job_id=jid,
            usage=Usage(credits=cost.credits or 0.0, cost_usd=cost.usd),
        )
        item_id = await asyncio.to_thread(ctx.history.add, entry)
        remote: list[RemoteJob] = []
        submitted = asyncio.Event()

        # Kept with the job so `jobs resume` reaches the same server after a one-off --base-url.
        base_url = ctx.settings.provider(pid).base_url or provider.info.default_base_url

        async def on_submitted(job: RemoteJob) -> None:
            # This computer's clock too: elapsed times must not depend on the provider's.
            extra = {
                "output": str(output) if output else None,
                "base_url": base_url,
                "submitted_local": time.time(),
            }
            job = dataclasses.replace(job, meta=frozen_mapping({**job.meta, **extra}))
            await asyncio.to_thread(
                self.jobs.save,
                jid,
                JobKind.MUSIC,
                job,
                request={**params, "prompt": request.prompt},
                item_id=item_id,
            )
            remote.append(job)
            submitted.set()
            log.info("music job %s submitted to %s as %s", jid, pid, job.job_id)
            if progress:
                progress(None, f"Submitted to {provider.info.name} (job {job.job_id})")

        call: Awaitable[AudioResult] = provider.generate_music(
            request, on_submitted=on_submitted, progress=progress
        )
        if not wait:
            task = asyncio.ensure_future(call)
            if await _first_of(task, submitted):
                # Detached: the job goes on remotely; `jobs resume` or the next start picks it up.
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                return MusicOutcome(jid, item_id, pid, remote[0], None, None, None, cost)
            call = task  # a one-request provider (no job id): it has finished already
        outcome = await self._drive(jid, item_id, pid, provider, call, remote, output)
        return dataclasses.replace(outcome, estimate=cost)

    async def _drive(
        self,
        jid: str,
        item_id: int,
        pid: str,
        provider: MusicGenerator,
        work: Awaitable[AudioResult],
        remote: list[RemoteJob],
        output: Path | None,
    ) -> MusicOutcome:
        """Await the provider and settle History and the job store whatever happens."""
        history = self._ctx.history
        try:
            result = await work
        except asyncio.CancelledError:
            await self._cancelled(jid, item_id, provider, remote)
            raise
        except StudioError as exc:
            if remote and isinstance(exc, _RESUMABLE):
                await asyncio.to_thread(self.jobs.update, jid, error=exc.message)
                await asyncio.to_thread(
                    history.update,
                    item_id,
                    status=HistoryStatus.INTERRUPTED,
                    error=f"{exc.message} (job {jid} can be resumed)",
                )
            elif remote and isinstance(exc, ProviderError) and exc.code == REMOTE_CANCELED:
                if jid in self._cancel_requested:
                    # Our own cancel, seen by a poll before the wait was cancelled.
                    await self._cancelled(jid, item_id, provider, remote)
                    raise asyncio.CancelledError from None
                # Stopped on the provider's side (its dashboard, another client): cancelled.
                await asyncio.to_thread(self.jobs.update, jid, error=exc.message)
                await asyncio.to_thread(self.jobs.mark_canceled, jid)
                await asyncio.to_thread(
                    history.update,
                    item_id,
                    status=HistoryStatus.CANCELLED,
                    error=exc.message,
                    finished_at=now_iso(),
                )
            else:
                if remote:
                    await asyncio.to_thread(self.jobs.mark_failed, jid, exc.message)
                await asyncio.to_thread(
                    history.update,
                    item_id,
                    status=HistoryStatus.FAILED,
                    error=exc.message,
                    finished_at=now_iso(),
                )
            raise
        return await self._finish(jid, item_id, pid, result, remote, output)

    async def _cancelled(
        self, jid: str, item_id: int, provider: MusicGenerator, remote: list[RemoteJob]
    ) -> None:
        asked = jid in self._cancel_requested
        self._cancel_requested.discard(jid)
        if remote and not asked:
            return  # stopped waiting only: the row stays RUNNING and the job resumable
        if remote:
            await asyncio.to_thread(self.jobs.mark_canceled, jid)
        await asyncio.to_thread(
            self._ctx.history.update,
            item_id,
            status=HistoryStatus.CANCELLED,
            finished_at=now_iso(),
        )

    async def _finish(
        self,
        jid: str,
        item_id: int,
        pid: str,
        result: AudioResult,
        remote: list[RemoteJob],
        output: Path | None,
    ) -> MusicOutcome:
        ctx = self._ctx
        stored = await asyncio.to_thread(ctx.files.put_bytes, result.data, result.format.extension)
        duration = result.duration_s or await asyncio.to_thread(measure_duration, result)
        written = await write_output(result, output) if output else None
        record = FileRecord.of("audio", stored, duration, result.sample_rate, result.channels)
        item = await asyncio.to_thread(ctx.history.get, item_id)
        params: dict[str, Any] = {**(item.params if item else {}), **result.params}
        lat = result.latency
        await asyncio.to_thread(ctx.history.add_files, item_id, [record])
        await asyncio.to_thread(
            ctx.history.update,
            item_id,
            status=HistoryStatus.DONE,
            finished_at=now_iso(),
            error=None,
            model=result.model,
            params=params,
            duration_s=duration,
            audio_seconds=duration or 0.0,
            credits=result.usage.credits or (item.usage.credits if item else 0.0),
            ttfb_ms=lat.ttfb_ms,
            total_ms=lat.total_ms,
            upload_ms=lat.upload_ms,
            queue_ms=lat.queue_ms,
        )
        if remote:
            await asyncio.to_thread(self.jobs.mark_finished, jid)
        return MusicOutcome(
            jid, item_id, pid, remote[0] if remote else None, result, stored.path, written
        )

    # -- the job list ------------------------------------------------------------------------

    async def remote_jobs(self, *, unfinished_only: bool = True) -> list[StoredJob]:
        """Jobs saved when a provider accepted them (``audio-studio jobs``)."""
        return await asyncio.to_thread(
            self.jobs.unfinished if unfinished_only else self.jobs.recent
        )

    async def rows(self, clock: QueueClock | None = None) -> list[MusicRow]:
        """The Music page's job list: recent persisted jobs and this session's music jobs."""
        return await load_rows(self._ctx, self.jobs, clock)

    # -- resuming and cancelling -------------------------------------------------------------

    async def find(self, ref: str) -> StoredJob:
        job = await asyncio.to_thread(self.jobs.find, ref)
        if job is None:
            raise InputError(f"There is no saved job {ref!r}; `audio-studio jobs` lists them.")
        return job

    async def resume(self, ref: str, progress: ProgressFn | None = None) -> MusicOutcome:
        """Poll a job submitted earlier (maybe by a previous run) to the end."""
        job = await self.find(ref)
        if job.finished:
            raise InputError(f"Job {job.id} has already {job.remote.state.value}.")
        pid = job.remote.provider
        settings = self._ctx.settings
        stored_base = job.remote.meta.get("base_url")
        if stored_base and not settings.provider(pid).base_url:
            # Submitted with a one-off --base-url: poll the same server (for this run only).
            self._ctx.use_settings(settings.with_provider(pid, base_url=stored_base))
        provider: MusicGenerator = await self._ctx.provider(pid, Capability.MUSIC)
        item_id = job.item_id
        history = self._ctx.history
        if item_id is None:  # the History row was deleted meanwhile: start a new one
            entry = HistoryEntry(
                kind=HistoryKind.MUSIC,
                title=str(job.request.get("prompt") or "")[:60],
                status=HistoryStatus.RUNNING,
                provider=pid,
                prompt=str(job.request.get("prompt") or ""),
                params=job.request,
                job_id=job.id,
            )
            item_id = await asyncio.to_thread(history.add, entry)
        else:
            await asyncio.to_thread(
                history.update, item_id, status=HistoryStatus.RUNNING, error=None
            )
        out = job.remote.meta.get("output")
        work = provider.resume_music(job.remote, progress)
        return await self._drive(
            job.id, item_id, pid, provider, work, [job.remote], Path(out) if out else None
        )

    async def resume_all(self) -> list[Job[MusicOutcome]]:
        """Start a job for every unfinished remote job (call once at start-up)."""
        runner = self._ctx.runner
        started: list[Job[MusicOutcome]] = []
        for job in await asyncio.to_thread(self.jobs.unfinished):
            snapshot = runner.snapshot(job.id)
            if snapshot is not None and not snapshot.status.finished:
                continue

            async def work(ctx: JobContext, ref: str = job.id) -> MusicOutcome:
                return await self.resume(ref, progress=ctx.report)

            title = str(job.request.get("prompt") or job.remote.job_id)[:60]
            started.append(
                runner.submit(
                    JobKind.MUSIC, title, work, provider=job.remote.provider, job_id=job.id
                )
            )
        return started

    async def cancel(self, ref: str) -> StoredJob:
        """Stop a job on the provider, and locally if it is being waited for."""
        job = await self.find(ref)
        if job.finished:
            return job
        provider: MusicGenerator = await self._ctx.provider(job.remote.provider, Capability.MUSIC)
        # Noted first: a poll running meanwhile may see the job cancelled before we are done.
        self._cancel_requested.add(job.id)
        try:
            await asyncio.wait_for(provider.cancel_music(job.remote), _REMOTE_CANCEL_TIMEOUT_S)
        except BaseException:
            self._cancel_requested.discard(job.id)
            raise
        await asyncio.to_thread(self.jobs.update, job.id, error="Cancelled from the studio.")
        await asyncio.to_thread(self.jobs.mark_canceled, job.id)
        if job.item_id is not None:
            await asyncio.to_thread(
                self._ctx.history.update,
                job.item_id,
                status=HistoryStatus.CANCELLED,
                finished_at=now_iso(),
            )
        if not self._ctx.runner.cancel(job.id):
            self._cancel_requested.discard(job.id)
        return await self.find(job.id)


async def _first_of(task: asyncio.Future[Any], submitted: asyncio.Event) -> bool:
    """Wait until the job is submitted (True) or the call is over (False)."""
    waiter: asyncio.Future[Any] = asyncio.ensure_future(submitted.wait())
    try:
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        waiter.cancel()
    return submitted.is_set() and not task.done()


def _request_params(request: MusicRequest, output: Path | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "duration_s": request.duration_s,
        "format": request.format.value,
        "instrumental": request.instrumental,
        "seed": request.seed,
        "lyrics": request.lyrics,
    }
    if output:
        params["output"] = str(output)
    return {k: v for k, v in params.items() if v not in (None, False)}
