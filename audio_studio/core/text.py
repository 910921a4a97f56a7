"""Script text: paragraphs and sentences within a provider's limit, pause markup, the lexicon.

A script is split into paragraphs (blank lines) and sentences; each sentence is one chunk of
narration, cut further only where it is longer than the provider takes in one request.
``[pause 1.5s]`` (also ``[pause 500ms]``, ``[pause 2]``, or ``[pause]`` for one second) may
stand anywhere: it ends the chunk before it and sets the silence that follows. The lexicon
replaces whole words before synthesis, the same way for every provider. Chunks keep their
span in the script, so no text is lost: what is not markup is in exactly one chunk, except a
run with nothing to say (emoji, symbols) cut from a long sentence that cannot join its words
within the limit, which a warning names: no chunk is ever without a letter or digit.

Sentences, words and graphemes come from ICU (PyICU's BreakIterator), which knows every
script's sentence ends (。！？ ؟ । …) and where Chinese, Japanese and Thai words end; what is
ours is only the English abbreviations ICU does not keep together and where to prefer cuts.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from audio_studio.core.errors import InputError

__all__ = [
    "DEFAULT_PAUSE_S",
    "MAX_PAUSE_S",
    "Lexicon",
    "ScriptChunk",
    "ScriptPlan",
    "has_words",
    "markdown_to_text",
    "split_script",
    "split_sentences",
]

DEFAULT_PAUSE_S = 1.0  # a bare [pause]
MAX_PAUSE_S = 30.0
_PAUSE = re.compile(r"\[\s*pause\b([^\]\n]*)\]", re.IGNORECASE)
_PAUSE_VALUE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(ms|s|sec|secs|seconds?)?\s*$", re.I)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# Where a long sentence may be cut first: after a clause mark (a space after Latin ones; the
# Chinese and Japanese ones take none), or at a spaced dash.
_CLAUSE = re.compile(r"[,;:–—](?=\s)|\s[-–—]\s|[、，；：]")
# After these a full stop never ends a sentence ("Dr. Smith", "e.g. The Hobbit").
_NEVER_END = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "rev", "gen", "capt", "lt", "e.g", "i.e",
     "vs", "cf", "approx", "no", "nos", "fig", "vol", "ch", "p", "pp", "ca", "mt", "dept"}
)  # fmt: skip
# After these it ends one only when the next word starts with a capital ("etc. Then").
_MAYBE_END = frozenset({"etc", "inc", "ltd", "co", "al", "est", "min", "max", "misc"})


def has_words(text: str) -> bool:
    """Whether there is anything to say: at least one letter or digit (emoji are not)."""
    return any(unicodedata.category(c)[0] in "LN" for c in text)


@dataclass(frozen=True)
class ScriptChunk:
    """One sentence (or part of a long one) of a script, with where it stands in the script."""

    text: str
    paragraph: int
    start: int  # offsets into the script: script[start:end] holds ``text`` (stripped)
    end: int
    pause_after_s: float = 0.0  # silence from [pause] markup right after it; 0 = none


@dataclass(frozen=True)
class ScriptPlan:
    chunks: tuple[ScriptChunk, ...]
    lead_pause_s: float = 0.0  # [pause] before the first words
    warnings: tuple[str, ...] = ()
    split_long: int = 0  # sentences cut because they were longer than the limit

    @property
    def paragraphs(self) -> int:
        return len({c.paragraph for c in self.chunks})

    @property
    def characters(self) -> int:
        return sum(len(c.text) for c in self.chunks)


# -- the lexicon ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    """Pronunciation replacements (word → what to say), applied to whole words before synthesis.

    An entry written in lower case matches any capitalisation and keeps a leading capital
    ("gif" → "jif" turns "Gif" into "Jif"); an entry with capitals matches only as written.
    Longer entries win over shorter ones that overlap ("New York" before "York").
    """

    entries: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, mapping: Mapping[str, str] | Iterable[tuple[str, str]]) -> Lexicon:
        pairs = mapping.items() if isinstance(mapping, Mapping) else mapping
        cleaned: dict[str, str] = {}
        for word, say in pairs:
            word, say = " ".join(str(word).split()), " ".join(str(say).split())
            if word and has_words(word):
                cleaned[word] = say
        return cls(tuple(cleaned.items()))

    @classmethod
    def parse(cls, text: str, *, name: str = "the pronunciation list") -> Lexicon:
        """Read ``word = replacement`` lines (also ``→``, ``=>`` or a tab), or a JSON object.

        Blank lines and lines starting with ``#`` are skipped.

        Raises:
            InputError: a line that is not an entry, naming the line.
        """
        stripped = text.strip()
        if stripped.startswith("{"):
            try:
                data = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{name} is not valid JSON ({exc.msg}, line {exc.lineno})."
                ) from exc
            if not isinstance(data, dict):
                raise InputError(f"{name} must be a JSON object of word → replacement.")
            return cls.of({str(k): str(v) for k, v in data.items()})
        pairs: list[tuple[str, str]] = []
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = re.split(r"\s*(?:→|=>|->|=|\t)\s*", line, maxsplit=1)
            if len(parts) != 2 or not parts[0] or not parts[1]:
                raise InputError(
                    f"Line {number} of {name} is not an entry: {line[:60]!r}. "
                    "Write one per line, like: Nguyen = Win"
                )
            pairs.append((parts[0], parts[1]))
        return cls.of(pairs)

    def to_text(self) -> str:
        return "".join(f"{word} = {say}\n" for word, say in self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    @functools.cached_property
    def _patterns(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        out = []
        for word, say in sorted(self.entries, key=lambda e: -len(e[0])):
            flags = 0 if any(c.isupper() for c in word) else re.IGNORECASE
            escaped = r"\s+".join(re.escape(w) for w in word.split())
            out.append((re.compile(rf"(?<!\w){escaped}(?!\w)", flags), say))
        return tuple(out)

    def apply(self, text: str, then: Callable[[str], str] | None = None) -> str:
        """``text`` with every entry replaced; each part of the text is replaced at most once.

        Args:
            then: a further rewrite (reading numbers as words) of the text the entries left
                alone; what an entry replaced is held as ``\\0N\\0``, which it must keep.
        """
        if not self.entries:
            return then(text) if then else text
        # Replace into placeholders first, so a replacement is never itself replaced again.
        found: list[str] = []
        for pattern, say in self._patterns:
            text = pattern.sub(lambda m, say=say: _hold(m, say, found), text)  # type: ignore[misc]
        if then:
            text = then(text)
        return re.sub(r"\0(\d+)\0", lambda m: found[int(m.group(1))], text)


def _hold(match: re.Match[str], say: str, found: list[str]) -> str:
    # Only entries that match any case follow the text's leading capital ("Gif" -> "Jif").
    if match.re.flags & re.IGNORECASE and match.group(0)[:1].isupper() and say[:1].islower():
        say = say[:1].upper() + say[1:]
    found.append(say)
    return f"\0{len(found) - 1}\0"


# -- pauses --------------------------------------------------------------------------------------


def _pause_seconds(arg: str, warnings: list[str], where: str) -> float:
    if not arg.strip():
        return DEFAULT_PAUSE_S
    match = _PAUSE_VALUE.match(arg)
    if match is None:
        warnings.append(
            f"{where}: “[pause{arg}]” is not a length the studio understands; it is read as "
            f"{DEFAULT_PAUSE_S:g} s. Write it like [pause 1.5s] or [pause 500ms]."
        )
        return DEFAULT_PAUSE_S
    value = float(match.group(1).replace(",", "."))
    if (match.group(2) or "s").lower() == "ms":
        value /= 1000
    if value > MAX_PAUSE_S:
        warnings.append(f"{where}: a pause of {value:g} s is shortened to {MAX_PAUSE_S:g} s.")
        value = MAX_PAUSE_S
    return value


def _line_of(text: str, offset: int) -> str:
    return f"Line {text.count(chr(10), 0, offset) + 1}"


# -- splitting -----------------------------------------------------------------------------------


_ITERATORS = threading.local()  # an ICU iterator is not thread-safe: one set per thread


def _iterator(kind: str) -> Any:
    """ICU's break iterator of ``kind`` for this thread, made on first use."""
    made: dict[str, Any] = _ITERATORS.__dict__.setdefault("made", {})
    if kind not in made:
        made[kind] = _make_iterator(kind)
    return made[kind]


def _make_iterator(kind: str) -> Any:
    import icu

    make = {
        "sentence": icu.BreakIterator.createSentenceInstance,
        "word": icu.BreakIterator.createWordInstance,
        "grapheme": icu.BreakIterator.createCharacterInstance,
    }[kind]
    # English abbreviation suppression ("Mr. Jones"); the rules themselves cover every script.
    return make(icu.Locale("en@ss=standard" if kind == "sentence" else "root"))


def _breaks(kind: str, text: str) -> list[int]:
    """ICU's boundaries of ``kind`` in ``text`` (sentences, words, graphemes) as str indices,
    ascending, ending at ``len(text)``; 0 is not included."""
    if not text:
        return []
    it = _iterator(kind)
    it.setText(text)
    bounds = list(it)
    if text.isascii() or len(text.encode("utf-16-le")) == 2 * len(text):
        return bounds
    # ICU counts UTF-16 units; a character beyond the BMP (most emoji) is two of them.
    units, index = 0, {}
    for i, ch in enumerate(text):
        index[units] = i
        units += 2 if ord(ch) > 0xFFFF else 1
    index[units] = len(text)
    return [index[b] for b in bounds if b in index]


_ELLIPSIS = re.compile(r"(?:…|\.\.\.)[\"'”’»)\]]*[ \t]+(?=[^\W\d_])")
_CLOSERS = "\"'”’»)]」』）】〕"


def _ends_sentence(text: str, start: int, end: int) -> bool:
    """Whether ICU's sentence boundary at ``end`` really ends the sentence begun at ``start``.

    ICU's rules know every script's terminators (。！？ ؟ । …) and line ends; this vetoes the
    boundaries English text needs kept together: a full stop after a title or an initial
    ("Dr. Smith", "J. R. R. Tolkien"), after "e.g.", before a lowercase word ("approx. three",
    "“Hey!” she said"), and a numbered line ("1. First item").
    """
    piece = text[start:end]
    body = piece.rstrip()
    if not body or "\n" in piece[len(body) :] or end >= len(text):
        return True
    rest = text[end : end + 64].lstrip(" \t")
    nxt = rest[:1]
    if not nxt or rest.startswith("\n"):
        return True
    if nxt.islower():
        return False
    bare_end = body.rstrip(_CLOSERS)
    if not bare_end.endswith("."):
        return True
    line = bare_end[bare_end.rfind("\n") + 1 :][-80:]
    words = line.rstrip(".").split()
    bare = words[-1].lstrip("(\"'“‘«[").lower() if words else ""
    if bare in _NEVER_END or (len(bare) == 1 and bare.isalpha()):
        return False  # a title, or an initial
    if bare.isdigit() and len(words) == 1 and _line_starts(text, start, body):
        return False  # "1. First item" at the start of a line
    return nxt.isupper() if bare in _MAYBE_END else True


def _line_starts(text: str, start: int, body: str) -> bool:
    """Whether the last line of ``body`` (a sentence from ``start``) starts a line of text."""
    newline = body.rfind("\n")
    if newline >= 0:
        return True
    lead = len(body) - len(body.lstrip())
    at = start + lead
    return at == 0 or text[:at].rstrip(" \t").endswith("\n") or not text[:at].strip()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in ``text``, stripped, in order; pieces with nothing
    to say (a lone dash or emoji) join the sentence before them, or after them at the start.

    Boundaries come from ICU's sentence rules (every script's terminators), with the English
    exceptions of ``_ends_sentence``.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    # ICU does not end a sentence at an ellipsis; English does when a capital follows.
    trailing = {m.end() for m in _ELLIPSIS.finditer(text)}
    for bound in sorted(trailing.union(_breaks("sentence", text))):
        if _ends_sentence(text, start, bound):
            spans.append((start, bound))
            start = bound
    if start < len(text):
        spans.append((start, len(text)))
    out: list[tuple[int, int]] = []
    pending_start: int | None = None
    for a, b in spans:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        a, b = a + lead, a + len(piece.rstrip())
        if a >= b:
            continue
        if not has_words(text[a:b]):
            if out:
                out[-1] = (out[-1][0], b)
            elif pending_start is None:
                pending_start = a
            continue
        if pending_start is not None:
            a, pending_start = pending_start, None
        out.append((a, b))
    return out


def _cut_at(window: str, rest: str) -> int:
    """Where to end the piece ``window`` (the longest prefix that fits): a clause mark, else a
    space, else a word boundary (ICU's, which also splits Chinese, Japanese and Thai into
    words), else a grapheme boundary; never inside a grapheme cluster (an emoji sequence, a
    letter and its marks). Places where the piece and what follows both have words come first;
    a run of only symbols longer than the limit is cut anyway (split_script leaves such pieces
    out). 0: no place at all."""

    def both_speak(cut: int) -> bool:
        return has_words(window[:cut]) and has_words(window[cut:] + rest)

    third = len(window) // 3
    whole = window + rest[:1]  # so that the window's own end can be a boundary
    for good in (both_speak, lambda cut: cut > 0):
        clauses = [m.end() for m in _CLAUSE.finditer(window) if m.end() > third and good(m.end())]
        if clauses:
            return clauses[-1]
        spaces = [i for i, ch in enumerate(window) if ch.isspace() and i > third and good(i)]
        if spaces:
            return spaces[-1]
        for kind in ("word", "grapheme"):
            bounds = [b for b in _breaks(kind, whole) if 0 < b <= len(window) and good(b)]
            if bounds:
                return bounds[-1]
    return 0


def _cut(text: str, a: int, b: int, fits: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Cut ``text[a:b]`` into pieces that ``fits`` (see ``_cut_at`` for where)."""
    pieces: list[tuple[int, int]] = []
    while not fits(text[a:b]):
        lo, hi = a + 1, b  # the longest prefix that fits: text[a:lo] fits, text[a:hi] not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if fits(text[a:mid]) else (lo, mid)
        cut = _cut_at(text[a:lo], text[lo:b])
        if cut == 0:
            break  # nothing with words fits: leave the rest whole (the caller says so)
        piece_end = a + cut
        pieces.append((a, a + len(text[a:piece_end].rstrip())))
        a = piece_end + (len(text[piece_end:b]) - len(text[piece_end:b].lstrip()))
    pieces.append((a, b))
    return [(x, y) for x, y in pieces if x < y]


def split_script(
    script: str, max_chars: int | None = None, lexicon: Lexicon | None = None
) -> ScriptPlan:
    """Split a script into chunks: one per sentence, each within ``max_chars`` once spoken.

    Args:
        max_chars: the provider's per-request limit (None = no limit).
        lexicon: replacements; the limit is checked on the text as it will be sent.
    """
    lexicon = lexicon or Lexicon()
    warnings: list[str] = []
    chunks: list[ScriptChunk] = []
    lead = 0.0
    split_long = 0
    silent: list[str] = []  # cut pieces with nothing to say that could not join a neighbour

    def spoken_fits(piece: str) -> bool:
        return max_chars is None or len(lexicon.apply(piece)) <= max_chars

    paragraph = -1
    for para_start, para_end in _paragraph_spans(script):
        paragraph += 1
        started = len(chunks)
        cursor = para_start
        segments: list[tuple[int, int, float]] = []  # text span, pause after it
        for tag in _PAUSE.finditer(script, para_start, para_end):
            seconds = _pause_seconds(tag.group(1), warnings, _line_of(script, tag.start()))
            segments.append((cursor, tag.start(), seconds))
            cursor = tag.end()
        segments.append((cursor, para_end, 0.0))
        for seg_start, seg_end, pause in segments:
            for a, b in split_sentences(script[seg_start:seg_end]):
                a, b = a + seg_start, b + seg_start
                pieces = _cut(script, a, b, spoken_fits)
                split_long += len(pieces) > 1
                for x, y in pieces:
                    if has_words(script[x:y]):
                        chunks.append(ScriptChunk(script[x:y], paragraph, x, y))
                        continue
                    # Nothing to say (emoji, symbols): never sent alone; joins the piece
                    # before it when that still fits, else is left out and named.
                    last = chunks[-1] if len(chunks) > started else None
                    if last is not None and spoken_fits(script[last.start : y]):
                        chunks[-1] = ScriptChunk(script[last.start : y], paragraph, last.start, y)
                    else:
                        silent.append(script[x:y])
            if pause:
                if chunks:
                    last = chunks[-1]
                    chunks[-1] = ScriptChunk(
                        last.text, last.paragraph, last.start, last.end, last.pause_after_s + pause
                    )
                else:
                    lead += pause
        if len(chunks) == started:
            paragraph -= 1  # only markup or symbols: no paragraph of its own
    if split_long and max_chars:
        warnings.append(
            f"{split_long} sentence{'s are' if split_long != 1 else ' is'} longer than the "
            f"{max_chars:,} characters the provider takes at once and "
            f"{'were' if split_long != 1 else 'was'} split at commas or spaces."
        )
    if silent:
        shown = ", ".join(repr(p[:12]) for p in silent[:3])
        warnings.append(
            f"{len(silent)} piece(s) of long sentences hold nothing to say ({shown}) and did not "
            "fit beside their words; they are not sent."
        )
    return ScriptPlan(tuple(chunks), lead, tuple(warnings), split_long)


def _paragraph_spans(script: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(script):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(script)))
    return [(a, b) for a, b in spans if script[a:b].strip()]


# -- markdown ------------------------------------------------------------------------------------

_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^```.*?^```[ \t]*$", re.M | re.S), ""),  # code blocks are not read aloud
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"^[ \t]*#{1,6}[ \t]+(.*?)[ \t#]*$", re.M), r"\n\1\n"),  # headings: paragraphs
    (re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M), "\n"),  # rules: paragraph breaks
    (re.compile(r"^[ \t]*>[ \t]?", re.M), ""),  # quotes
    (re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.M), ""),  # list markers
    (re.compile(r"(\*\*|__)(.+?)\1", re.S), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>\n]*>"), ""),  # inline HTML
)


def markdown_to_text(markdown: str) -> str:
    """A Markdown script as plain narration text: markup removed, headings as paragraphs."""
    text = markdown.replace("\r\n", "\n")
    if text.startswith("---\n"):  # front matter
        end = text.find("\n---", 4)
        if end != -1:
            text = text[end + 4 :]
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
