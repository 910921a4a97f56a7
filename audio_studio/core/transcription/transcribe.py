"""Transcribe one file: the source audio as a RECORDING row, each transcript a child row of it.

The recording is stored once (by content hash) and found again when the same audio is
transcribed later, so several transcripts (other models, languages, corrections) hang off one
recording through ``parent_id``. The transcript's full JSON (segments, words, language) is
kept as a file of its row; its text goes into the row for search. Files over the provider's
upload limits are sent in parts (long.py); the row lists the parts.

Runs on the event loop; copying, hashing and SQLite go through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.audio.codec import AudioData, write
from audio_studio.core.audio.speech_stream import SPEECH_RATE, read_range
from audio_studio.core.costs import estimate
from audio_studio.core.errors import InputError, StudioError
from audio_studio.core.models import (
    Capability,
    HistoryKind,
    Latency,
    Segment,
    Transcript,
    TranscriptionRequest,
    Usage,
)
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.providers.local.vad import speech_regions
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem
from audio_studio.core.subtitles import read_json, to_json
from audio_studio.core.transcription import voices
from audio_studio.core.transcription.guard import guard
from audio_studio.core.transcription.long import ChunkedTranscription
from audio_studio.core.transcription.speakers import check_count, default_name, label_speakers
from audio_studio.core.transcripts import rename_speaker

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["TranscriptionOutcome", "load_transcript", "recording_for", "transcribe"]


@dataclass(frozen=True)
class TranscriptionOutcome:
    transcript: Transcript
    item: HistoryItem  # the TRANSCRIPT row
    recording: HistoryItem  # the RECORDING row it belongs to (item.parent_id == recording.id)
    parts: int = 1  # how many uploads the audio was sent in
    speaker_prints: dict[str, tuple[float, ...]] | None = None  # detected offline, by name


async def recording_for(ctx: StudioContext, audio: Path, source: str | None = None) -> HistoryItem:
    """The RECORDING row for this audio: found by content hash, or stored and added now.

    ``source`` is where the audio came from when it is not the file itself (a web address).
    """
    stored = await asyncio.to_thread(ctx.files.put_file, audio)
    rows = await asyncio.to_thread(
        ctx.db.query,
        "SELECT items.id FROM items JOIN files ON files.item_id = items.id "
        "WHERE items.kind = ? AND files.sha256 = ? ORDER BY items.id LIMIT 1",
        (HistoryKind.RECORDING.value, stored.sha256),
    )
    if rows:
        found = await asyncio.to_thread(ctx.history.get, int(rows[0][0]))
        if found is not None:
            return found
    entry = HistoryEntry(
        kind=HistoryKind.RECORDING,
        title=audio.name,
        params={"source": source or str(audio)},
        files=(FileRecord.of("audio", stored),),
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    item = await asyncio.to_thread(ctx.history.get, item_id)
    assert item is not None
    return item


async def _keep_after_cut(
    ctx: StudioContext, audio: Path, work: ChunkedTranscription
) -> HistoryItem:
    await work.cut_or_ended()
    return await recording_for(ctx, audio, work.request.source_url)


async def _kept(keeping: asyncio.Future[HistoryItem]) -> HistoryItem:
    """The recording being stored, even if the task awaiting it is being cancelled."""
    try:
        return await asyncio.shield(keeping)
    except asyncio.CancelledError:
        await asyncio.wait([keeping])  # finish storing the user's audio, then stop
        raise


async def _duration(path: Path) -> float | None:
    """The file's length; a file that is not audio is refused here, before it is kept."""
    from audio_studio.core.audio.reading import probe

    return (await asyncio.to_thread(probe, path)).duration_s


async def transcribe(
    ctx: StudioContext,
    request: TranscriptionRequest,
    *,
    provider_id: str | None = None,
    progress: ProgressFn | None = None,
    recording_id: int | None = None,
    run: ChunkedTranscription | None = None,
    concurrency: int | None = None,
) -> TranscriptionOutcome:
    """Transcribe ``request.audio`` and keep it in History.

    Args:
        progress: ``(share, message)``, e.g. a JobContext's ``report``.
        recording_id: hang the transcript off this RECORDING row instead of finding one.
        run: the parts of an earlier attempt that failed (a ChunkedTranscription the caller
            keeps): only what is missing is sent, here with ``provider_id``. The caller closes
            it. Without one, a run is made here and closed at the end.
        concurrency: parts sent at once (default: Settings.transcription_concurrency).

    Raises:
        InputError: the file does not exist. UnsupportedFormatError: it is not audio (nothing
        is added to History). StudioError: what the provider reports (the recording stays in
        History either way).
    """
    if not await asyncio.to_thread(request.audio.is_file):
        raise InputError(f"{request.audio} does not exist or is not a file.")
    pid = provider_id or ctx.settings.transcription_provider or "local"
    await ctx.provider(pid, Capability.TRANSCRIPTION)
    request, offline_speakers = sent_request(ctx, pid, request)
    seconds = await _duration(request.audio)
    missing = seconds
    if run is not None and run.parts and seconds is not None:
        missing = max(0.0, seconds - sum(p.end_s - p.start_s for p in run.parts if p.done))
    check = await ctx.preflight(pid, Capability.TRANSCRIPTION, request.model, seconds=missing)
    check.raise_if_blocked()
    if recording_id is not None:
        given = await asyncio.to_thread(ctx.history.get, recording_id)
        if given is None:
            raise InputError(f"There is no recording {recording_id} in History.")
        ready: asyncio.Future[HistoryItem] = asyncio.get_running_loop().create_future()
        ready.set_result(given)
        keeping: asyncio.Future[HistoryItem] | None = ready
    else:
        keeping = None
    owned = run is None
    work = run or ChunkedTranscription(ctx, request, concurrency=concurrency)
    if offline_speakers is not None:
        work.request = request  # the provider is asked for text; speakers come after
    if keeping is None:
        # Copying a long file into History takes a while: it starts once the file is cut (the
        # CPU goes to the first uploads first), and is awaited whatever happens after.
        keeping = asyncio.ensure_future(_keep_after_cut(ctx, request.audio, work))
    started = time.perf_counter()
    try:
        transcript = await work.run(pid, progress=progress)
    finally:
        if owned:
            await asyncio.to_thread(work.close)
        recording = await _kept(keeping)
    if set(work.providers) <= {"local"}:  # another provider's parts are not re-decoded here
        transcript = await _guarded(ctx, pid, request, transcript, progress)
    prints: dict[str, tuple[float, ...]] | None = None
    if offline_speakers and transcript.segments:
        if progress is not None:
            progress(None, "Telling speakers apart…")
        transcript, detection = await label_speakers(
            transcript, request.audio, offline_speakers.num_speakers, progress=progress
        )
        known = await asyncio.to_thread(voices.match, ctx.db, list(detection.prints))
        prints = {}
        for k, vector in enumerate(detection.prints):
            name = known[k] or default_name(k)
            if known[k]:  # a voice the user named before
                transcript = rename_speaker(transcript, default_name(k), name)
            prints[name] = vector
    total_ms = (time.perf_counter() - started) * 1000
    item = await _store(
        ctx, request, work, transcript, recording, total_ms, offline_speakers, prints
    )
    fresh = await asyncio.to_thread(ctx.history.get, recording.id)
    return TranscriptionOutcome(
        transcript, item, fresh or recording, parts=len(work.parts), speaker_prints=prints
    )


async def _guarded(
    ctx: StudioContext,
    pid: str,
    request: TranscriptionRequest,
    transcript: Transcript,
    progress: ProgressFn | None,
) -> Transcript:
    """``transcript`` through the loop and hallucination guard (guard.py). The offline engine
    only: asking a cloud provider again costs money, and their services filter these already."""
    if not transcript.segments or pid != "local":
        return transcript
    try:
        regions: list[tuple[float, float]] | None = await speech_regions(request.audio)
    except StudioError:  # no offline engine installed: loops are still caught
        regions = None
    provider = await ctx.provider(pid, Capability.TRANSCRIPTION)

    async def redecode(start: float, end: float) -> Transcript | None:
        if progress is not None:
            progress(None, "Checking a doubtful stretch again…")
        a, b = max(0.0, start - 0.5), end + 0.5
        samples = await asyncio.to_thread(read_range, request.audio, a, b)
        if not len(samples):
            return None
        with tempfile.TemporaryDirectory(prefix="audio-studio-guard-") as folder:
            clip = Path(folder) / "stretch.wav"
            await asyncio.to_thread(write, AudioData(samples[:, None], SPEECH_RATE), clip)
            careful = replace(
                request, audio=clip, prompt=None, vad=True, diarize=False, num_speakers=None,
                settings={**request.settings, "careful": True},
            )  # fmt: skip
            try:
                again: Transcript = await provider.transcribe(careful)
            except StudioError:
                return None
        return shifted(again, a)

    return await guard(transcript, regions, redecode)


def shifted(t: Transcript, by: float) -> Transcript:
    """``t`` with every time moved later by ``by`` seconds."""

    def move(s: Segment) -> Segment:
        words = tuple(replace(w, start=w.start + by, end=w.end + by) for w in s.words)
        return replace(s, start=s.start + by, end=s.end + by, words=words)

    return replace(t, segments=tuple(move(s) for s in t.segments))


@dataclass(frozen=True)
class OfflineSpeakers:
    num_speakers: int | None  # None: found automatically


def sent_request(
    ctx: StudioContext, pid: str, request: TranscriptionRequest
) -> tuple[TranscriptionRequest, OfflineSpeakers | None]:
    """What the provider is sent, and whether speakers are then detected offline: a provider
    whose model does not label speakers is asked for text only, and the studio labels them.

    Raises:
        InputError: a number of speakers offline detection cannot take.
    """
    if not request.diarize:
        return request, None
    info = ctx.registry.spec(pid).info
    if info.stt_features(request.model).diarize:
        return request, None
    if request.model is None and any(m.stt and m.stt.diarize for m in info.models):
        return request, None  # the provider switches to its own speaker model (OpenAI's)
    check_count(request.num_speakers)
    return (
        replace(request, diarize=False, num_speakers=None),
        OfflineSpeakers(request.num_speakers),
    )


async def _store(
    ctx: StudioContext,
    request: TranscriptionRequest,
    work: ChunkedTranscription,
    transcript: Transcript,
    recording: HistoryItem,
    total_ms: float,
    offline_speakers: OfflineSpeakers | None = None,
    prints: dict[str, tuple[float, ...]] | None = None,
) -> HistoryItem:
    # A two-hour transcript's JSON takes a while to build: not on the loop thread.
    text = (await asyncio.to_thread(to_json, transcript)).encode("utf-8")
    stored = await asyncio.to_thread(ctx.files.put_bytes, text, "json")
    providers = list(dict.fromkeys(work.providers))
    params: dict[str, Any] = {
        "language_requested": request.language,
        "language": transcript.language,
        "language_probability": transcript.language_probability,
        "word_timestamps": request.word_timestamps,
        "diarize": request.diarize or offline_speakers is not None,
        "num_speakers": offline_speakers.num_speakers if offline_speakers else request.num_speakers,
        "speakers_by": "offline" if offline_speakers else None,
        # Voice prints by speaker: renaming one remembers the voice (voices.py).
        "speaker_prints": {k: [round(x, 5) for x in v] for k, v in (prints or {}).items()},
        "vad": request.vad,
        "translate": request.translate,
        "prompt": request.prompt,
        "settings": dict(request.settings),
        "segments": len(transcript.segments),
        "notices": list(transcript.notices),
        "source": request.source_url or str(request.audio),
    }
    if len(work.parts) > 1 or len(providers) > 1:
        params["parts"] = [
            {
                "start_s": round(p.start_s, 3),
                "end_s": round(p.end_s, 3),
                "provider": p.provider,
                "model": p.model,
                "attempts": p.attempts,
                "bytes": p.size,
                **request_latency(p.latency),
            }
            for p in work.parts
        ]
        params["providers"] = providers
    duration = transcript.duration_s
    costs = [  # silent parts were never sent, so they cost nothing
        estimate(str(p.provider), Capability.TRANSCRIPTION, p.model, seconds=p.end_s - p.start_s)
        for p in work.parts
        if p.done and p.attempts and p.end_s != float("inf")
    ]
    known = [c.usd for c in costs if c.usd is not None]
    entry = HistoryEntry(
        kind=HistoryKind.TRANSCRIPT,
        title=recording.title or request.audio.name,
        provider=providers[0] if providers else None,
        model=transcript.model or request.model,
        params=params,
        transcript=transcript.text,
        duration_s=duration,
        usage=Usage(
            audio_seconds=duration or 0.0,
            requests=sum(p.attempts for p in work.parts) or 1,
            cost_usd=round(sum(known), 6) if known else None,
        ),
        latency=summed_latency([p.latency for p in work.parts], total_ms),
        files=(FileRecord.of("transcript", stored),),
        parent_id=recording.id,
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    if recording.duration_s is None and duration is not None:
        await asyncio.to_thread(ctx.history.update, recording.id, duration_s=duration)
    item = await asyncio.to_thread(ctx.history.get, item_id)
    assert item is not None
    return item


def request_latency(latency: Latency | None) -> dict[str, float | None]:
    """One request's upload and first-byte times, as a part's History params keep them."""
    return {
        "upload_ms": latency.upload_ms if latency else None,
        "ttfb_ms": latency.ttfb_ms if latency else None,
    }


def summed_latency(latencies: list[Latency | None], total_ms: float) -> Latency:
    """A transcript's row: upload and first-byte times summed over its requests (one or many
    parts; None when no request measured them, e.g. the offline engine), and the job's total."""

    def total(name: str) -> float | None:
        values = [getattr(x, name) for x in latencies if x and getattr(x, name) is not None]
        return round(sum(values), 3) if values else None

    return Latency(ttfb_ms=total("ttfb_ms"), total_ms=total_ms, upload_ms=total("upload_ms"))


async def load_transcript(item: HistoryItem) -> Transcript:
    """The full transcript of a TRANSCRIPT row (from its JSON file).

    Raises:
        InputError: the row has no transcript file, or it cannot be read.
    """
    record = item.file("transcript")
    if record is None:
        raise InputError(f"History item {item.id} has no transcript file.")
    # Reading and parsing both off the loop: a two-hour transcript is megabytes of JSON.
    return await asyncio.to_thread(_read_transcript, record.path)


def _read_transcript(path: Path) -> Transcript:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"The transcript file {path} cannot be read ({exc}).") from exc
    return read_json(text)
