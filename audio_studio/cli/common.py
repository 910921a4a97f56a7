"""Pieces every CLI command shares: choosing the provider from options, progress on stderr."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from audio_studio.cli.main import CliContext
from audio_studio.core.models import Capability
from audio_studio.core.providers.base import ProgressFn

# Which setting names the default provider for each capability.
_DEFAULT_SETTING = {
    Capability.SPEECH: "speech_provider",
    Capability.TRANSCRIPTION: "transcription_provider",
    Capability.SFX: "sfx_provider",
    Capability.MUSIC: "music_provider",
    Capability.CHAT: "chat_provider",
}


async def provider_from_args(
    ctx: CliContext, args: argparse.Namespace, capability: Capability
) -> tuple[str, Any]:
    """The provider id and instance that ``--provider`` / ``--base-url`` ask for.

    Without ``--provider`` the default from Settings is used ("local" for the offline
    engines). ``--base-url`` applies to this run only and is not saved.

    Raises:
        ConfigurationError / MissingApiKeyError: unknown provider, not installed, no key.
    """
    studio = ctx.studio()
    setting = _DEFAULT_SETTING.get(capability)
    provider_id = getattr(args, "provider", None) or (
        getattr(studio.settings, setting) if setting else None
    )
    provider_id = provider_id or "local"
    base_url = getattr(args, "base_url", None)
    if base_url:
        studio.use_settings(studio.settings.with_provider(provider_id, base_url=base_url))
    return provider_id, await studio.context.provider(provider_id, capability)


def progress_printer(label: str, *, stream: Any = None) -> ProgressFn:
    """A ProgressFn that keeps one status line on stderr, at most ten updates a second."""
    out = stream or sys.stderr
    last = 0.0
    interactive = bool(getattr(out, "isatty", lambda: False)())

    def report(share: float | None, message: str | None) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < 0.1 and not (share is not None and share >= 1.0):
            return
        last = now
        pct = f"{share * 100:3.0f}%" if share is not None else " …  "
        line = f"{label}: {pct} {message or ''}".rstrip()
        if interactive:
            out.write(f"\r\033[K{line}")
        else:
            out.write(line + "\n")
        out.flush()

    return report


def finish_progress(stream: Any = None) -> None:
    """End the status line (a newline on a terminal)."""
    out = stream or sys.stderr
    if getattr(out, "isatty", lambda: False)():
        out.write("\n")
        out.flush()
