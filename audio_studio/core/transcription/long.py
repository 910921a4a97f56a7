"""Long files: cut under the provider's upload limits, send the parts in parallel, merge them.

A file the provider takes as it is (size, length and format within its limits) is sent whole.
Anything else is cut at silences (core/audio/chunker.py) into 16 kHz mono FLAC parts while
earlier parts are already uploading: at most ``concurrency`` requests at once, each also
holding the runner's per-provider limiter, so several jobs together never exceed the
provider's limit. A part is sent once from here: the HTTP boundary retries what is safe (README
"Retries"), so a part costs at most 3 requests. When a part fails, no new part is started, the
parts in flight finish and are kept, and the error is raised: ``run`` may then be called again
(the same provider or the offline engine) to send only what is missing.

Threads: runs on the event loop; cutting and encoding go through asyncio.to_thread one part
at a time, so cancel is felt between parts.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import StudioError
from audio_studio.core.models import AudioFormat, Capability, Transcript, TranscriptionRequest
from audio_studio.core.providers.base import ProgressFn, ProviderInfo
from audio_studio.core.transcription.parts import (
    CHECK_WHOLE_S,
    SILENCE_PEAK,
    PartState,
    Progress,
    fallback_notice,
    part_format,
    peak,
    request_for,
    upload_limits,
)
from audio_studio.core.transcripts import EMPTY, NO_SPEECH, SILENT, Part, merge_parts

if TYPE_CHECKING:
    from audio_studio.core.audio.chunker import PartChunk
    from audio_studio.core.audio.codec import AudioData
    from audio_studio.core.audio.split import Chunk
    from audio_studio.core.context import StudioContext

__all__ = ["ChunkedTranscription", "PartState"]

SleepFn = Callable[[float], Awaitable[None]]

log = logging.getLogger(__name__)

ENCODING_AHEAD = 1  # cut pieces waiting for the encoder (~60 MB of samples each)


class ChunkedTranscription:
    """One file's transcription, in parts when the provider needs it; keeps what came back.

    Args:
        max_bytes: override the provider's upload limit (benchmarks, tests).
        concurrency: parts in flight at once (default: Settings.transcription_concurrency).
        work_dir: where parts are written (default: a folder in the studio's cache).
    """

    def __init__(
        self,
        ctx: StudioContext,
        request: TranscriptionRequest,
        *,
        max_bytes: int | None = None,
        concurrency: int | None = None,
        work_dir: Path | None = None,
        sleep: SleepFn = asyncio.sleep,
    ) -> None:
        self.ctx = ctx
        self.request = request
        self.max_bytes = max_bytes
        self.concurrency = max(1, concurrency or ctx.settings.transcription_concurrency)
        self.parts: list[PartState] = []
        self.duration_s: float | None = None
        self.providers: list[str] = []  # every provider that was asked, in order
        self._work_dir = work_dir
        self._own_dir: Path | None = None
        self._looked = False
        self._cut_done = False
        self._cut_until = 0.0  # seconds of the original cut into parts so far
        self._sleep = sleep
        self._notes: list[str] = []
        self._settled: asyncio.Event | None = None
        self._format = AudioFormat.FLAC  # what parts are cut into (part_format)

    # -- state -------------------------------------------------------------------------------

    @property
    def kept(self) -> int:
        """How many parts came back."""
        return sum(1 for p in self.parts if p.done)

    @property
    def complete(self) -> bool:
        return bool(self.parts) and self._cut_done and all(p.done for p in self.parts)

    async def cut_or_ended(self) -> None:
        """Wait until the whole file is cut into parts, or the current ``run`` has ended."""
        if self._settled is None:
            self._settled = asyncio.Event()
        if self._cut_done and self._looked:
            return
        await self._settled.wait()

    def _settle(self) -> None:
        if self._settled is None:
            self._settled = asyncio.Event()
        self._settled.set()

    def close(self) -> None:
        """Remove the part files this run wrote (never the original). Blocking, but quick."""
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
            self._own_dir = None

    # -- the work ----------------------------------------------------------------------------

    async def run(
        self,
        provider_id: str,
        *,
        progress: ProgressFn | None = None,
        limiter: asyncio.Semaphore | None = None,
    ) -> Transcript:
        """Transcribe what is still missing with ``provider_id`` and return the whole transcript.

        Raises:
            StudioError: the first part that failed for good (the parts that came back are
                kept for the next ``run``); UnsupportedFormatError for a file that is not audio.
        """
        provider = await self.ctx.provider(provider_id, Capability.TRANSCRIPTION)
        info: ProviderInfo = provider.info
        request = request_for(info, self.request, first=not self.providers, notes=self._notes)
        self.providers.append(provider_id)
        limiter = limiter or self.ctx.runner.limiter(provider_id)
        max_bytes, max_seconds = upload_limits(info, request, self.max_bytes)
        self._format = part_format(info)
        if not self._looked:
            await self._first_look(info, max_bytes, max_seconds)
        tracker = Progress(self.duration_s or 0.0, progress, self.parts, not self._cut_done)
        for part in self.parts:
            part.error = None
        queue: asyncio.Queue[PartState | None] = asyncio.Queue(maxsize=self.concurrency)
        failed = asyncio.Event()
        started = time.perf_counter()

        cut_errors: list[StudioError] = []

        async def produce() -> None:
            try:
                for part in [p for p in self.parts if not p.done]:
                    for piece in await self._fit(part, max_bytes, max_seconds):
                        await queue.put(piece)
                if not self._cut_done:
                    await self._cut(queue, failed, max_bytes, max_seconds, tracker)
            except StudioError as exc:  # the file is damaged, or a part cannot be written
                cut_errors.append(exc)
                failed.set()
            tracker.cutting = False
            self._settle()
            for _ in range(self.concurrency):
                await queue.put(None)

        async def work() -> None:
            while (part := await queue.get()) is not None:
                if failed.is_set():
                    continue  # drain: nothing new starts after a part failed for good
                try:
                    await self._send(provider, provider_id, request, part, limiter, tracker)
                except StudioError:
                    failed.set()

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(produce())
                for _ in range(self.concurrency):
                    group.create_task(work())
        finally:
            self._settle()
        errors = [p.error for p in self.parts if p.error is not None] + cut_errors
        if errors:
            raise errors[0]
        log.info(
            "transcribed %s in %d part(s) with %s in %.1f s",
            self.request.audio.name,
            len(self.parts),
            provider_id,
            time.perf_counter() - started,
        )
        # Thousands of words are shifted and copied: off the loop thread.
        return await asyncio.to_thread(self.transcript)

    def transcript(self) -> Transcript:
        """The parts that came back, merged (the whole transcript once ``complete``)."""
        parts = [
            Part(p.start_s, p.end_s, p.transcript, p.provider, p.model)
            for p in self.parts
            if p.transcript is not None
        ]
        merged = merge_parts(parts) if parts else Transcript(())
        first = self.providers[0] if self.providers else None
        notice = fallback_notice(parts, first)
        if notice:
            merged = replace(merged, provider=first, notices=(*merged.notices, notice))
        if self._notes:
            merged = replace(merged, notices=tuple(dict.fromkeys((*merged.notices, *self._notes))))
        if self.duration_s is not None:
            merged = replace(merged, duration_s=self.duration_s)
        return merged

    # -- helpers -----------------------------------------------------------------------------

    async def _first_look(
        self, info: ProviderInfo, max_bytes: int | None, max_seconds: float | None
    ) -> None:
        from audio_studio.core.audio.reading import probe

        audio = self.request.audio
        found = await asyncio.to_thread(probe, audio)
        self.duration_s = seconds = found.duration_s
        suffix = audio.suffix.lower().lstrip(".")
        fits = (
            (not max_bytes or found.size_bytes <= max_bytes)
            and (not max_seconds or (seconds is not None and seconds <= max_seconds))
            and (not info.input_formats or suffix in info.input_formats)
        )
        self._looked = True
        if fits:
            end = seconds if seconds is not None else float("inf")
            whole = PartState(0, 0.0, end, audio, owned=False, size=found.size_bytes)
            self.parts.append(whole)
            self._cut_done = True
            short = not info.local and seconds is not None and seconds <= CHECK_WHOLE_S
            if seconds == 0:
                self._silent(whole, EMPTY)
            elif short and await asyncio.to_thread(peak, audio) < SILENCE_PEAK:
                self._silent(whole, SILENT)

    async def _fit(
        self, part: PartState, max_bytes: int | None, max_seconds: float | None
    ) -> list[PartState]:
        """``part``, or smaller parts of it when the provider now asked takes less."""
        too_big = (max_bytes and part.size > max_bytes) or (
            max_seconds and part.end_s - part.start_s > max_seconds
        )
        if not too_big:
            return [part]
        from audio_studio.core.audio.chunker import iter_chunks

        chunks = await asyncio.to_thread(
            lambda: list(
                iter_chunks(
                    part.path, max_bytes=max_bytes, max_seconds=max_seconds, fmt=self._format
                )
            )
        )
        at = self.parts.index(part)
        pieces = [await self._store(c, part.start_s) for c in chunks]
        self.parts[at : at + 1] = pieces
        for n, p in enumerate(self.parts):
            p.index = n
        return pieces

    async def _cut(
        self,
        queue: asyncio.Queue[PartState | None],
        failed: asyncio.Event,
        max_bytes: int | None,
        max_seconds: float | None,
        tracker: Progress,
    ) -> None:
        from audio_studio.core.audio.chunker import encode_cut, iter_cuts

        # Bytes per second of the parts encoded so far (the worst): later cuts size to it.
        seen: list[float] = []
        cuts = iter_cuts(
            self.request.audio,
            max_bytes=max_bytes,
            max_seconds=max_seconds,
            start_s=self._cut_until,
            encoded_rate=lambda: seen[-1] if seen else None,
            fmt=self._format,
        )
        # Two stages, one thread each: the next piece is cut while the one before is encoded.
        # (Encoding several at once only slows the first parts down on a small machine, and
        # the first parts decide how soon every upload slot is busy.) The queue bounds the
        # pieces held in memory (each ~60 MB of samples).
        pieces: asyncio.Queue[tuple[Chunk, AudioData] | None] = asyncio.Queue(
            maxsize=ENCODING_AHEAD
        )
        errors: list[StudioError] = []

        first_encoded = asyncio.Event()

        async def cutting() -> None:
            try:
                while not failed.is_set() and not errors:
                    # No close() on the generator: after a cancel it may still run in its
                    # thread; dropping the last reference closes it once that step ends.
                    piece = await asyncio.to_thread(next, cuts, None)
                    if piece is None:
                        self._cut_done = True
                        break
                    await pieces.put(piece)
                    # The first part alone decides when uploads start: on a small machine
                    # cutting ahead meanwhile slowed its encoding by half.
                    await first_encoded.wait()
            except StudioError as exc:  # damaged mid-file: the parts before it are kept
                errors.append(exc)
            await pieces.put(None)

        async def encoding() -> None:
            while (piece := await pieces.get()) is not None:
                if errors:
                    continue
                try:
                    try:
                        chunks = await asyncio.to_thread(
                            encode_cut, *piece, max_bytes=max_bytes, fmt=self._format
                        )
                    finally:
                        first_encoded.set()  # failed or not, the cutter may go on
                    for chunk in chunks:
                        length = chunk.chunk.end_s - chunk.chunk.start_s
                        if length > 0:
                            seen.append(max([len(chunk.data) / length, *seen[-1:]]))
                        await self._add_part(chunk, queue, tracker)
                except StudioError as exc:  # a part could not be encoded or written
                    errors.append(exc)
                    failed.set()
            if self._cut_done:
                self.duration_s = self._cut_until

        async with asyncio.TaskGroup() as group:
            group.create_task(cutting())
            group.create_task(encoding())
        if errors:
            raise errors[0]

    async def _add_part(
        self, chunk: PartChunk, queue: asyncio.Queue[PartState | None], tracker: Progress
    ) -> None:
        part = await self._store(chunk, 0.0)
        self.parts.append(part)
        self._cut_until = part.end_s
        if chunk.peak < SILENCE_PEAK:
            self._silent(part, NO_SPEECH)
        tracker.update()
        if not part.done:
            await queue.put(part)

    def _silent(self, part: PartState, notice: str) -> None:
        part.transcript = Transcript((), duration_s=part.end_s - part.start_s, notices=(notice,))
        part.provider = self.providers[-1] if self.providers else None

    async def _store(self, chunk: PartChunk, offset: float) -> PartState:
        if self._own_dir is None:
            base = self._work_dir or self.ctx.paths.cache_dir / "transcription-parts"
            await asyncio.to_thread(base.mkdir, parents=True, exist_ok=True)
            self._own_dir = Path(await asyncio.to_thread(tempfile.mkdtemp, dir=base))
        start, end = offset + chunk.chunk.start_s, offset + chunk.chunk.end_s
        name = f"part-{start:010.3f}-{uuid.uuid4().hex[:6]}.{chunk.format.extension}"
        path = self._own_dir / name
        await asyncio.to_thread(path.write_bytes, chunk.data)
        return PartState(len(self.parts), start, end, path, owned=True, size=len(chunk.data))

    async def _send(
        self,
        provider: Any,
        provider_id: str,
        request: TranscriptionRequest,
        part: PartState,
        limiter: asyncio.Semaphore,
        tracker: Progress,
    ) -> None:
        request = replace(request, audio=part.path, source_url=None)  # a part is a local file
        whole = len(self.parts) == 1 and not part.owned

        def report(share: float | None, message: str | None) -> None:
            if whole and tracker.report is not None:
                tracker.report(share, message)  # one request: the provider's own progress
            elif share is not None:
                tracker.inflight[part.index] = share
                tracker.update()

        # One send per part: the HTTP boundary already retried what is safe to retry (at most
        # 3 attempts per request); sending the part again here would multiply that and could
        # pay twice for a part whose answer arrived broken. A failed part is offered to the user
        # to send again (``run`` again sends only the missing parts), who then knows the cost.
        part.attempts += 1
        try:
            async with limiter:
                transcript: Transcript = await provider.transcribe(request, report)
        except StudioError as exc:
            part.error = exc
            tracker.inflight.pop(part.index, None)
            raise
        tracker.inflight.pop(part.index, None)
        part.transcript, part.provider = transcript, provider_id
        part.model = transcript.model or request.model
        part.latency = transcript.latency
        tracker.update()
