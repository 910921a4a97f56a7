"""Who speaks what: dialogue lines (``Alice: …``) and ``[voice Alice]`` … ``[voice]`` switches.

The markup is blanked out of the script (same length, so every chunk keeps its span in the
script) before it is split into sentences; a sentence the role changes in is cut there, so each
chunk has one role. Written here because the markup is ours; the splitting is core/text.py's.
A paragraph (or line) starting ``Name:`` is dialogue only when Name is a cast role (so "Note: …"
is still read aloud); a switch to a role the cast lacks is a problem, named by its line.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass

from audio_studio.core.narration.cast import NARRATOR, Cast
from audio_studio.core.text import Lexicon, ScriptChunk, ScriptPlan, has_words, split_script

__all__ = ["RoledPlan", "split_with_roles"]

_VOICE = re.compile(r"\[\s*voice\b\s*([^\]\n]*)\]", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# "Alice:" (one to three words, no sentence punctuation) at the start of a paragraph.
_DIALOGUE = re.compile(r"[ \t]*([^\W\d_][\w'’.-]*(?:[ \t]+[\w'’.-]+){0,2})[ \t]*:(?=\s)")


@dataclass(frozen=True)
class RoledPlan:
    """A script plan with each chunk's role, and what in the markup could not be cast."""

    plan: ScriptPlan
    roles: tuple[str, ...]  # one per chunk, as the cast spells it (NARRATOR for the narrator)
    problems: tuple[str, ...] = ()  # roles the script uses that the cast lacks, by line


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _paragraph_starts(script: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in _PARAGRAPH_BREAK.finditer(script))
    return starts


def _mark(script: str, cast: Cast) -> tuple[str, list[int], list[str], list[str]]:
    """The script with markup blanked; role changes as (offsets, roles); problems found."""
    chars = list(script)
    bounds: list[int] = [0]
    roles: list[str] = [NARRATOR]
    problems: list[str] = []

    def blank(a: int, b: int) -> None:
        for i in range(a, b):
            if chars[i] != "\n":
                chars[i] = " "

    def switch(at: int, role: str) -> None:
        if bounds[-1] == at:
            roles[-1] = role
        else:
            bounds.append(at)
            roles.append(role)

    # Events in script order: paragraph starts, line starts and voice tags.
    paragraphs = set(_paragraph_starts(script))
    lines = {0} | {m.end() for m in re.finditer(r"\n", script)}
    events: list[tuple[int, int, str | None]] = []  # offset, end, tag argument (None: a line)
    events.extend((p, p, None) for p in sorted(paragraphs | lines))
    events.extend((m.start(), m.end(), m.group(1).strip()) for m in _VOICE.finditer(script))
    events.sort(key=lambda e: (e[0], e[2] is not None))
    inline = NARRATOR  # the role [voice …] set; lasts until [voice] (across paragraphs)
    for start, end, arg in events:
        if arg is None:
            dialogue = _DIALOGUE.match(script, start)
            if dialogue and cast.get(dialogue.group(1)) is not None:
                blank(start, dialogue.end())
                switch(start, cast.canonical(dialogue.group(1)) or inline)
            elif start in paragraphs:
                switch(start, inline)
            continue
        blank(start, end)
        if not arg or arg.casefold() == NARRATOR.casefold():
            inline = NARRATOR
        else:
            known = cast.canonical(arg)
            if known is None:
                have = ", ".join(cast.names) if cast else "no roles yet"
                problems.append(
                    f"Line {_line(script, start)}: “[voice {arg}]” names a role the cast does not "
                    f"have (it has {have}). Add {arg} to the cast, or correct the name."
                )
                known = arg
            inline = known
        switch(end, inline)
    return "".join(chars), bounds, roles, problems


def _role_at(bounds: list[int], roles: list[str], offset: int) -> str:
    return roles[bisect_right(bounds, offset) - 1]


def _cut_at_roles(
    script: str, masked: str, chunk: ScriptChunk, bounds: list[int], roles: list[str]
) -> list[tuple[ScriptChunk, str]]:
    """``chunk`` cut where the role changes inside it; pieces with no words are dropped (the
    quote marks around a switched line), the pause after it goes with its last piece."""
    inner = [b for b in bounds if chunk.start < b < chunk.end]
    edges = [chunk.start, *inner, chunk.end]
    pieces: list[tuple[ScriptChunk, str]] = []
    for a, b in itertools.pairwise(edges):
        text = masked[a:b]
        lead = len(text) - len(text.lstrip())
        a2, b2 = a + lead, a + len(text.rstrip())
        if a2 >= b2 or not has_words(masked[a2:b2]):
            continue
        words = masked[a2:b2]
        if words != script[a2:b2]:  # markup was blanked inside: no runs of spaces
            words = " ".join(words.split())
        piece = ScriptChunk(words, chunk.paragraph, a2, b2)
        pieces.append((piece, _role_at(bounds, roles, a2)))
    if pieces and chunk.pause_after_s:
        last, role = pieces[-1]
        pieces[-1] = (
            ScriptChunk(last.text, last.paragraph, last.start, last.end, chunk.pause_after_s),
            role,
        )
    return pieces


def split_with_roles(script: str, max_chars: int | None, lexicon: Lexicon, cast: Cast) -> RoledPlan:
    """Split ``script`` as core/text.py does, giving each chunk the role that speaks it."""
    if not cast and not _VOICE.search(script):
        plan = split_script(script, max_chars, lexicon)
        return RoledPlan(plan, (NARRATOR,) * len(plan.chunks))
    masked, bounds, roles, problems = _mark(script, cast)
    plan = split_script(masked, max_chars, lexicon)
    chunks: list[ScriptChunk] = []
    chunk_roles: list[str] = []
    for chunk in plan.chunks:
        for piece, role in _cut_at_roles(script, masked, chunk, bounds, roles):
            chunks.append(piece)
            chunk_roles.append(role)
    roled = ScriptPlan(tuple(chunks), plan.lead_pause_s, plan.warnings, plan.split_long)
    return RoledPlan(roled, tuple(chunk_roles), tuple(problems))
