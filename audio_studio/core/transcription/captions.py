"""Caption shaping: a transcript re-cut from its word timings into cues that meet subtitle norms.

The recogniser's segments are cut where its decoder happened to stop, so cues made from them
are often too long to read in time. Here the words are regrouped: at most ``max_lines`` lines
of ``max_chars`` characters, lines broken at natural phrase boundaries, each cue on screen
``min_duration``–``max_duration`` seconds, reading speed at most ``max_cps`` characters (or
``max_wpm`` words) a second where the speech allows (a cue is extended into the pause after
it, never past the next cue, keeping ``min_gap_frames`` between cues), one speaker per cue with
the change marked (``- `` dashes or ``Name:``), and every word of the transcript kept. Words
without timings (some providers give only segments) get times interpolated by characters
within their segment. The shaping is ours (no subtitle library does it); reading and writing
the files is pysubs2's (captions_files.py).

Cuts are chosen by dynamic programming over word boundaries, so a cue ends at the best phrase
boundary within reach rather than at the first word that no longer fits. Pure functions.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache

from audio_studio.core.models import Segment, Transcript

__all__ = [
    "PRESETS",
    "Cue",
    "CueStyle",
    "TimedWord",
    "caption_cues",
    "cue_words",
    "timed_words",
]

# Words a line should not end on (a line ending on "the" or "of" splits a phrase).
_WEAK_END_WORDS = (
    "a an the of to in on at by for with from into onto over under about as and or but nor my "
    "your his her its our their these those is are was were be been am i not no if than "
)
_WEAK_END = frozenset(_WEAK_END_WORDS.split())
# Words a new line or cue may well start with (the start of a clause or phrase).
_GOOD_START_WORDS = (
    "and but or so because although though while when where which who whom whose that if "
    "unless until since after before then however therefore to in on at for with from about "
    "into by of "
)
_GOOD_START = frozenset(_GOOD_START_WORDS.split())
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*$")
_CLAUSE_END = re.compile(r"[,;:—–-][\"')\]]*$")


@dataclass(frozen=True)
class CueStyle:
    """The norms captions are shaped to (a preset, or the user's own numbers)."""

    name: str = "netflix"
    max_chars: int = 42
    max_lines: int = 2
    max_cps: float | None = 20.0
    max_wpm: float | None = None
    min_duration: float = 5 / 6  # 0.83 s
    max_duration: float = 7.0
    fps: float = 24.0
    min_gap_frames: int = 2
    speaker_style: str = "dash"  # "dash" ("- " at a speaker change), "name" ("Name: "), "none"
    sentence_per_cue: bool = False  # never two sentences in one cue
    chain_gap: float = 0.5  # a gap shorter than this is closed up to the minimum gap

    @property
    def min_gap(self) -> float:
        return self.min_gap_frames / self.fps

    def with_changes(self, **changes: object) -> CueStyle:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


PRESETS: dict[str, CueStyle] = {
    "netflix": CueStyle(),
    "bbc": CueStyle(name="bbc", max_chars=37, max_lines=2, max_cps=None, max_wpm=180.0, fps=25.0),
    "sentence": CueStyle(name="sentence", sentence_per_cue=True),
}
PRESET_NAMES = {
    "netflix": "Netflix-style (42 chars, 2 lines, 20 cps)",
    "bbc": "BBC-style (37 chars, 2 lines, 160–180 wpm)",
    "sentence": "One sentence per cue",
}


@dataclass(frozen=True)
class TimedWord:
    """One word of the transcript with its time and speaker (``timed``: from the provider)."""

    text: str
    start: float
    end: float
    speaker: str | None
    timed: bool = True
    segment: int = 0


@dataclass(frozen=True)
class Cue:
    """One caption: its time, its lines (speaker mark included) and its words' text."""

    start: float
    end: float
    lines: tuple[str, ...]
    speaker: str | None
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def chars(self) -> int:
        """Characters a viewer reads (spaces inside lines count; line breaks do not)."""
        return sum(len(line) for line in self.lines)

    @property
    def cps(self) -> float:
        return self.chars / max(self.duration, 1e-3)

    @property
    def wpm(self) -> float:
        return len(self.words) * 60 / max(self.duration, 1e-3)


# -- words -----------------------------------------------------------------------------------


def _segment_words(seg: Segment, index: int) -> list[TimedWord]:
    tokens = seg.text.split()
    if not tokens:
        return []
    start, end = seg.start, max(seg.end, seg.start)
    words = [w for w in seg.words if w.text.strip()]
    if len(words) == len(tokens) and all(w.end >= w.start for w in words):
        out = []
        for tok, w in zip(tokens, words, strict=True):
            a = min(max(w.start, start), end)
            out.append(TimedWord(tok, a, min(max(w.end, a), end), w.speaker or seg.speaker,
                                 True, index))  # fmt: skip
        return out
    # No usable word times: share the segment's time by characters (a space counts as one),
    # which follows speech closely enough for reading speed and line breaks.
    weights = [len(t) + 1 for t in tokens]
    total = sum(weights)
    span = end - start
    out, before = [], 0
    for tok, weight in zip(tokens, weights, strict=True):
        a = start + span * before / total
        before += weight
        out.append(TimedWord(tok, a, start + span * (before - 1) / total, seg.speaker, False,
                             index))  # fmt: skip
    return out


def timed_words(t: Transcript) -> list[TimedWord]:
    """Every word of ``t`` in time order, with a time (given or interpolated) and a speaker."""
    words: list[TimedWord] = []
    order = sorted(range(len(t.segments)), key=lambda n: t.segments[n].start)
    for n in order:  # segments in time order, each one's words in its own order
        words.extend(_segment_words(t.segments[n], n))
    # Times never go backwards (providers sometimes overlap words at a segment's edge).
    last = 0.0
    fixed = []
    for w in words:
        start = max(w.start, last)
        end = max(w.end, start)
        fixed.append(dataclasses.replace(w, start=start, end=end))
        last = start
    return fixed


# -- lines -----------------------------------------------------------------------------------


def _break_cost(before: str, after: str) -> float:
    """How bad a line or cue break between ``before`` and ``after`` is (0 = natural)."""
    if _SENTENCE_END.search(before):
        return 0.0
    if _CLAUSE_END.search(before):
        return 1.0
    cost = 4.0
    if before.lower().strip("\"'(") in _WEAK_END:
        cost += 4.0
    if after.lower().strip("\"'(") in _GOOD_START:
        cost -= 1.5
    return cost


@lru_cache(maxsize=4096)
def _lines(tokens: tuple[str, ...], max_chars: int, max_lines: int) -> tuple[str, ...] | None:
    """The best way to set ``tokens`` in at most ``max_lines`` lines, or None if it cannot fit.

    One line when it fits; otherwise breaks at phrase boundaries with lines of similar length
    (the lower line may be the longer one, as subtitlers prefer).
    """
    text = " ".join(tokens)
    if len(text) <= max_chars:
        return (text,)
    if max_lines <= 1 or len(tokens) < 2:
        return None
    best: tuple[float, tuple[str, ...]] | None = None
    for cut in range(1, len(tokens)):
        first = " ".join(tokens[:cut])
        if len(first) > max_chars:
            break
        rest = _lines(tokens[cut:], max_chars, max_lines - 1)
        if rest is None:
            continue
        lengths = [len(first), *(len(r) for r in rest)]
        imbalance = (max(lengths) - min(lengths)) / max_chars
        top_heavy = 0.3 if len(first) > len(rest[0]) else 0.0
        cost = _break_cost(tokens[cut - 1], tokens[cut]) + 6 * imbalance + top_heavy
        cost += 2.0 * (len(rest) - 1)  # fewer lines read faster
        if best is None or cost < best[0]:
            best = (cost, (first, *rest))
    return best[1] if best else None


def _marked(tokens: list[str], mark: str) -> tuple[str, ...]:
    return (mark + tokens[0], *tokens[1:]) if mark and tokens else tuple(tokens)


# -- cutting ---------------------------------------------------------------------------------


def _mark(style: CueStyle, speaker: str | None, changed: bool) -> str:
    if not changed or speaker is None or style.speaker_style == "none":
        return ""
    return "- " if style.speaker_style == "dash" else f"{speaker}: "


def _reading_time(style: CueStyle, chars: int, words: int) -> float:
    need = 0.0
    if style.max_cps:
        need = max(need, chars / style.max_cps)
    if style.max_wpm:
        need = max(need, words * 60 / style.max_wpm)
    return need


def _cuts(words: list[TimedWord], style: CueStyle) -> list[tuple[int, int, str]]:
    """Where cues start and end: [(first, last + 1, mark)], chosen to cost least overall."""
    n = len(words)
    inf = float("inf")
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    marks = [""] * (n + 1)
    best[0] = 0.0
    capacity = style.max_chars * style.max_lines
    for j in range(n):
        if best[j] == inf:
            continue
        first = words[j]
        changed = j == 0 or words[j - 1].speaker != first.speaker
        mark = _mark(style, first.speaker, changed)
        if j == 0 and first.speaker is None:
            mark = ""
        tokens: list[str] = []
        chars = len(mark) - 1
        for i in range(j, n):
            w = words[i]
            if i > j and w.speaker != first.speaker:
                break  # a speaker change always starts a new cue
            if i > j and style.sentence_per_cue and _SENTENCE_END.search(words[i - 1].text):
                break
            tokens.append(w.text)
            chars += len(w.text) + 1
            span = w.end - first.start
            single = i == j  # one word always makes a cue, even an over-long one
            if not single and (chars > capacity or span > style.max_duration):
                break
            if not single and _lines(_marked(tokens, mark), style.max_chars,
                                     style.max_lines) is None:  # fmt: skip
                break
            after = words[i + 1] if i + 1 < n else None
            cost = _cue_cost(words, j, i, style, chars, after)
            if best[j] + cost < best[i + 1]:
                best[i + 1] = best[j] + cost
                back[i + 1] = j
                marks[i + 1] = mark
    cuts: list[tuple[int, int, str]] = []
    i = n
    while i > 0:
        j = back[i]
        cuts.append((j, i, marks[i]))
        i = j
    cuts.reverse()
    return cuts


def _speech_start(w: TimedWord) -> float:
    """When a word's sound likely starts: recognisers often hang the pause before a word on
    the word itself, so a long word is taken to last what its letters would take."""
    return max(w.start, w.end - (0.2 + 0.08 * len(w.text)))


def _speech_end(w: TimedWord) -> float:
    """When a segment's last word likely ends (its time often runs on to the segment's end)."""
    return min(w.end, w.start + 0.2 + 0.08 * len(w.text))


def _cue_cost(
    words: list[TimedWord],
    j: int,
    i: int,
    style: CueStyle,
    chars: int,
    after: TimedWord | None,
) -> float:
    last = words[i]
    cost = 1.0  # each cue costs something: fewer, fuller cues read better than many flashes
    if after is not None and after.speaker == last.speaker:
        cost += _break_cost(last.text, after.text)
        # Whisper-style timings stretch a word back over the silence before it, and the last
        # word of a segment forward to the segment's end: read the pause past both.
        ended = _speech_end(last) if after.segment != last.segment else last.end
        pause = _speech_start(after) - ended
        if pause > 0.25:
            cost -= min(3.0, 3 * pause)  # a pause is where a viewer expects a new caption
        if after.segment != last.segment:
            cost -= 1.0  # the recogniser ended a segment here: often a pause or a sentence
    # The time this cue can stay up: until the next word starts (less the gap), at most the
    # maximum; reading slower than the norm costs in proportion.
    until = after.start - style.min_gap if after is not None else last.end + style.max_duration
    shown = max(min(until, words[j].start + style.max_duration) - words[j].start, 1e-3)
    need = _reading_time(style, chars, i - j + 1)
    if need > shown:
        cost += 8.0 * (need - shown) / max(need, 1e-3) * (1 + (i - j) / 4)
    if shown < style.min_duration:
        cost += 3.0 * (style.min_duration - shown)
    return cost


# -- timing ----------------------------------------------------------------------------------


def _timed(cues: list[Cue], style: CueStyle) -> list[Cue]:
    """Cue times within the norms: minimum duration and reading time, gaps, maximum duration."""
    gap = style.min_gap
    out: list[Cue] = []
    for n, cue in enumerate(cues):
        start = max(cue.start, out[-1].end + gap) if out else cue.start
        nxt = cues[n + 1].start if n + 1 < len(cues) else None
        limit = nxt - gap if nxt is not None else float("inf")
        hard = min(limit, start + max(style.max_duration, cue.end - start))
        reading = _reading_time(style, cue.chars, len(cue.words))
        end = min(max(cue.end, start + style.min_duration, start + reading), hard)
        if nxt is not None and nxt - end < style.chain_gap + gap:
            end = max(end, hard)  # a short gap is closed up to the minimum gap
        out.append(dataclasses.replace(cue, start=start, end=max(end, start + 0.001)))
    return out


def cue_words(cues: list[Cue]) -> list[str]:
    """The transcript's words as the cues hold them (speaker marks removed), in order."""
    return [w for cue in cues for w in cue.words]


def caption_cues(t: Transcript, style: CueStyle | None = None) -> list[Cue]:
    """``t`` as captions shaped to ``style`` (Netflix-style by default)."""
    style = style or PRESETS["netflix"]
    words = timed_words(t)
    cues: list[Cue] = []
    for j, i, mark in _cuts(words, style):
        tokens = [w.text for w in words[j:i]]
        marked = _marked(tokens, mark)
        lines = _lines(marked, style.max_chars, style.max_lines) or (" ".join(marked),)
        cues.append(Cue(words[j].start, words[i - 1].end, lines, words[j].speaker, tuple(tokens)))
    return _timed(cues, style)
