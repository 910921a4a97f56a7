"""`audio-studio models`: list installed and downloadable offline models, download, remove."""

from __future__ import annotations

import argparse
import sys

from audio_studio.cli.common import finish_progress, progress_printer
from audio_studio.cli.main import CliContext


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} kB"


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    manager = ctx.studio().model_manager()
    if args.action in ("download", "remove") and not args.name:
        print(f"audio-studio models {args.action}: which one? Give its NAME.", file=sys.stderr)
        return 2
    if args.action == "download":
        model = await manager.download(args.name, progress_printer(f"download {args.name}"))
        finish_progress()
        print(f"Installed {model.id} ({_mb(model.size_bytes)}) in {model.location}.")
        return 0
    if args.action == "remove":
        model = await manager.remove(args.name)
        print(f"Removed {model.id} from {model.location}.")
        return 0
    installed = await manager.installed()
    catalog = await manager.catalog()
    print("Installed:")
    if not installed:
        print("  nothing yet")
    for m in installed:
        origin = f"bundled with {m.package}" if m.bundled else str(m.location)
        print(f"  {m.id:<26} {m.kind.value:<13} {_mb(m.size_bytes):>9}  {m.licence}  ({origin})")
    have = {(m.id, m.kind) for m in installed}
    print("\nAvailable to download (audio-studio models download NAME):")
    for c in catalog:
        mark = "installed" if (c.id, c.kind) in have else ""
        size = _mb(c.size_bytes) if c.size_bytes else "?"
        print(f"  {c.id:<26} {c.kind.value:<13} {size:>9}  {c.title} {mark}".rstrip())
    print(f"\nModels folder: {manager.models_dir}")
    return 0
