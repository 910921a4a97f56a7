"""`audio-studio play FILE`: play an audio file on the output device; Ctrl+C stops."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from audio_studio.cli.audio_common import clock, end_status_line, status_line, stop_on_signals
from audio_studio.cli.main import CliContext
from audio_studio.core.audio.codec import decode
from audio_studio.core.audio.player import Player, PlayerState
from audio_studio.core.errors import DeviceUnavailableError


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    path = Path(args.file)
    audio = await asyncio.to_thread(decode, path)
    studio = ctx.studio()
    backend = studio.audio_backend
    problem = await asyncio.to_thread(lambda: backend.problem)
    if problem:
        raise DeviceUnavailableError(problem)
    player = Player(backend, device=args.device or studio.settings.output_device)
    await asyncio.to_thread(player.load, audio)
    await asyncio.to_thread(player.play)
    for notice in player.notices:
        print(notice, file=sys.stderr)
    print(f"Playing {path.name} ({clock(audio.duration_s)}). Ctrl+C stops.", file=sys.stderr)
    stopped = False

    def stop() -> None:
        nonlocal stopped
        stopped = True
        player.pause()  # silence at once; the device is closed below, off the loop

    with stop_on_signals(stop):
        while player.state is not PlayerState.STOPPED and not stopped:
            status_line(f"▶ {clock(player.position)} / {clock(player.duration)}")
            await asyncio.sleep(0.1)
    end_status_line()
    await asyncio.to_thread(player.stop)
    if player.error is not None:
        raise player.error
    return 0
