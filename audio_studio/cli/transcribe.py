"""`audio-studio transcribe`: files, folders or web addresses to text, captions or documents.

An https:// address is passed on to a provider that fetches files itself (ImaRouter), and
downloaded first (progress on stderr, a size cap) for every other provider.

Formats: txt, json, md; srt, vtt, ass, ttml (captions shaped to the norms in Settings);
docx, html, csv, pdf. A folder stands for the audio and video files in it (``--recursive``:
in its sub-folders too). Without -o the transcripts go to stdout (several files: each under a
``==> NAME <==`` line, or one JSON array; docx and pdf need -o). With -o and one input, -o is
the file to write (or a folder); with several inputs, -o is a folder and each transcript is
named by the file-name template in Settings (``{title}`` by default), files from a folder
keeping their sub-folder. A file over the
provider's upload limit is sent in parts, ``--concurrency`` at a time (also the number of
files worked on at once). Each file becomes one recording and one transcript in History. A
file that fails does not stop the others; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from audio_studio.cli.common import finish_progress, progress_printer, provider_from_args
from audio_studio.cli.main import CliContext
from audio_studio.core.errors import StudioError
from audio_studio.core.models import Capability, Transcript, TranscriptionRequest
from audio_studio.core.settings import Settings
from audio_studio.core.subtitles import to_json
from audio_studio.core.transcription.exports import (
    EXPORT_FORMATS,
    ExportOptions,
    export_file,
    export_name,
    render,
)
from audio_studio.core.transcription.links import is_link, link_name
from audio_studio.core.transcription.watch import media_files

BINARY = ("docx", "pdf")


def _format(args: argparse.Namespace) -> str | None:
    if args.format:
        return str(args.format)
    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
    return suffix if suffix in EXPORT_FORMATS else "txt"


def _speakers(value: str | None) -> int | bool | None:
    """``--speakers``: None (not asked), 0 (auto), a count, or False (not understood)."""
    if value is None:
        return None
    if value.strip().lower() == "auto":
        return 0
    try:
        count = int(value)
    except ValueError:
        return False
    return count if count >= 1 else False


def _inputs(args: argparse.Namespace) -> tuple[list[str], list[Path], list[Path], list[str]]:
    """What to transcribe as given (a path or a link), as a file name, the folder each came
    from (or ``.``), and problems. Blocking (looks into folders)."""
    sources: list[str] = []
    files: list[Path] = []
    bases: list[Path] = []
    problems = []
    for name in args.files:
        if is_link(name):
            sources.append(name)
            files.append(Path(link_name(name)))
            bases.append(Path("."))
            continue
        path = Path(name)
        if path.is_dir():
            found = media_files(path, recursive=args.recursive)
            if not found:
                problems.append(f"{path}: no audio or video files in this folder")
            sources += [str(f) for f in found]
            files += found
            bases += [path] * len(found)
        else:
            sources.append(name)
            files.append(path)
            bases.append(Path("."))
    return sources, files, bases, problems


def _targets(
    files: list[Path],
    bases: list[Path],
    output: str | None,
    fmt: str,
    settings: Settings,
    provider: str,
) -> list[Path | None]:
    if output is None:
        return [None] * len(files)
    out = Path(output)
    if (
        len(files) == 1
        and bases[0] == Path(".")
        and not (out.is_dir() or output.endswith(("/", "\\")))
    ):
        return [out]
    template = settings.export_name_template
    targets: list[Path | None] = []
    for f, base in zip(files, bases, strict=True):
        sub = f.parent.relative_to(base) if base != Path(".") else Path()
        targets.append(out / sub / export_name(template, fmt, title=f.name, provider=provider))
    return targets


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    fmt = _format(args)
    if fmt not in EXPORT_FORMATS:
        print(
            f"audio-studio transcribe: {fmt} output is not available; use "
            f"{', '.join(EXPORT_FORMATS)}.",
            file=sys.stderr,
        )
        return 2
    if fmt in BINARY and not args.output:
        print(f"audio-studio transcribe: {fmt} is a binary document; give -o FILE or -o DIR/.",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.concurrency is not None and args.concurrency < 1:
        print("audio-studio transcribe: --concurrency must be at least 1.", file=sys.stderr)
        return 2
    speakers = _speakers(args.speakers)
    if speakers is False:
        print(
            "audio-studio transcribe: --speakers takes auto or a number of speakers (1 to 10).",
            file=sys.stderr,
        )
        return 2
    sources, files, bases, problems = await asyncio.to_thread(_inputs, args)
    for problem in problems:
        print(f"audio-studio transcribe: {problem}", file=sys.stderr)
    if not files:
        return 1
    provider_id, _ = await provider_from_args(ctx, args, Capability.TRANSCRIPTION)
    studio = ctx.studio()
    targets = _targets(files, bases, args.output, fmt, studio.settings, provider_id)
    concurrency = args.concurrency or studio.settings.transcription_concurrency
    if args.concurrency:
        # Asked for explicitly: at most N requests at once to this provider, whatever Settings say.
        studio.runner.set_provider_limit(provider_id, args.concurrency)
    limit = asyncio.Semaphore(concurrency)

    pairs = list(zip(sources, files, strict=True))
    absolute = await asyncio.to_thread(
        lambda: [None if is_link(s) else f.expanduser().resolve() for s, f in pairs]
    )

    async def one(path: Path, source: str, audio: Path | None) -> Transcript | None:
        request = TranscriptionRequest(
            audio=audio or path,
            model=args.model,
            language=args.language,
            prompt=args.prompt,
            diarize=args.diarize or speakers is not None,
            num_speakers=speakers or None,
        )
        report = progress_printer(f"transcribe {path.name}")
        async with limit:
            try:
                if audio is None:
                    outcome = await studio.transcription.transcribe_link(
                        source,
                        request,
                        provider_id=provider_id,
                        progress=report,
                        concurrency=concurrency,
                    )
                else:
                    outcome = await studio.transcription.transcribe(
                        request, provider_id=provider_id, progress=report, concurrency=concurrency
                    )
            except StudioError as exc:
                finish_progress()
                print(f"audio-studio transcribe: {source}: {exc.message}", file=sys.stderr)
                return None
        finish_progress()
        if outcome.parts > 1:
            print(f"{path.name}: sent in {outcome.parts} parts", file=sys.stderr)
        for notice in outcome.transcript.notices:
            print(f"{path.name}: {notice}", file=sys.stderr)
        return outcome.transcript

    results = await asyncio.gather(
        *(one(f, s, a) for f, s, a in zip(files, sources, absolute, strict=True))
    )
    done = [(f, t, out) for f, t, out in zip(files, results, targets, strict=True) if t]
    unwritten = 0
    where = dict(zip(files, absolute, strict=True))

    def options(f: Path, t: Transcript) -> ExportOptions:
        return ExportOptions.from_settings(
            studio.settings, title=f.stem, provider=t.provider or provider_id, audio=where[f]
        )

    for f, transcript, out in done:
        if out is not None:
            try:
                await asyncio.to_thread(export_file, transcript, fmt, out, options(f, transcript))
            except StudioError as exc:
                # The transcript is safe in History; say so rather than lose it.
                unwritten += 1
                print(
                    f"audio-studio transcribe: {exc.message} The transcript is in History "
                    "(audio-studio history --kind transcript).",
                    file=sys.stderr,
                )
                continue
            print(f"Wrote {out}", file=sys.stderr)
    to_stdout = [(f, t) for f, t, out in done if out is None]
    if to_stdout and fmt == "json" and len(files) > 1:
        items = [{"file": str(f), **json.loads(to_json(t))} for f, t in to_stdout]
        sys.stdout.write(json.dumps(items, ensure_ascii=False, indent=2) + "\n")
    else:
        for f, transcript in to_stdout:
            if len(files) > 1:
                sys.stdout.write(f"==> {f} <==\n")
            data = await asyncio.to_thread(render, transcript, fmt, options(f, transcript))
            sys.stdout.write(data.decode("utf-8"))
    return 0 if len(done) == len(files) and not unwritten and not problems else 1
