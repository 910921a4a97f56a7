"""`audio-studio narrate`: a script or book to finished audio, headless, on the Narration pipeline.

BOOK is any document narration reads (TXT, Markdown, EPUB, PDF, DOCX, HTML, SRT/VTT).
``-o OUT.m4b`` writes an audiobook with chapters, ``-o OUT/`` one file per chapter, a subtitle
file becomes a voice-over with lines on their cues, anything else one file; ``--plan`` prints
the chapters and what will be said without calling a provider.

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
from audio_studio.core.narration.audiobook import script_timeline, write_captions
from audio_studio.core.narration.book_export import is_book_output
from audio_studio.core.narration.cast import Cast
from audio_studio.core.narration.casting import check_cast
from audio_studio.core.narration.chapters import (
    chapter_chunks,
    chapter_spans,
    parse_chapter_choice,
    plan_json,
    project_from_document,
)
from audio_studio.core.narration.documents import Document, read_document
from audio_studio.core.narration.options import EXPORT_FORMATS, speed_range
from audio_studio.core.narration.plan import GenerationReport
from audio_studio.core.narration.project import NarrationProject, NarrationSettings
from audio_studio.core.narration.report import flagged_lines, sentence_report
from audio_studio.core.text import Lexicon


def _say(message: str) -> int:
    print(f"audio-studio narrate: {message}", file=sys.stderr)
    return 2


async def read_book(path: Path) -> Document:
    """A script, book, document or subtitle file, read into chapters.

    Raises:
        InputError: one sentence naming the file and what to do.
    """
    return await asyncio.to_thread(read_document, path)


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


def print_plan(project: NarrationProject, chosen: list[int] | None, as_json: bool) -> None:
    """The chapters and, for each sentence, its text and what will be said (when different)."""
    plan = plan_json(project, chosen)
    if as_json:
        print(json.dumps(plan, ensure_ascii=False, indent=2))
        return
    by = f" by {plan['author']}" if plan["author"] else ""
    print(f"{plan['title']}{by}")
    for chapter in plan["chapters"]:
        sentences = chapter["sentences"]
        words = sum(len(s["text"].split()) for s in sentences)
        print(f"\n{chapter['number']}. {chapter['title']} ({len(sentences):,} sentences, "
              f"{words:,} words)")  # fmt: skip
        for s in sentences:
            print(f"  {s['text']}")
            if s["spoken"] != s["text"]:
                print(f"    says: {s['spoken']}")


async def run_plan(args: argparse.Namespace, ctx: CliContext) -> int:
    """``--plan``: read the book and print the plan; no provider is called."""
    book = await read_book(Path(args.script))
    lexicon = await read_lexicon(Path(args.lexicon)) if args.lexicon else Lexicon()
    provider = args.provider or ctx.studio().settings.speech_provider or "local"
    settings = NarrationSettings(
        provider=provider, lexicon=lexicon, normalize_text=not args.read_as_written
    )
    project = await asyncio.to_thread(project_from_document, book, settings)
    chosen = None
    if args.chapters:
        chosen = parse_chapter_choice(args.chapters, len(chapter_spans(project)))
    print_plan(project, chosen, args.json)
    return 0


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.plan:
        return await run_plan(args, ctx)
    if not args.output:
        return _say("Say where to write the narration with -o OUT (or print the plan with --plan).")
    out = Path(args.output)
    book_out = is_book_output(args.output)
    if book_out:
        fmt = AudioFormat.WAV  # the project's own export format, unused by an audiobook
    else:
        try:
            fmt = _export_format(out, args.format)
        except UnsupportedFormatError as exc:
            return _say(f"{exc.message} Use one of those extensions, .m4b, or --format.")
        if args.chapters:
            return _say("--chapters writes an audiobook: give -o OUT.m4b or a folder OUT/.")
    if args.concurrency is not None and not 1 <= args.concurrency <= 16:
        return _say("--concurrency takes 1 to 16.")
    if args.paragraph_pause is not None and not 0 <= args.paragraph_pause <= 10:
        return _say("--paragraph-pause takes 0 to 10 seconds.")
    if args.loudness is not None and not -40 <= args.loudness <= -5:
        return _say("--loudness takes -40 to -5 LUFS.")
    if not 1 <= args.max_speedup <= 2:
        return _say("--max-speedup takes 1 to 2.")
    script_path = Path(args.script)
    await read_book(script_path)  # a book that cannot be read is said before anything else
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
        normalize_text=not args.read_as_written,
    )
    project = await narration.open_document(
        script_path, settings, max_chars=narration.max_chars(provider_id, args.model)
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
    spans = chapter_spans(project)
    chosen = parse_chapter_choice(args.chapters, len(spans)) if args.chapters else None
    targets = None
    if chosen is not None:
        targets = [
            c
            for span in spans
            if span.index in chosen
            for c in chapter_chunks(project, span)
            if c.needs_audio and not c.locked
        ]
    plan = await narration.plan(project, targets)
    print(f"narrate: {plan.text()}", file=sys.stderr)
    for warning in (*plan.warnings, *([plan.warning] if plan.warning else [])):
        print(f"narrate: note: {warning}", file=sys.stderr)
    proof = bool(getattr(args, "proof", False))
    as_json = bool(getattr(args, "json", False))
    report = (
        await narration.generate(
            project,
            targets,
            progress=progress_printer("narrate"),
            concurrency=args.concurrency,
            proof=proof,
        )
        if targets is None or targets
        else GenerationReport()
    )
    finish_progress()
    if report.failed:
        first = next(c for c in project.chunks if c.error)
        raise ProviderError(
            f"{report.failed} of {report.targets} sentences failed (the first: "
            f"{first.error}). The others are kept: run the command again to retry only these.",
            provider=provider_id,
        )
    cost = f", ≈ ${report.cost_usd:.2f}" if report.cost_usd else ""
    made = f"{report.made} made, {report.cached} from the cache{cost}; {provider_id}"
    if book_out:
        book = await narration.export_book(
            project,
            out,
            chosen=chosen,
            captions=args.captions,
            loudness_lufs=args.loudness,
            progress=progress_printer("export"),
        )
        finish_progress()
        captions = "".join(f", {p.name}" for p in book.captions)
        written = book.path
        wrote = (
            f"Wrote {book.path} ({book.duration_s:.1f} s, {book.chapters} chapters{captions}; "
            f"{made}; History #{book.item.id})."
        )
    elif project.book is not None and project.book.cues:
        voice = await narration.export_voiceover(
            project,
            out,
            fmt=fmt,
            max_speedup=args.max_speedup,
            loudness_lufs=args.loudness,
            progress=progress_printer("export"),
        )
        finish_progress()
        faster = sum(line.speed > 1 for line in voice.lines)
        late = ", ".join(str(line.number) for line in voice.overruns)
        written = voice.path
        wrote = (
            f"Wrote {voice.path} ({voice.duration_s:.1f} s voice-over, {len(voice.lines)} cues, "
            f"{faster} sped up; {made}; History #{voice.item.id})."
        )
        if late:
            many = len(voice.overruns) > 1
            print(
                f"narrate: note: cue{'s' if many else ''} {late} still {'run' if many else 'runs'}"
                f" past the next cue at {args.max_speedup:g}×; shorten the text or allow more "
                "with --max-speedup.",
                file=sys.stderr,
            )
    else:
        outcome = await narration.export(
            project, out, fmt=fmt, loudness_lufs=args.loudness, progress=progress_printer("export")
        )
        finish_progress()
        if args.captions:
            timed = script_timeline(project, narration.paragraph_pause(project))
            path = outcome.path.with_suffix(f".{args.captions}")
            await asyncio.to_thread(write_captions, timed, path, args.captions)
        lufs = f", {outcome.lufs:.1f} LUFS" if outcome.lufs is not None else ""
        written = outcome.path
        wrote = (
            f"Wrote {outcome.path} ({outcome.duration_s:.1f} s{lufs}; {len(project.chunks)} "
            f"sentences: {made}; History #{outcome.item.parent_id})."
        )
    if as_json:
        print(json.dumps({"sentences": sentence_report(project), "output": str(written)}))
    print(wrote, file=sys.stderr if as_json else sys.stdout)
    if proof:
        still = flagged_lines(project)
        for line in still:
            print(f"audio-studio narrate: check {line}", file=sys.stderr)
        if still:
            return 3
    return 0
