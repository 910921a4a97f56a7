"""`audio-studio music`: generate music into a file and History; async jobs can be left running."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from audio_studio.cli.common import finish_progress, progress_printer, provider_from_args
from audio_studio.cli.main import CliContext
from audio_studio.core.errors import UnsupportedFormatError
from audio_studio.core.models import AudioFormat, Capability, MusicRequest


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from audio_studio.core.audio.codec import format_for_path

    output = Path(args.output)
    try:
        wanted = format_for_path(output)
    except UnsupportedFormatError as exc:
        print(f"audio-studio music: {exc.message}", file=sys.stderr)
        return 2
    if args.duration is not None and args.duration <= 0:
        print("audio-studio music: --duration must be more than 0 seconds.", file=sys.stderr)
        return 2
    studio = ctx.studio()
    if not (args.provider or studio.settings.music_provider):
        print(
            "audio-studio music: choose a provider with --provider (elevenlabs, replicate, "
            "gateway, crazyrouter, imarouter), or set one in Settings.",
            file=sys.stderr,
        )
        return 2
    lyrics = getattr(args, "lyrics", None)
    if lyrics and lyrics.startswith("@"):
        try:
            lyrics = await asyncio.to_thread(Path(lyrics[1:]).read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(
                f"audio-studio music: cannot read the lyrics {lyrics[1:]} ({exc}).", file=sys.stderr
            )
            return 2
    provider_id, provider = await provider_from_args(ctx, args, Capability.MUSIC)
    formats = provider.info.output_formats
    request = MusicRequest(
        prompt=args.prompt,
        duration_s=args.duration,
        lyrics=lyrics or None,
        instrumental=bool(getattr(args, "instrumental", False)),
        model=getattr(args, "model", None),
        # Ask for the file's own format when the provider makes it; otherwise convert after.
        format=wanted if wanted in formats else (formats[0] if formats else AudioFormat.MP3),
    )
    outcome = await studio.music.generate(
        request,
        provider_id=provider_id,
        progress=progress_printer("music"),
        wait=not args.no_wait,
        output=output,
    )
    finish_progress()
    if outcome.result is None:
        print(outcome.job_id)
        print(
            f"Submitted to {provider.info.name}; `audio-studio jobs resume {outcome.job_id}` "
            f"fetches it into {output}.",
            file=sys.stderr,
        )
        return 0
    length = f" ({outcome.result.duration_s:.1f} s)" if outcome.result.duration_s else ""
    print(f"Wrote {output}{length}; History item {outcome.item_id}.", file=sys.stderr)
    return 0
