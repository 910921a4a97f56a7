"""Translation of a transcript by a chat model, kept as another transcript of the same recording.

Segments go to the model numbered, a batch at a time, and come back numbered: every segment
keeps its own start, end and speaker, so the translation exports as captions in the new
language with the original timings (shaped again from the segment times, since words do not
map across languages). A line the model leaves out is asked for once more; if it is still
missing, the original text stays and a notice says how many. The chat provider is the
summaries' (Settings.chat_provider, else the first with a key).

Threads: runs on the event loop; SQLite and files go through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    Capability,
    ChatMessage,
    HistoryKind,
    Latency,
    Transcript,
    Usage,
)
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem
from audio_studio.core.subtitles import to_json
from audio_studio.core.transcription.summary import chat_provider_id

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext
    from audio_studio.core.providers.base import ChatCompleter

__all__ = ["TranslationOutcome", "parse_numbered", "translate", "translate_transcript"]

BATCH_CHARS = 6_000
BATCH_SEGMENTS = 60
SYSTEM = (
    "You translate transcripts of speech. You get numbered lines like '[12] text'. Translate "
    "each line into {language}, keeping its number, one line per input line, in the same "
    "order: '[12] translation'. Never merge, split, skip or add lines; keep names; reply with "
    "the numbered lines only."
)
_NUMBERED = re.compile(r"^\s*\[?(\d+)[\]).:]+\s*(.*\S)\s*$")


@dataclass(frozen=True)
class TranslationOutcome:
    transcript: Transcript
    item: HistoryItem  # the new TRANSCRIPT row (a sibling of the one translated)
    missing: int  # lines the model never translated (kept in the original language)


def parse_numbered(reply: str) -> dict[int, str]:
    """``{number: text}`` from a reply of numbered lines (``[3] text``, ``3. text``...)."""
    found: dict[int, str] = {}
    for line in reply.replace("\r", "").split("\n"):
        match = _NUMBERED.match(line.strip().strip("`"))
        if match:
            found.setdefault(int(match.group(1)), match.group(2).strip())
    return found


def _batches(segments: Sequence[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    out: list[list[tuple[int, str]]] = [[]]
    size = 0
    for number, text in segments:
        if out[-1] and (size + len(text) > BATCH_CHARS or len(out[-1]) >= BATCH_SEGMENTS):
            out.append([])
            size = 0
        out[-1].append((number, text))
        size += len(text)
    return [b for b in out if b]


async def translate_transcript(
    provider: ChatCompleter, t: Transcript, language: str, *, model: str | None = None
) -> tuple[Transcript, int, int]:
    """``t`` with every segment's text in ``language``; (transcript, lines missing, chars)."""
    lines = [(n, " ".join(s.text.split())) for n, s in enumerate(t.segments, 1) if s.text.strip()]
    done: dict[int, str] = {}
    chars = 0
    system = ChatMessage("system", SYSTEM.format(language=language))
    for batch in _batches(lines):
        wanted = batch
        for _attempt in range(2):  # once more for the lines a model skipped
            user = "\n".join(f"[{n}] {text}" for n, text in wanted)
            reply, usage = await provider.complete([system, ChatMessage("user", user)], model=model)
            chars += usage.characters or len(user)
            numbers = {n for n, _ in wanted}
            got = {n: text for n, text in parse_numbered(reply).items() if n in numbers}
            done.update(got)
            wanted = [(n, text) for n, text in wanted if n not in got]
            if not wanted:
                break
    segments = []
    for n, seg in enumerate(t.segments, 1):
        if n in done:
            segments.append(dataclasses.replace(seg, text=done[n], words=(), confidence=None))
        else:
            segments.append(seg)
    missing = len(lines) - sum(1 for n, _ in lines if n in done)
    notices = list(t.notices)
    if missing:
        notices.append(
            f"{missing} line{'s' if missing != 1 else ''} came back untranslated and "
            "keep the original words."
        )
    translated = dataclasses.replace(
        t, segments=tuple(segments), language=language, language_probability=None,
        notices=tuple(notices),
    )  # fmt: skip
    return translated, missing, chars


async def translate(
    ctx: StudioContext,
    item: HistoryItem,
    transcript: Transcript,
    language: str,
    *,
    provider_id: str | None = None,
    model: str | None = None,
) -> TranslationOutcome:
    """Translate ``transcript`` (the TRANSCRIPT row ``item``) into ``language``; kept in History
    beside it, under the same recording.

    Raises:
        InputError: no words, or no language given. ConfigurationError: no chat provider.
        StudioError: what the provider reports.
    """
    language = " ".join(language.split())
    if not language:
        raise InputError("Say which language to translate into (for example: German).")
    if not transcript.text.strip():
        raise InputError("There is nothing to translate: the transcript has no words.")
    pid = provider_id or await chat_provider_id(ctx)
    provider = await ctx.provider(pid, Capability.CHAT)
    check = await ctx.preflight(pid, Capability.CHAT, model, characters=len(transcript.text))
    check.raise_if_blocked()
    started = time.perf_counter()
    async with ctx.runner.limiter(pid):
        translated, missing, chars = await translate_transcript(
            provider, transcript, language, model=model
        )
    used_model = model or provider.info.default_models.get(Capability.CHAT)
    text = (await asyncio.to_thread(to_json, translated)).encode("utf-8")
    stored = await asyncio.to_thread(ctx.files.put_bytes, text, "json")
    entry = HistoryEntry(
        kind=HistoryKind.TRANSCRIPT,
        title=item.title,
        provider=pid,
        model=used_model,
        params={
            "translated_from": item.id,
            "language": language,
            "segments": len(translated.segments),
            "untranslated": missing,
        },
        transcript=translated.text,
        duration_s=item.duration_s,
        usage=Usage(characters=chars),
        latency=Latency(total_ms=(time.perf_counter() - started) * 1000),
        files=(FileRecord.of("transcript", stored),),
        parent_id=item.parent_id if item.parent_id is not None else item.id,
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    saved = await asyncio.to_thread(ctx.history.get, item_id)
    assert saved is not None
    return TranslationOutcome(translated, saved, missing)
