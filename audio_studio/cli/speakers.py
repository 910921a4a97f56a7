"""`audio-studio speakers`: the voices you named; rename a detected speaker, correct, forget.

``list`` shows each named voice (prints kept, "not" corrections, its sample file).
``rename ID OLD NEW`` renames speaker OLD of transcript ID (see `audio-studio history --kind
transcript`) and remembers the voice as NEW; later transcriptions with speakers label it so.
``not ID SPEAKER NAME`` remembers that SPEAKER of transcript ID is not NAME. ``forget NAME``
deletes a voice and its prints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from audio_studio.cli.main import CliContext
from audio_studio.core.errors import StudioError
from audio_studio.core.models import HistoryKind

USAGE = {
    "rename": "rename TRANSCRIPT_ID OLD NEW",
    "not": "not TRANSCRIPT_ID SPEAKER NAME",
    "forget": "forget NAME",
    "list": "list",
}


def _fail(message: str, code: int = 2) -> int:
    print(f"audio-studio speakers: {message}", file=sys.stderr)
    return code


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    want = {"list": 0, "rename": 3, "not": 3, "forget": 1}[args.action]
    if len(args.names) != want:
        return _fail(f"use `audio-studio speakers {USAGE[args.action]}`.")
    service = ctx.studio().transcription
    try:
        if args.action == "list":
            known = await service.known_voices()
            if args.json:
                rows = [
                    {"name": v.name, "prints": v.prints, "not_prints": v.not_prints,
                     "sample": str(v.sample) if v.sample else None, "created_at": v.created_at}
                    for v in known
                ]  # fmt: skip
                print(json.dumps(rows, indent=2))
            elif not known:
                print("No named voices yet. Rename a detected speaker to remember a voice.")
            for v in known if not args.json else ():
                nots = f", {v.not_prints} not" if v.not_prints else ""
                print(f"{v.name}\t{v.prints} print(s){nots}\t{v.sample or 'no sample'}")
            return 0
        if args.action == "forget":
            if await service.forget_voice(args.names[0]):
                print(f"Forgot {args.names[0]} and its voice prints.", file=sys.stderr)
                return 0
            return _fail(f"no named voice is called {args.names[0]!r}.", 1)
        try:
            item_id = int(args.names[0])
        except ValueError:
            return _fail(f"{args.names[0]!r} is not a transcript number; see history.")
        item = await asyncio.to_thread(service.ctx.history.get, item_id)
        if item is None or item.kind is not HistoryKind.TRANSCRIPT:
            return _fail(f"there is no transcript {item_id} in History.", 1)
        if args.action == "rename":
            await service.rename_speaker(item, args.names[1], args.names[2])
            print(f"{args.names[1]} is now {args.names[2]}; the voice is remembered.",
                  file=sys.stderr)  # fmt: skip
        else:
            await service.not_speaker(item, args.names[1], args.names[2])
            print(f"Remembered: {args.names[1]} is not {args.names[2]}.", file=sys.stderr)
        return 0
    except StudioError as exc:
        return _fail(exc.message, 1)
