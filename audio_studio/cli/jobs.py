"""`audio-studio jobs`: list, resume or cancel async provider jobs that are not finished."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from audio_studio.cli.common import finish_progress, progress_printer
from audio_studio.cli.main import CliContext
from audio_studio.core.errors import StudioError


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    studio = ctx.studio()
    if args.action == "cancel":
        if not args.id:
            print(
                "audio-studio jobs cancel: give the job id (see `audio-studio jobs`).",
                file=sys.stderr,
            )
            return 2
        job = await studio.music.cancel(args.id)
        print(f"Job {job.id} is {job.remote.state.value}.", file=sys.stderr)
        return 0
    if args.action == "resume":
        refs = [args.id] if args.id else [j.id for j in await studio.music.remote_jobs()]
        if not refs:
            print("No unfinished jobs.", file=sys.stderr)
            return 0
        failed = 0
        for ref in refs:
            try:
                outcome = await studio.music.resume(ref, progress_printer(f"job {ref}"))
            except StudioError as exc:
                if args.id:
                    raise
                finish_progress()
                print(f"audio-studio jobs: {ref}: {exc.message}", file=sys.stderr)
                failed += 1
                continue
            finish_progress()
            where = outcome.output or outcome.audio_path
            print(f"Job {ref} finished: {where}; History item {outcome.item_id}.", file=sys.stderr)
        return 1 if failed else 0
    jobs = await studio.music.remote_jobs()
    if not jobs:
        print("No unfinished jobs.")
        return 0
    for job in jobs:
        when = datetime.fromisoformat(job.submitted_at).astimezone().strftime("%Y-%m-%d %H:%M")
        prompt = str(job.request.get("prompt") or "")[:50]
        print(
            f"{job.id}  {job.remote.provider:<10} {job.remote.state.value:<8} {when}  "
            f"{job.remote.job_id}  {prompt}"
        )
    return 0
