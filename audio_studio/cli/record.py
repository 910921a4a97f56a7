"""`audio-studio record -o FILE`: record a take into History and FILE; Ctrl+C stops and keeps it.

The take is spooled to the data folder while it records, so even a killed process leaves it
for the next start to recover; FILE is written from it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from pathlib import Path

from audio_studio.cli.audio_common import (
    clock,
    end_status_line,
    meter_bar,
    status_line,
    stop_on_signals,
)
from audio_studio.cli.main import CliContext
from audio_studio.core.audio.codec import decode, format_for_path, write
from audio_studio.core.errors import DeviceUnavailableError, StudioError, UnsupportedFormatError
from audio_studio.core.models import AudioFormat
from audio_studio.core.recordings import RecordingRequest


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    out = Path(args.output)
    try:
        fmt = format_for_path(out)
    except UnsupportedFormatError as exc:
        print(f"audio-studio record: {exc.message}", file=sys.stderr)
        return 2
    if args.seconds is not None and args.seconds <= 0:
        print("audio-studio record: --seconds must be more than 0.", file=sys.stderr)
        return 2
    studio = ctx.studio()
    problem = await asyncio.to_thread(lambda: studio.audio_backend.problem)
    if problem:
        raise DeviceUnavailableError(problem)
    session = await studio.recordings.start(RecordingRequest(title=out.stem, device=args.device))
    recorder = session.recorder
    for notice in recorder.notices:
        print(notice, file=sys.stderr)
    limit = f" for {args.seconds:g} s" if args.seconds else ""
    print(
        f"Recording{limit} from {recorder.device_label} at {recorder.sample_rate} Hz. "
        "Press Ctrl+C to stop.",
        file=sys.stderr,
        flush=True,
    )
    stop = asyncio.Event()
    live_done = asyncio.Event()
    live_task = None
    if args.live:
        printed: list[str] = []

        def show(committed: str, _tentative: str) -> None:
            # Committed text only: it will not change, so stdout can be piped.
            new = committed[len(" ".join(printed)) :].strip()
            if new:
                end_status_line()
                print(new, flush=True)
                printed.append(new)

        try:
            live = await studio.transcription.live_text(
                recorder.path, recorder.sample_rate, recorder.channels, show
            )
        except StudioError as exc:
            print(f"audio-studio record: no live text ({exc.message})", file=sys.stderr)
        else:
            live_task = asyncio.ensure_future(live.run(live_done))
    with stop_on_signals(stop.set):
        while not stop.is_set() and session.error is None:
            levels = session.levels()
            if args.seconds and levels.seconds >= args.seconds:
                break
            clip = " CLIP" if levels.clipped else ""
            over = f" overflows {levels.overflows}" if levels.overflows else ""
            status_line(
                f"● {clock(levels.seconds)} [{meter_bar(levels.peak_db)}] "
                f"{levels.peak_db:6.1f} dB{clip}{over}"
            )
            try:
                await asyncio.wait_for(stop.wait(), 0.1)
            except TimeoutError:
                pass
    end_status_line()
    if live_task is not None:
        live_done.set()
        await live_task  # the last words, read from the spool before it is filed
    item = await studio.recordings.finish(session)
    audio_file = item.file("audio")
    assert audio_file is not None
    if fmt is AudioFormat.WAV:
        await asyncio.to_thread(_copy, audio_file.path, out)
    else:
        audio = await asyncio.to_thread(decode, audio_file.path)
        await asyncio.to_thread(write, audio, out, fmt, tags={"title": item.title})
    take = recorder.take()
    if take.overflows or take.dropped_frames:
        print(
            f"Warning: the device overflowed {take.overflows} time(s) and "
            f"{take.dropped_frames / take.sample_rate:.2f} s were replaced by silence; "
            "the computer was too busy. Close other programs for the next take.",
            file=sys.stderr,
        )
    print(f"Saved {item.duration_s or 0:.1f} s to {out} (History #{item.id}).", file=sys.stderr)
    if isinstance(session.error, StudioError):
        print(f"audio-studio record: {session.error.message}", file=sys.stderr)
        return 1
    return 0


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
