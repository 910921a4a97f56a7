"""Summaries: a chat model turns a transcript into a summary and action items, kept in History.

Any provider with the CHAT capability works (Settings.chat_provider, else the first one with a
key). The model is asked for JSON; replies that are plain text with "Summary" and "Action
items" headings (smaller local models) are read too. A transcript too long for one request is
summarised in pieces first, then the pieces' summaries are summarised together. The result is
a SUMMARY row under the transcript row, its text searchable like any other.

Threads: runs on the event loop; SQLite goes through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import ConfigurationError, InputError, ProviderProtocolError
from audio_studio.core.models import (
    Capability,
    ChatMessage,
    HistoryKind,
    Latency,
    SummaryResult,
    Transcript,
    Usage,
)
from audio_studio.core.store.history import HistoryEntry, HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["SummaryOutcome", "chat_provider_id", "latest_summary", "parse_summary", "summarise"]

# About 6,000 tokens of transcript per request: fits the context of small local models too.
PIECE_CHARS = 24_000
SYSTEM = (
    "You summarise transcripts of recordings (meetings, interviews, voice notes). Reply with "
    'JSON only, shaped {"summary": "...", "action_items": ["..."]}. The summary is a few '
    "sentences in the language of the transcript. Action items are concrete tasks someone "
    "said they or others would do, each one short line naming who when it is known; an empty "
    "list when there are none. Do not invent anything that is not in the transcript."
)


@dataclass(frozen=True)
class SummaryOutcome:
    result: SummaryResult
    item: HistoryItem  # the SUMMARY row (parent: the transcript row)


async def chat_provider_id(ctx: StudioContext) -> str:
    """Settings.chat_provider, else the first provider that can chat and has what it needs.

    Raises:
        ConfigurationError: no provider can summarise yet.
    """
    chosen = ctx.settings.chat_provider
    if chosen:
        return chosen
    # Only providers with a key are guessed: a self-hosted server (LocalAI...) may not be
    # running, so it is used when Settings names it.
    for spec in ctx.registry.for_capability(Capability.CHAT):
        info = spec.info
        if info.needs_key and await ctx.has_api_key(info.id):
            return info.id
    raise ConfigurationError(
        "Summaries need a chat model: add a key for OpenAI, Groq or a gateway in Settings → "
        "Providers, or choose a chat provider there."
    )


def _pieces(text: str, size: int) -> list[str]:
    """``text`` in pieces of at most ``size`` characters, cut after sentences where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > size:
        window = rest[:size]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 1 if cut > size // 2 else window.rfind(" ")
        cut = cut if cut > 0 else size
        pieces.append(rest[:cut].strip())
        rest = rest[cut:]
    if rest.strip():
        pieces.append(rest.strip())
    return pieces


def _transcript_text(t: Transcript) -> str:
    lines = []
    for seg in t.segments:
        text = " ".join(seg.text.split())
        if text:
            lines.append(f"{seg.speaker}: {text}" if seg.speaker else text)
    return "\n".join(lines)


_ITEMS = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*(?:\[[ xX]?\]\s*)?(.+?)\s*$")
_HEADING = re.compile(r"^\s*(?:#+\s*|\*\*)?(summary|action items?|tasks?|to-?dos?)\b", re.I)


def parse_summary(reply: str) -> tuple[str, tuple[str, ...]]:
    """The summary and action items of a chat reply: JSON, or text with headings.

    Raises:
        ProviderProtocolError: the reply is empty.
    """
    text = reply.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    candidate = fenced.group(1) if fenced else text[text.find("{") : text.rfind("}") + 1]
    try:
        data: Any = json.loads(candidate) if candidate else None
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("summary"), str):
        raw = data.get("action_items") or []
        items = (
            tuple(str(i).strip() for i in raw if str(i).strip()) if isinstance(raw, list) else ()
        )
        return data["summary"].strip(), items
    summary: list[str] = []
    items_out: list[str] = []
    section = "summary"
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            section = "summary" if heading.group(1).lower() == "summary" else "items"
            rest = line[heading.end() :].strip(" :*#")
            if rest and section == "summary":
                summary.append(rest)
            continue
        bullet = _ITEMS.match(line)
        if section == "items" and bullet:
            items_out.append(bullet.group(1))
        elif section == "summary" and line.strip():
            summary.append(line.strip())
    if not summary and not items_out:
        raise ProviderProtocolError("The chat model sent an empty summary. Try again.")
    return " ".join(summary).strip(), tuple(items_out)


async def summarise(
    ctx: StudioContext,
    item: HistoryItem,
    transcript: Transcript,
    *,
    provider_id: str | None = None,
    model: str | None = None,
) -> SummaryOutcome:
    """Summarise ``transcript`` (the TRANSCRIPT row ``item``) and keep it in History.

    Raises:
        InputError: the transcript has no words. ConfigurationError: no chat provider.
        StudioError: what the provider reports.
    """
    text = _transcript_text(transcript)
    if not text.strip():
        raise InputError("There is nothing to summarise: the transcript has no words.")
    pid = provider_id or await chat_provider_id(ctx)
    provider = await ctx.provider(pid, Capability.CHAT)
    check = await ctx.preflight(pid, Capability.CHAT, model, characters=len(text))
    check.raise_if_blocked()
    started = time.perf_counter()
    chars = 0
    pieces = _pieces(text, PIECE_CHARS)
    async with ctx.runner.limiter(pid):
        if len(pieces) > 1:
            partial = []
            for n, piece in enumerate(pieces, 1):
                user = f"Part {n} of {len(pieces)} of a transcript:\n\n{piece}"
                reply, usage = await provider.complete(
                    [ChatMessage("system", SYSTEM), ChatMessage("user", user)], model=model
                )
                chars += usage.characters
                summary, items = parse_summary(reply)
                partial.append(summary + "".join(f"\n- {i}" for i in items))
            text = "Summaries of consecutive parts of one transcript:\n\n" + "\n\n".join(partial)
        reply, usage = await provider.complete(
            [ChatMessage("system", SYSTEM), ChatMessage("user", f"Transcript:\n\n{text}")],
            model=model,
        )
    chars += usage.characters
    summary, items = parse_summary(reply)
    used_model = model or provider.info.default_models.get(Capability.CHAT)
    result = SummaryResult(summary, items, pid, used_model, Usage(characters=chars))
    body = summary + ("\n\nAction items:\n" + "\n".join(f"- {i}" for i in items) if items else "")
    entry = HistoryEntry(
        kind=HistoryKind.SUMMARY,
        title=f"Summary of {item.title}" if item.title else "Summary",
        provider=pid,
        model=used_model,
        params={"summary": summary, "action_items": list(items), "pieces": len(pieces)},
        transcript=body,
        usage=Usage(characters=chars, requests=len(pieces) + (len(pieces) > 1)),
        latency=Latency(total_ms=(time.perf_counter() - started) * 1000),
        parent_id=item.id,
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    stored = await asyncio.to_thread(ctx.history.get, item_id)
    assert stored is not None
    return SummaryOutcome(result, stored)


async def latest_summary(ctx: StudioContext, item: HistoryItem) -> SummaryResult | None:
    """The newest summary kept for the transcript row ``item``, if any."""
    from audio_studio.core.store.history import HistoryQuery

    rows = await asyncio.to_thread(
        ctx.history.query,
        HistoryQuery(parent_id=item.id, kinds=(HistoryKind.SUMMARY,), limit=1),
    )
    if not rows:
        return None
    row = rows[0]
    raw = row.params.get("action_items") or []
    return SummaryResult(
        str(row.params.get("summary") or row.transcript),
        tuple(str(i) for i in raw),
        row.provider or "",
        row.model,
        row.usage,
    )
