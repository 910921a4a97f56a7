"""`audio-studio sfx`: effects from a preset or a prompt; --variations writes several files."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from pathlib import Path

from audio_studio.cli.common import finish_progress, progress_printer, provider_from_args
from audio_studio.cli.main import CliContext
from audio_studio.cli.speak import output_format
from audio_studio.core.errors import UnsupportedFormatError
from audio_studio.core.models import Capability, SfxRequest
from audio_studio.core.store.atomic import atomic_write_bytes


def variation_paths(out: Path, count: int) -> list[Path]:
    """``out`` itself for one file; ``name-1.wav``, ``name-2.wav``… for several."""
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(1, count + 1)]


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    def usage(message: str) -> int:
        print(f"audio-studio sfx: {message}", file=sys.stderr)
        return 2

    if not (args.prompt or args.preset):
        return usage("say what to make: a PROMPT, or --preset NAME (e.g. laser, coin, jump).")
    if not 1 <= args.variations <= 100:
        return usage("--variations must be between 1 and 100.")
    if args.duration is not None and args.duration <= 0:
        return usage("--duration must be more than 0 seconds.")
    out = Path(args.output)
    try:
        fmt = output_format(out, None)
    except UnsupportedFormatError as exc:
        return usage(exc.message)
    provider_id, _ = await provider_from_args(ctx, args, Capability.SFX)
    service = ctx.service()
    base_seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    paths = variation_paths(out, args.variations)
    for i, path in enumerate(paths):
        request = SfxRequest(
            prompt=args.prompt or "",
            preset=args.preset,
            seed=base_seed + i,
            duration_s=args.duration,
            format=fmt,
        )
        outcome = await service.generate_sfx(
            request, provider_id=provider_id, progress=progress_printer(f"sfx {path.name}")
        )
        finish_progress()
        await asyncio.to_thread(atomic_write_bytes, path, outcome.result.data)
        item = outcome.item
        seconds = f"{item.duration_s:.2f} s" if item.duration_s else "audio"
        print(f"Wrote {path} ({seconds}, seed {base_seed + i}; History #{item.id}).")
    return 0
