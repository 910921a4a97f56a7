"""`audio-studio devices`: the input and output devices PortAudio sees, as a table or JSON."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys

from audio_studio.cli.main import CliContext


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    studio = ctx.studio()
    listing = await asyncio.to_thread(studio.audio_backend.devices)
    settings = studio.settings
    if args.json:
        data = {
            "devices": [dataclasses.asdict(d) for d in listing.devices],
            "input_device": settings.input_device,
            "output_device": settings.output_device,
            "problem": listing.problem,
        }
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        if listing.devices:
            print(f"{'#':>3}  {'in':>3} {'out':>3}  {'rate':>6}  {'host API':<10} name")
        for d in listing.devices:
            marks = [
                m
                for m, on in (
                    ("default input", d.is_default_input),
                    ("default output", d.is_default_output),
                    ("chosen input", settings.input_device == d.name),
                    ("chosen output", settings.output_device == d.name),
                )
                if on
            ]
            note = f"  ({', '.join(marks)})" if marks else ""
            print(
                f"{d.index:>3}  {d.max_input_channels:>3} {d.max_output_channels:>3}  "
                f"{d.default_samplerate:>6.0f}  {d.host_api:<10} {d.name}{note}"
            )
    if listing.problem:
        print(f"audio-studio devices: {listing.problem}", file=sys.stderr)
        return 1
    return 0
