"""`audio-studio history`: list or search History, as a table or JSON."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from audio_studio.cli.main import CliContext
from audio_studio.core.models import HistoryKind
from audio_studio.core.store.history import HistoryItem, HistoryQuery


def item_json(item: HistoryItem) -> dict[str, Any]:
    """A History item as plain JSON values (the shape `history --json` prints)."""
    data: dict[str, Any] = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    data["params"] = dict(item.params)
    data["usage"] = dataclasses.asdict(item.usage)
    data["latency"] = dataclasses.asdict(item.latency)
    data["tags"] = list(item.tags)
    data["files"] = [{**dataclasses.asdict(f), "path": str(f.path)} for f in item.files]
    return data


def _since(text: str | None) -> str | None:
    """The ISO start of ``--since``: a date, or a number of days back from now."""
    if not text:
        return None
    try:
        return (datetime.now(UTC) - timedelta(days=float(text))).isoformat()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC).isoformat()
    except ValueError:
        return None


async def run(args: argparse.Namespace, ctx: CliContext) -> int:
    kinds: tuple[HistoryKind, ...] = ()
    if args.kind:
        try:
            kinds = (HistoryKind(args.kind),)
        except ValueError:
            names = ", ".join(k.value for k in HistoryKind)
            print(
                f"audio-studio history: unknown kind {args.kind!r}; use one of {names}.",
                file=sys.stderr,
            )
            return 2
    if args.limit < 1:
        print("audio-studio history: --limit must be at least 1.", file=sys.stderr)
        return 2
    since = _since(args.since)
    if args.since and since is None:
        print(
            f"audio-studio history: --since {args.since!r} is neither YYYY-MM-DD nor a number "
            "of days.",
            file=sys.stderr,
        )
        return 2
    studio = ctx.studio()
    query = HistoryQuery(
        search=args.search,
        kinds=kinds,
        provider=args.provider,
        since=since,
        starred_only=args.starred,
        limit=args.limit,
    )
    items = await studio.library.query(query)
    if args.json:
        json.dump([item_json(i) for i in items], sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    if not items:
        print("No items match." if args.search or kinds else "History is empty.")
        return 0
    for item in items:
        created = datetime.fromisoformat(item.created_at).astimezone().strftime("%Y-%m-%d %H:%M")
        duration = f"{item.duration_s:7.1f}s" if item.duration_s else " " * 8
        title = item.title or item.input_text[:60] or item.prompt[:60]
        line = (
            f"{item.id:>6}  {created}  {item.kind.value:<13} {item.provider or '-':<11}"
            f"{duration}  {title}"
        )
        print(line)
        if item.match:
            print(f"{'':>8}… {item.match}")
    return 0
