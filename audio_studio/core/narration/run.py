"""One generation run: chunks through the provider with bounded concurrency, into takes.

Workers (as many as the job's concurrency) take chunks in script order, so the preview's next
chunk is usually the next to finish. The provider limiter (shared by every job) is held only
for the call itself; storing a take (encoding, the file, its History row) runs as its own task,
so a worker starts its next request at once. Chunks whose words were made before come from the
cache; the same words twice in one run are made once. A failure that would repeat for every
chunk stops further calls and marks the rest with the same reason ("Not tried: …").
Runs on the event loop.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import (
    AuthenticationError,
    ConfigurationError,
    InputError,
    NetworkError,
    QuotaExceededError,
    StudioError,
)
from audio_studio.core.narration.cache import CachedAudio, SynthCache
from audio_studio.core.narration.plan import GenerationReport
from audio_studio.core.narration.preview import PreviewSequencer
from audio_studio.core.narration.project import Chunk, ChunkStatus, NarrationProject
from audio_studio.core.narration.synth import (
    Rendered,
    Voicing,
    keep_take,
    render,
    take_from_cache,
)
from audio_studio.core.providers.base import ProgressFn

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext
    from audio_studio.core.narration.project import Take

__all__ = ["FATAL", "Run"]

# Failures that would repeat for every chunk: stop calling the provider after the first.
FATAL = (InputError, ConfigurationError, AuthenticationError, QuotaExceededError, NetworkError)

ChangeFn = Callable[[Chunk], None]
TakeFn = Callable[[Chunk, "Take"], Coroutine[Any, Any, None]]


@dataclass
class Run:
    """The state of one generate call; ``await run.go(concurrency)`` does the work."""

    ctx: StudioContext
    cache: SynthCache
    project: NarrationProject
    targets: Sequence[Chunk]
    voicing: Voicing
    provider: Any
    spoken: dict[str, str]
    keys: dict[str, str]
    hits: dict[str, CachedAudio]
    report: GenerationReport
    sequencer: PreviewSequencer | None = None
    on_change: ChangeFn | None = None
    progress: ProgressFn | None = None
    # A cast: each chunk's own voicing (by chunk id) and the provider of each (by provider id);
    # chunks not named here use ``voicing`` and ``provider``.
    voicings: Mapping[str, Voicing] = field(default_factory=dict)
    providers: Mapping[str, Any] = field(default_factory=dict)
    after_take: TakeFn | None = None  # e.g. proof-listening; runs as its own task

    def __post_init__(self) -> None:
        self.stop: dict[str, StudioError] = {}  # by provider: one provider's outage stops only it
        self.inflight: dict[str, asyncio.Future[CachedAudio | None]] = {}
        self.queue = deque(self.targets)
        self.group: asyncio.TaskGroup | None = None

    async def go(self, concurrency: int) -> None:
        for chunk in self.targets:
            chunk.status, chunk.error, chunk.error_kind = ChunkStatus.QUEUED, None, None
            self._changed(chunk)
        self._progress()
        async with asyncio.TaskGroup() as group:
            self.group = group
            for _ in range(max(1, min(concurrency, len(self.targets)))):
                group.create_task(self._worker())

    async def _worker(self) -> None:
        while self.queue:
            await self._one(self.queue.popleft())

    def voicing_of(self, chunk: Chunk) -> Voicing:
        return self.voicings.get(chunk.id, self.voicing)

    async def _one(self, chunk: Chunk) -> None:
        text, key = self.spoken[chunk.id], self.keys[chunk.id]
        voicing = self.voicing_of(chunk)
        provider = self.providers.get(voicing.provider, self.provider)
        chunk.status = ChunkStatus.WORKING
        self._changed(chunk)
        listen = self._listener(chunk)
        try:
            cached = self.hits.get(key) or await self._made_meanwhile(key)
            if cached is not None:
                take = await take_from_cache(
                    self.ctx, self.project, chunk, voicing, text, cached, listen
                )
                self.report.cached += 1
                self._done(chunk, take)
                self._after(chunk, take)
                return
            made: asyncio.Future[CachedAudio | None] = asyncio.get_running_loop().create_future()
            self.inflight[key] = made
            try:
                async with self.ctx.runner.limiter(voicing.provider):
                    if voicing.provider in self.stop:
                        raise self.stop[voicing.provider]
                    rendered = await render(provider, voicing, text, on_samples=listen)
            except BaseException:
                made.set_result(None)
                raise
            self._audio_done(chunk)
            assert self.group is not None
            self.group.create_task(self._keep(chunk, rendered, made))
        except StudioError as exc:
            self._fail(chunk, exc)

    async def _keep(
        self, chunk: Chunk, rendered: Rendered, made: asyncio.Future[CachedAudio | None]
    ) -> None:
        text, key = self.spoken[chunk.id], self.keys[chunk.id]
        take: Take | None = None
        try:
            take = await keep_take(
                self.ctx,
                self.cache,
                self.project,
                chunk,
                self.voicing_of(chunk),
                text,
                rendered,
                key,
            )
        except StudioError as exc:
            self._fail(chunk, exc)
            return
        finally:
            made.set_result(_as_cached(key, take))
        self.report.made += 1
        self.report.cost_usd += take.cost_usd or 0.0
        self.report.credits += take.credits
        self._done(chunk, take)
        self._after(chunk, take)

    async def _made_meanwhile(self, key: str) -> CachedAudio | None:
        """The audio another chunk of this run is making (or made) for ``key``, once it is
        there; None when no chunk is, or when that one failed (then this one tries)."""
        waiting = self.inflight.get(key)
        return None if waiting is None else await asyncio.shield(waiting)

    # -- chunk states ------------------------------------------------------------------------

    def _listener(self, chunk: Chunk) -> Callable[[Any, int], None] | None:
        sequencer = self.sequencer
        if sequencer is None:
            return None
        cid = chunk.id
        return lambda samples, rate: sequencer.piece(cid, samples, rate)

    def _audio_done(self, chunk: Chunk) -> None:
        if self.sequencer is not None:
            self.sequencer.done(chunk.id)

    def _done(self, chunk: Chunk, take: Take) -> None:
        chunk.add_take(take)
        self._audio_done(chunk)
        self._changed(chunk)
        self._progress()

    def _after(self, chunk: Chunk, take: Take) -> None:
        if self.after_take is not None and self.group is not None:
            self.group.create_task(self.after_take(chunk, take))

    def _fail(self, chunk: Chunk, exc: StudioError) -> None:
        pid = self.voicing_of(chunk).provider
        stopped = self.stop.get(pid) is exc
        who = f"{exc.provider}: " if exc.provider and exc.provider not in exc.message else ""
        reason = f"{who}{exc.message}"
        chunk.status = ChunkStatus.FAILED
        chunk.error = f"Not tried: {reason}" if stopped else reason
        chunk.error_kind = type(exc).__name__
        report = self.report
        report.failed += 1
        if len(report.errors) < 5 and reason not in report.errors:
            report.errors.append(reason)
        if isinstance(exc, FATAL) and pid not in self.stop:
            self.stop[pid] = exc
        self._audio_done(chunk)
        self._changed(chunk)
        self._progress()

    def _changed(self, chunk: Chunk) -> None:
        if self.on_change is not None:
            self.on_change(chunk)

    def _progress(self) -> None:
        if self.progress is None:
            return
        report = self.report
        finished = report.made + report.cached + report.failed
        share = finished / max(1, report.targets)
        self.progress(share, f"{finished:,} of {report.targets:,} sentences")


def _as_cached(key: str, take: Take | None) -> CachedAudio | None:
    if take is None:
        return None
    return CachedAudio(key, Path(take.path), take.sha256, take.format, take.item_id)
