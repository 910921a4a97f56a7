"""`audio-studio sfx`: effects from a preset or a prompt; --variations writes several files.

Variations are made as the Sound tab makes them: up to eight at a time in parallel (bounded by
the provider's limit), grouped in History under the first one, with seeds counting up from
--seed. A variation the provider refuses is reported and the others are still written.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from pathlib import Path

from audio_studio.cli.common import finish_progress, provider_from_args
from audio_studio.cli.main import CliContext
from audio_studio.cli.speak import output_format
from audio_studio.core.errors import UnsupportedFormatError
from audio_studio.core.fileio import atomic_write_bytes
from audio_studio.core.models import Capability, SfxRequest
from audio_studio.core.sound.variations import MAX_VARIATIONS, EffectSpec, Variation, VariationFn


def variation_paths(out: Path, count: int) -> list[Path]:
    """``out`` itself for one file; ``name-1.wav``, ``name-2.wav``… for several."""
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(1, count + 1)]


def _usage(message: str) -> int:
    print(f"audio-studio sfx: {message}", file=sys.stderr)
    return 2


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    if not (args.prompt or args.preset):
        return _usage("say what to make: a PROMPT, or --preset NAME (e.g. laser, coin, jump).")
    if not 1 <= args.variations <= 100:
        return _usage("--variations must be between 1 and 100.")
    if args.duration is not None and args.duration <= 0:
        return _usage("--duration must be more than 0 seconds.")
    influence = getattr(args, "prompt_influence", None)
    if influence is not None and not 0 <= influence <= 1:
        return _usage("--prompt-influence must be between 0 and 1.")
    out = Path(args.output)
    try:
        fmt = output_format(out, None)
    except UnsupportedFormatError as exc:
        return _usage(exc.message)
    provider_id, _ = await provider_from_args(ctx, args, Capability.SFX)
    studio = ctx.studio()
    base_seed = args.seed if args.seed is not None else secrets.randbelow(2**31 - 200)
    paths = variation_paths(out, args.variations)
    request = SfxRequest(
        prompt=args.prompt or "",
        preset=args.preset,
        duration_s=args.duration,
        prompt_influence=influence,
        loop=bool(getattr(args, "loop", False)),
        model=getattr(args, "model", None),
        format=fmt,
    )
    failed, parent = 0, None
    for start in range(0, len(paths), MAX_VARIATIONS):
        chunk = paths[start : start + MAX_VARIATIONS]
        spec = EffectSpec(
            request,
            count=len(chunk),
            provider_id=provider_id,
            first_seed=base_seed + start,
            parent_id=parent,
        )
        landed = await studio.sound.variations(spec, on_variation=_progress(len(paths)))
        finish_progress()
        for variation, path in zip(landed, chunk, strict=True):
            failed += not await _write(variation, path)
        parent = parent or next((v.outcome.item.id for v in landed if v.outcome), None)
    return 1 if failed else 0


def _progress(total: int) -> VariationFn:
    done = 0

    def landed(_variation: Variation) -> None:
        nonlocal done
        done += 1
        print(f"sfx: {done} of {total} landed", file=sys.stderr)

    return landed


async def _write(variation: Variation, path: Path) -> bool:
    if variation.outcome is None:
        reason = variation.error.message if variation.error else "not made"
        print(f"audio-studio sfx: {path.name}: {reason}", file=sys.stderr)
        return False
    await asyncio.to_thread(atomic_write_bytes, path, variation.outcome.result.data)
    item = variation.outcome.item
    seconds = f"{item.duration_s:.2f} s" if item.duration_s else "audio"
    seed = f", seed {variation.seed}" if variation.seed is not None else ""
    print(f"Wrote {path} ({seconds}{seed}; History #{item.id}).")
    return True
