"""`audio-studio watch DIR`: transcribe every audio or video file that appears in DIR.

Runs until Ctrl+C or SIGTERM (or, with ``--once``, until what is there now is done). A file is
taken once it has stopped growing; its transcript goes to History and the chosen formats to
``-o`` (the output folder of Settings by default); a file whose content was transcribed before
is skipped; a file that fails gets one line on stderr and the watch goes on.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from audio_studio.cli.audio_common import stop_on_signals
from audio_studio.cli.common import provider_from_args
from audio_studio.cli.main import CliContext
from audio_studio.core.models import Capability
from audio_studio.core.transcription.watch import FolderWatcher, WatchEvent, WatchEventKind

_SAY = {
    WatchEventKind.SEEN: "waiting until it is complete",
    WatchEventKind.STARTED: "transcribing",
    WatchEventKind.SKIPPED: "skipped",
    WatchEventKind.FAILED: "failed",
    WatchEventKind.DONE: "done",
}


def _print(event: WatchEvent) -> None:
    line = f"{event.path.name}: {_SAY[event.kind]}"
    if event.message:
        line += f": {event.message}"
    if event.outputs:
        line += " → " + ", ".join(str(p) for p in event.outputs)
    print(line, file=sys.stderr, flush=True)


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    folder = Path(args.folder)
    if not await asyncio.to_thread(folder.is_dir):
        print(f"audio-studio watch: {folder} is not a folder.", file=sys.stderr)
        return 2
    provider_id, _ = await provider_from_args(ctx, args, Capability.TRANSCRIPTION)
    studio = ctx.studio()
    watcher = FolderWatcher(
        studio.context,
        studio.transcription,
        [folder],
        output=Path(args.output) if args.output else None,
        formats=tuple(args.format or ("txt",)),
        provider_id=provider_id,
        on_event=_print,
        recursive=args.recursive,
    )
    where = watcher.output or studio.settings.output_dir or studio.paths.default_output_dir
    print(f"Watching {folder} (transcripts to {where}); Ctrl+C stops.", file=sys.stderr)
    if args.once:
        watcher.settle_s = 0.0
        await watcher.poll()  # notes sizes
        events = await watcher.poll()
        failed = sum(e.kind is WatchEventKind.FAILED for e in events)
        return 1 if failed else 0
    # Ctrl+C or SIGTERM stop the watch, handled here rather than left to asyncio.run: a
    # process started where SIGINT is ignored (a job started with & by a script) would
    # otherwise never stop on it, and a service manager stops with SIGTERM.
    stopped = False
    watching = asyncio.ensure_future(watcher.run())

    def stop() -> None:
        nonlocal stopped
        stopped = True
        watching.cancel()

    with stop_on_signals(stop):
        try:
            await watching
        except asyncio.CancelledError:
            if not stopped:
                raise
    print("Stopped watching.", file=sys.stderr)
    return 130
