"""`audio-studio narrate`: a script to one finished file, headless, on the Narration pipeline.

The same chunking, [pause] markup, pronunciation list, cache, loudness and History as the tab:
running it again after editing the script remakes only the sentences that changed. When some
sentences fail, the rest are kept (and cached) and the command ends with one line and exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from audio_studio.cli.common import finish_progress, progress_printer, provider_from_args
from audio_studio.cli.main import CliContext
from audio_studio.core.errors import InputError, ProviderError, UnsupportedFormatError
from audio_studio.core.models import AudioFormat, Capability
from audio_studio.core.narration.cast import Cast
from audio_studio.core.narration.casting import check_cast
from audio_studio.core.narration.options import EXPORT_FORMATS, speed_range
from audio_studio.core.narration.project import NarrationProject, NarrationSettings
from audio_studio.core.narration.report import flagged_lines, sentence_report
from audio_studio.core.text import Lexicon, markdown_to_text


def _say(message: str) -> int:
    print(f"audio-studio narrate: {message}", file=sys.stderr)
    return 2


async def read_script(path: Path) -> str:
    """A .txt or .md script as narration text.

    Raises:
        InputError: it cannot be read, or it is not UTF-8 text.
    """
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise InputError(f"Cannot read the script {path} ({reason}).") from exc
    return markdown_to_text(text) if path.suffix.lower() in (".md", ".markdown") else text


async def read_lexicon(path: Path) -> Lexicon:
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the pronunciation list {path} ({exc}).") from exc
    return Lexicon.parse(text, name=str(path))


async def read_cast(path: Path) -> Cast:
    """A cast file (TOML, one table per role).

    Raises:
        InputError: it cannot be read, or it is not a valid cast (the message says where).
    """
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the cast file {path} ({exc}).") from exc
    return Cast.from_toml(text, name=f"The cast file {path.name}")


def _export_format(out: Path, fmt: str | None) -> AudioFormat:
    from audio_studio.core.audio.codec import format_for_path

    chosen = AudioFormat(fmt) if fmt else format_for_path(out)
    if chosen not in EXPORT_FORMATS:
        names = ", ".join(f.value for f in EXPORT_FORMATS)
        raise UnsupportedFormatError(f"A narration is written as {names}, not {chosen.value}.")
    return chosen


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    out = Path(args.output)
    try:
        fmt = _export_format(out, args.format)
    except UnsupportedFormatError as exc:
        return _say(f"{exc.message} Use one of those extensions, or --format.")
    if args.concurrency is not None and not 1 <= args.concurrency <= 16:
        return _say("--concurrency takes 1 to 16.")
    if args.paragraph_pause is not None and not 0 <= args.paragraph_pause <= 10:
        return _say("--paragraph-pause takes 0 to 10 seconds.")
    if args.loudness is not None and not -40 <= args.loudness <= -5:
        return _say("--loudness takes -40 to -5 LUFS.")
    script_path = Path(args.script)
    script = await read_script(script_path)
    lexicon = await read_lexicon(Path(args.lexicon)) if args.lexicon else Lexicon()
    try:
        cast = await read_cast(Path(args.cast)) if getattr(args, "cast", None) else Cast()
    except InputError as exc:
        return _say(exc.message)
    provider_id, _ = await provider_from_args(ctx, args, Capability.SPEECH)
    lo, hi = speed_range(provider_id)
    if not lo <= args.speed <= hi:
        return _say(f"--speed for {provider_id} takes {lo:g} to {hi:g}.")
    studio = ctx.studio()
    narration = studio.narration
    cloned = next(
        (
            v
            for v in await studio.narration.cloned_voices(provider_id)
            if args.voice in (v.id, v.name)
        ),
        None,
    )
    settings = NarrationSettings(
        provider=provider_id,
        model=args.model,
        voice=cloned.id if cloned else args.voice,
        voice_name=cloned.name if cloned else None,
        cloned_voice=cloned is not None,
        speed=args.speed,
        instructions=args.instructions,
        export_format=fmt,
        lexicon=lexicon,
        paragraph_pause_s=args.paragraph_pause,
    )
    project = NarrationProject(
        script,
        title=script_path.stem,
        settings=settings,
        max_chars=narration.max_chars(provider_id, args.model),
    )
    if cast:
        try:
            await check_cast(studio.context, cast, where=f"The cast file {Path(args.cast).name}")
        except InputError as exc:
            return _say(exc.message)
        # Every role's provider must take each sentence: the smallest limit of them all.
        limits = [narration.max_chars(r.provider, r.model) for r in cast]
        known = [n for n in (*limits, project.max_chars) if n]
        project.max_chars = min(known) if known else None
        project.set_cast(cast)
        if project.cast_problems:
            return _say(project.cast_problems[0])
    plan = await narration.plan(project)
    print(f"narrate: {plan.text()}", file=sys.stderr)
    for warning in (*plan.warnings, *([plan.warning] if plan.warning else [])):
        print(f"narrate: note: {warning}", file=sys.stderr)
    proof = bool(getattr(args, "proof", False))
    report = await narration.generate(
        project, progress=progress_printer("narrate"), concurrency=args.concurrency, proof=proof
    )
    finish_progress()
    if report.failed:
        first = next(c for c in project.chunks if c.error)
        raise ProviderError(
            f"{report.failed} of {len(project.chunks)} sentences failed (the first: "
            f"{first.error}). The others are kept: run the command again to retry only these.",
            provider=provider_id,
        )
    outcome = await narration.export(
        project, out, fmt=fmt, loudness_lufs=args.loudness, progress=progress_printer("export")
    )
    finish_progress()
    cost = f", ≈ ${report.cost_usd:.2f}" if report.cost_usd else ""
    lufs = f", {outcome.lufs:.1f} LUFS" if outcome.lufs is not None else ""
    as_json = bool(getattr(args, "json", False))
    if as_json:
        print(json.dumps({"sentences": sentence_report(project), "output": str(outcome.path)}))
    print(
        f"Wrote {outcome.path} ({outcome.duration_s:.1f} s{lufs}; {len(project.chunks)} "
        f"sentences: {report.made} made, {report.cached} from the cache{cost}; "
        f"{provider_id}; History #{outcome.item.parent_id}).",
        file=sys.stderr if as_json else sys.stdout,
    )
    if proof:
        still = flagged_lines(project)
        for line in still:
            print(f"audio-studio narrate: check {line}", file=sys.stderr)
        if still:
            return 3
    return 0
