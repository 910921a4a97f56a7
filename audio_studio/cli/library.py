"""`audio-studio library export FILE.zip | import FILE.zip`: the same code as Settings → Upkeep."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from audio_studio.cli.main import CliContext


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    path = await asyncio.to_thread(lambda: Path(args.file).expanduser())
    if args.action == "export":
        if path.suffix.lower() != ".zip":
            print(f"audio-studio library export: name the archive FILE.zip, not {path.name}.",
                  file=sys.stderr)  # fmt: skip
            return 2
        if await asyncio.to_thread(path.exists):
            print(f"audio-studio library export: {path} exists already; choose another name.",
                  file=sys.stderr)  # fmt: skip
            return 1
        count = await ctx.studio().library.export(path)
        print(f"Exported the library ({count} file(s) and the History database) to {path}.")
        return 0
    if not await asyncio.to_thread(path.is_file):
        print(f"audio-studio library import: there is no file {path}.", file=sys.stderr)
        return 1
    report = await ctx.studio().library.import_(path)
    ids = "kept their ids" if report.kept_ids else "were given new ids"
    print(
        f"Imported {report.items} item(s) and {report.files} file(s) from {path}; the items {ids}."
    )
    return 0
