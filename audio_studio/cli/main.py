"""Headless entry: runs a subcommand on the same Studio as the window and writes History.

Exit codes: 0 success, 1 a user or provider error (one clear line on stderr), 2 bad usage.
Progress goes to stderr; ``--json`` output goes to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from audio_studio.core.errors import StudioError

if TYPE_CHECKING:
    from audio_studio.core.studio import Studio

log = logging.getLogger("audio_studio.cli")

# command -> "module:function"; a command missing here is not built yet and exits 2.
HANDLERS: dict[str, str] = {
    "history": "audio_studio.cli.history:run",
    "music": "audio_studio.cli.music:run",
    "jobs": "audio_studio.cli.jobs:run",
    "record": "audio_studio.cli.record:run",
    "play": "audio_studio.cli.play:run",
    "devices": "audio_studio.cli.devices:run",
    "speak": "audio_studio.cli.speak:run",
    "narrate": "audio_studio.cli.narrate:run",
    "transcribe": "audio_studio.cli.transcribe:run",
    "watch": "audio_studio.cli.watch:run",
    "sfx": "audio_studio.cli.sfx:run",
    "models": "audio_studio.cli.models:run",
    "library": "audio_studio.cli.library:run",
    "speakers": "audio_studio.cli.speakers:run",
}


class CliContext:
    """Opens the studio on first use, so commands that need no History stay light."""

    def __init__(self, home: str | None, *, yes: bool = False) -> None:
        self.home = home
        self.yes = yes  # --yes: jobs of unknown cost may start although a budget is set
        self._studio: Studio | None = None

    def studio(self) -> Studio:
        if self._studio is None:
            from audio_studio.core.store.paths import resolve_paths
            from audio_studio.core.studio import open_studio

            self._studio = open_studio(resolve_paths(self.home), use_env_keys=True)
            if self.yes:
                self._studio.context.accept_unknown_cost()
        return self._studio

    async def aclose(self) -> None:
        if self._studio is not None:
            await self._studio.aclose()


Handler = Callable[[argparse.Namespace, CliContext], Awaitable[int]]


def run_command(args: argparse.Namespace) -> int:
    target = HANDLERS.get(args.command)
    if target is None:
        print(
            f"audio-studio {args.command}: this command is not available in this version yet.",
            file=sys.stderr,
        )
        return 2
    module_name, func_name = target.split(":")
    handler: Handler = getattr(importlib.import_module(module_name), func_name)
    ctx = CliContext(args.home, yes=bool(getattr(args, "yes", False)))
    _setup_cli_logging(ctx)

    async def go() -> int:
        try:
            return await handler(args, ctx)
        finally:
            await ctx.aclose()

    try:
        return asyncio.run(go())
    except StudioError as exc:
        print(f"audio-studio {args.command}: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"audio-studio {args.command}: interrupted.", file=sys.stderr)
        return 130
    except Exception:
        # Not a StudioError: a bug. The traceback goes to the log, one line to the user.
        log.exception("unexpected error in `%s`", args.command)
        print(
            f"audio-studio {args.command}: an unexpected error occurred (a bug); "
            f"details are in {_log_path(ctx)}.",
            file=sys.stderr,
        )
        return 1


def _log_path(ctx: CliContext) -> str:
    from audio_studio.core.store.paths import resolve_paths

    return str(resolve_paths(ctx.home).log_path)


def _setup_cli_logging(ctx: CliContext) -> None:
    from audio_studio.core.logs import setup_logging
    from audio_studio.core.store.paths import resolve_paths

    try:
        paths = resolve_paths(ctx.home)
        setup_logging(paths.log_path)
    except OSError:
        setup_logging(None)  # an unwritable folder is reported by the command that needs it
