"""`audio-studio transcribe`: files (or web addresses) to txt, srt, vtt, json or md.

An https:// address is passed on to a provider that fetches files itself (ImaRouter), and
downloaded first (progress on stderr, a size cap) for every other provider.

Without -o the transcripts go to stdout (several files: each under a ``==> NAME <==`` line,
or one JSON array). With -o and one input, -o is the file to write (or a folder); with
several inputs, -o is a folder and each transcript is named after its input. A file over the
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
from audio_studio.core.fileio import atomic_write_text
from audio_studio.core.models import Capability, Transcript, TranscriptionRequest
from audio_studio.core.subtitles import WRITERS, to_json, write_transcript
from audio_studio.core.transcription.links import is_link, link_name


def _format(args: argparse.Namespace) -> str | None:
    if args.format:
        return str(args.format)
    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
    return suffix if suffix in WRITERS else "txt"


def _targets(files: list[Path], output: str | None, fmt: str) -> list[Path | None]:
    if output is None:
        return [None] * len(files)
    out = Path(output)
    if len(files) == 1 and not (out.is_dir() or output.endswith(("/", "\\"))):
        return [out]
    return [out / f"{f.stem}.{fmt}" for f in files]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    fmt = _format(args)
    if fmt not in WRITERS:
        print(
            f"audio-studio transcribe: {fmt} output is not available yet; use "
            f"{', '.join(WRITERS)}.",
            file=sys.stderr,
        )
        return 2
    if args.concurrency is not None and args.concurrency < 1:
        print("audio-studio transcribe: --concurrency must be at least 1.", file=sys.stderr)
        return 2
    if args.speakers is not None and args.speakers < 1:
        print("audio-studio transcribe: --speakers must be at least 1.", file=sys.stderr)
        return 2
    sources: list[str] = list(args.files)
    files = [Path(link_name(s)) if is_link(s) else Path(s) for s in sources]
    targets = _targets(files, args.output, fmt)
    provider_id, _ = await provider_from_args(ctx, args, Capability.TRANSCRIPTION)
    studio = ctx.studio()
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
            diarize=args.diarize or bool(args.speakers),
            num_speakers=args.speakers,
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
    for f, transcript, out in done:
        if out is not None:
            text = write_transcript(transcript, fmt, title=f.stem)
            try:
                await asyncio.to_thread(_write, out, text)
            except OSError as exc:
                # The transcript is safe in History; say so rather than lose it.
                unwritten += 1
                reason = exc.strerror or exc
                print(
                    f"audio-studio transcribe: {out} could not be written ({reason}); the "
                    "transcript is in History (audio-studio history --kind transcript).",
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
            sys.stdout.write(write_transcript(transcript, fmt, title=f.stem))
    return 0 if len(done) == len(files) and not unwritten else 1
