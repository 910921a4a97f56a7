"""`audio-studio speak`: say a text (or a text file) with any speech provider; write the audio."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from audio_studio.cli.common import finish_progress, progress_printer, provider_from_args
from audio_studio.cli.main import CliContext
from audio_studio.core.errors import InputError, UnsupportedFormatError
from audio_studio.core.fileio import atomic_write_bytes
from audio_studio.core.models import AudioFormat, Capability, SpeechRequest


def output_format(out: Path, fmt: str | None) -> AudioFormat:
    """The format asked for with --format, else the one the output's extension names.

    Raises:
        UnsupportedFormatError: neither names a format the studio writes.
    """
    if fmt:
        return AudioFormat(fmt)
    from audio_studio.core.audio.codec import format_for_path

    return format_for_path(out)


async def read_text_arg(text: str | None, file: str | None) -> str:
    if file is None:
        return text or ""
    path = Path(file)
    try:
        if file == "-":
            return await asyncio.to_thread(sys.stdin.read)
        return await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the text from {path} ({exc}).") from exc


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    out = Path(args.output)
    try:
        fmt = output_format(out, args.format)
    except UnsupportedFormatError as exc:
        print(f"audio-studio speak: {exc.message} Or pass --format.", file=sys.stderr)
        return 2
    text = await read_text_arg(args.text, args.file)
    provider_id, _ = await provider_from_args(ctx, args, Capability.SPEECH)
    request = SpeechRequest(
        text=text, voice=args.voice, model=args.model, speed=args.speed, format=fmt
    )
    outcome = await ctx.studio().narration.speak(
        request, provider_id=provider_id, progress=progress_printer("speak")
    )
    finish_progress()
    await asyncio.to_thread(atomic_write_bytes, out, outcome.result.data)
    item = outcome.item
    seconds = f"{item.duration_s:.1f} s" if item.duration_s else "audio"
    voice = f", voice {item.voice}" if item.voice else ""
    print(f"Wrote {out} ({seconds}{voice}, {provider_id}; History #{item.id}).")
    return 0
