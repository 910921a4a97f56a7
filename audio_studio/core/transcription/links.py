"""Transcribing a web address: passed on to a provider that fetches it, else downloaded first.

A provider whose transcription takes a file URL (``ProviderInfo.stt_takes_urls``: ImaRouter)
gets the address as it is; nothing is downloaded, and History keeps the address as the
recording's source (there is no audio here to play or send again). Everywhere else the file
is downloaded into the cache, with progress, a size cap and one clear message for each way it
can fail, then transcribed like any file (uploaded, cut into parts when long) and kept in
History with the address as its source. No key is ever sent with a download.

Runs on the event loop; file writes go through asyncio.to_thread in 1 MB pieces.
"""

from __future__ import annotations

import asyncio
import mimetypes
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from audio_studio.core.errors import InputError, NetworkError
from audio_studio.core.models import (
    Capability,
    HistoryKind,
    TranscriptionRequest,
    Usage,
)
from audio_studio.core.providers.base import ProgressFn, Transcriber
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem
from audio_studio.core.subtitles import to_json
from audio_studio.core.transcription.transcribe import (
    TranscriptionOutcome,
    request_latency,
    summed_latency,
    transcribe,
)

if TYPE_CHECKING:
    import httpx

    from audio_studio.core.context import StudioContext

__all__ = ["MAX_LINK_BYTES", "download_link", "is_link", "link_name", "transcribe_link"]

MAX_LINK_BYTES = 2 * 1000**3  # a two-hour WAV at 48 kHz stereo is about 1.4 GB
_FLUSH = 1 << 20
_AUDIO_SUFFIXES = (
    ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".wav", ".webm", ".ogg", ".oga", ".opus",
    ".flac", ".aac",
)  # fmt: skip
_SUFFIX_FOR_TYPE = {
    "audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav",
    "audio/wave": ".wav", "audio/flac": ".flac", "audio/x-flac": ".flac", "audio/ogg": ".ogg",
    "audio/opus": ".opus", "audio/mp4": ".m4a", "audio/x-m4a": ".m4a", "audio/aac": ".aac",
    "audio/webm": ".webm", "video/mp4": ".mp4", "video/webm": ".webm",
}  # fmt: skip


def is_link(text: str) -> bool:
    """Whether ``text`` is a web address (http or https) rather than a file name."""
    return text.strip().lower().startswith(("http://", "https://"))


def link_name(url: str) -> str:
    """The file name a web address ends in ("meeting.mp3"), or "audio from HOST"."""
    parts = urlsplit(url.strip())
    name = PurePosixPath(unquote(parts.path)).name
    return name or f"audio from {parts.hostname or 'the web'}"


def _check(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{url!r} is not a web address the studio can download; use an http(s):// link "
            "to an audio file."
        )
    return url.strip()


async def download_link(
    client: httpx.AsyncClient,
    url: str,
    folder: Path,
    *,
    max_bytes: int = MAX_LINK_BYTES,
    progress: ProgressFn | None = None,
) -> Path:
    """Download the audio file at ``url`` into ``folder``; returns its path.

    Raises:
        InputError: not a web address, an HTTP error (404...), a web page instead of a file,
            or more than ``max_bytes``.
        NetworkError: the connection failed or broke.
    """
    import httpx

    url = _check(url)
    name = link_name(url)
    host = urlsplit(url).hostname
    try:
        async with client.stream("GET", url) as response:
            if response.status_code >= 400:
                reason = response.reason_phrase or "error"
                raise InputError(
                    f"{name} could not be downloaded: {host} answered HTTP "
                    f"{response.status_code} ({reason}). Check that the link is right and still "
                    "valid."
                )
            ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype.startswith("text/") or ctype in ("application/json", "application/xhtml+xml"):
                raise InputError(
                    f"The link to {name} on {host} gives a web page ({ctype}), not an audio "
                    "file. Use a direct link to the file (it usually ends in .mp3, .m4a, .wav…)."
                )
            size = int(response.headers.get("content-length") or 0) or None
            if size and size > max_bytes:
                raise InputError(_too_big(name, size, max_bytes))
            suffix = PurePosixPath(name).suffix.lower()
            if suffix not in _AUDIO_SUFFIXES:
                guess = _SUFFIX_FOR_TYPE.get(ctype) or mimetypes.guess_extension(ctype) or ""
                name = f"{name}{guess}" if guess else name
            target = folder / name.replace("/", "_")
            await _save(response, target, size, max_bytes, progress)
    except httpx.HTTPError as exc:
        raise NetworkError(
            f"The download of {name} failed ({exc.__class__.__name__}: could not reach {host} "
            "or the connection broke). Check your connection and the link, then try again."
        ) from exc
    return target


async def _save(
    response: httpx.Response,
    target: Path,
    size: int | None,
    max_bytes: int,
    progress: ProgressFn | None,
) -> None:
    handle: IO[bytes] = await asyncio.to_thread(target.open, "wb")
    got = 0
    buffer = bytearray()
    last = 0.0
    try:
        async for chunk in response.aiter_bytes():
            got += len(chunk)
            if got > max_bytes:
                raise InputError(_too_big(target.name, got, max_bytes, partial=True))
            buffer += chunk
            if len(buffer) >= _FLUSH:
                await asyncio.to_thread(handle.write, bytes(buffer))
                buffer.clear()
            now = time.monotonic()
            if progress is not None and now - last >= 0.1:
                last = now
                of = f" of {_size(size)}" if size else ""
                share = min(1.0, got / size) if size else None
                progress(share, f"Downloading {target.name}: {_size(got)}{of}")
        if buffer:
            await asyncio.to_thread(handle.write, bytes(buffer))
    finally:
        await asyncio.to_thread(handle.close)
    if got == 0:
        raise InputError(f"The link to {target.name} gave an empty file; nothing to transcribe.")
    if progress is not None:
        progress(1.0, f"Downloaded {target.name} ({_size(got)})")


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"


def _too_big(name: str, size: int, cap: int, *, partial: bool = False) -> str:
    more = "more than " if partial else ""
    return (
        f"{name} is {more}{_size(size)}, over the {_size(cap)} the studio downloads. Download "
        "it yourself and open the file, or use a shorter recording."
    )


async def transcribe_link(
    ctx: StudioContext,
    url: str,
    request: TranscriptionRequest,
    *,
    provider_id: str | None = None,
    progress: ProgressFn | None = None,
    concurrency: int | None = None,
    max_bytes: int = MAX_LINK_BYTES,
) -> TranscriptionOutcome:
    """Transcribe the audio at ``url`` (``request.audio`` is ignored) and keep it in History.

    Raises:
        InputError / NetworkError: the download failed (see ``download_link``).
        StudioError: what ``transcribe`` or the provider raises.
    """
    url = _check(url)
    pid = provider_id or ctx.settings.transcription_provider or "local"
    provider = await ctx.provider(pid, Capability.TRANSCRIPTION)
    request = replace(request, audio=Path(link_name(url)), source_url=url)
    if provider.info.stt_takes_urls:
        return await _passed_on(ctx, provider, pid, request, progress)
    base = ctx.paths.cache_dir / "links"
    await asyncio.to_thread(base.mkdir, parents=True, exist_ok=True)
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, dir=base))
    try:
        audio = await download_link(ctx.http(), url, folder, max_bytes=max_bytes, progress=progress)
        return await transcribe(
            ctx,
            replace(request, audio=audio),
            provider_id=pid,
            progress=progress,
            concurrency=concurrency,
        )
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def _passed_on(
    ctx: StudioContext,
    provider: Transcriber,
    pid: str,
    request: TranscriptionRequest,
    progress: ProgressFn | None,
) -> TranscriptionOutcome:
    """The provider fetches the audio itself: one request, a recording row without audio."""
    check = await ctx.preflight(pid, Capability.TRANSCRIPTION, request.model)
    check.raise_if_blocked()
    if progress is not None:
        progress(None, "The provider fetches the file from its address…")
    started = time.perf_counter()
    async with ctx.runner.limiter(pid):
        transcript = await provider.transcribe(request, progress)
    total_ms = (time.perf_counter() - started) * 1000
    url = request.source_url or ""
    recording = await _add(
        ctx,
        HistoryEntry(
            kind=HistoryKind.RECORDING,
            title=request.audio.name,
            params={"source": url, "fetched_by": pid},
            duration_s=transcript.duration_s,
        ),
    )
    text = (await asyncio.to_thread(to_json, transcript)).encode("utf-8")
    stored = await asyncio.to_thread(ctx.files.put_bytes, text, "json")
    estimate = ctx.estimate_cost(
        pid, Capability.TRANSCRIPTION, transcript.model, seconds=transcript.duration_s
    )
    item = await _add(
        ctx,
        HistoryEntry(
            kind=HistoryKind.TRANSCRIPT,
            title=request.audio.name,
            provider=pid,
            model=transcript.model or request.model,
            params={
                "language_requested": request.language,
                "language": transcript.language,
                "prompt": request.prompt,
                "segments": len(transcript.segments),
                "notices": list(transcript.notices),
                "source": url,
                "fetched_by_provider": True,  # nothing was downloaded or uploaded here
                **request_latency(transcript.latency),
            },
            transcript=transcript.text,
            duration_s=transcript.duration_s,
            usage=Usage(
                audio_seconds=transcript.duration_s or 0.0, requests=1, cost_usd=estimate.usd
            ),
            latency=summed_latency([transcript.latency], total_ms),
            files=(FileRecord.of("transcript", stored),),
            parent_id=recording.id,
        ),
    )
    return TranscriptionOutcome(transcript, item, recording, parts=1)


async def _add(ctx: StudioContext, entry: HistoryEntry) -> HistoryItem:
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    item = await asyncio.to_thread(ctx.history.get, item_id)
    assert item is not None
    return item
