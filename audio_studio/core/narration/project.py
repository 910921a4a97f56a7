"""The narration project: a script, its chunks with their takes, locks and states, and its voice.

A project is plain mutable state owned by one event loop (the tab's or the CLI's); the
service mutates chunks in place as takes arrive, so a chunk keeps its identity across edits of
the script (``set_script`` reconciles old chunks with the new split). It is saved as JSON in
the data folder (``narrations/<id>.json``) and referenced by its NARRATION History item.
"""

from __future__ import annotations

import difflib
import enum
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from audio_studio.core.models import AudioFormat, Word, frozen_mapping
from audio_studio.core.narration.book import BookInfo
from audio_studio.core.narration.cast import NARRATOR, Cast
from audio_studio.core.narration.normalize import normalize
from audio_studio.core.narration.roles import RoledPlan, split_with_roles
from audio_studio.core.store.history import now_iso
from audio_studio.core.text import Lexicon, ScriptPlan

__all__ = [
    "PROJECT_VERSION",
    "Chunk",
    "ChunkStatus",
    "NarrationProject",
    "NarrationSettings",
    "Take",
    "words_from_json",
    "words_to_json",
]

PROJECT_VERSION = 1
SENTENCE_GAP_S = 0.25  # silence between sentences of a paragraph in the export


class ChunkStatus(enum.StrEnum):
    PENDING = "pending"  # no audio yet
    QUEUED = "queued"  # waiting for its turn in a running job
    WORKING = "working"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class NarrationSettings:
    """How the project is voiced: provider, model, voice and the knobs that change the audio."""

    provider: str = "local"
    model: str | None = None
    voice: str | None = None
    voice_name: str | None = None
    cloned_voice: bool = False
    speed: float = 1.0
    instructions: str | None = None  # style prompt, for models that take one
    voice_settings: Mapping[str, Any] = field(default_factory=frozen_mapping)
    export_format: AudioFormat = AudioFormat.WAV
    lexicon: Lexicon = field(default_factory=Lexicon)
    paragraph_pause_s: float | None = None  # None: Settings' paragraph_pause_s
    sentence_pause_s: float = SENTENCE_GAP_S
    proof: bool | None = None  # proof-listening; None: on when every voice is offline
    proof_remake: bool = True  # flagged takes are made again once, the one heard right kept
    # Read numbers, money, times and abbreviations as words for cloud voices too (the offline
    # engine always gets them in words: it reads digits badly).
    normalize_text: bool = True

    @property
    def reads_as_words(self) -> bool:
        return self.normalize_text or self.provider == "local"

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["voice_settings"] = dict(self.voice_settings)
        data["export_format"] = self.export_format.value
        data["lexicon"] = [list(e) for e in self.lexicon.entries]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NarrationSettings:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["voice_settings"] = frozen_mapping(dict(values.get("voice_settings") or {}))
        values["export_format"] = AudioFormat(values.get("export_format") or "wav")
        values["lexicon"] = Lexicon.of([tuple(e) for e in values.get("lexicon") or []])
        return cls(**values)


@dataclass(frozen=True)
class Take:
    """One rendering of one chunk: its audio file and how it was made."""

    id: str
    path: str  # the audio file (content-addressed in the data folder)
    sha256: str
    format: str
    duration_s: float
    sample_rate: int
    text: str  # the chunk's text when it was made (staleness is judged against it)
    spoken: str  # what was sent, after the lexicon
    provider: str
    model: str | None = None
    voice: str | None = None
    item_id: int | None = None  # its History TAKE row
    created_at: str = ""
    cost_usd: float | None = None
    credits: float = 0.0
    cache_hit: bool = False
    fallback: bool = False  # made by the offline voice after the cloud provider failed
    cloned_voice: bool = False
    ttfb_ms: float | None = None
    total_ms: float | None = None
    role: str = NARRATOR  # the cast role that spoke it
    voiced_by: str = ""  # the role's signature when it was made ("" = the project's voice)
    proof: Mapping[str, Any] | None = None  # proof-listening's verdict (see narration/proof.py)
    # When each word of ``spoken`` is said, in seconds from the take's start, where the
    # provider reported it (ElevenLabs); empty otherwise. Captions cut long sentences there.
    words: tuple[Word, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(replace(self, words=()))  # asdict would copy each word into a dict
        data["words"] = words_to_json(self.words)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Take:
        """A saved take; fields it lacks (older projects) keep their defaults."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["words"] = words_from_json(values.get("words"))
        return cls(**values)

    def label(self, number: int) -> str:
        how = " (cache)" if self.cache_hit else " (offline voice)" if self.fallback else ""
        clock = self.created_at[11:16] if len(self.created_at) >= 16 else ""
        return f"Take {number} · {clock} · {self.provider}{how}".replace(" ·  ·", " ·")


def words_to_json(words: tuple[Word, ...]) -> str:
    """Word times as saved: "text start end" for each word, in one string, to the millisecond.

    One string rather than a list per word: a long book holds a hundred thousand words, and
    the project is saved by the pure-Python encoder (see ProjectStore.save), for which a
    string is one step and a list three. Words never hold whitespace (they are cut at it).
    """
    return " ".join(f"{w.text} {w.start:.3f} {w.end:.3f}" for w in words)


def words_from_json(raw: Any) -> tuple[Word, ...]:
    """Saved word times back as Words; anything damaged is dropped (captions fall back to
    timing by characters) rather than failing the project."""
    parts = raw.split() if isinstance(raw, str) else ()
    if len(parts) % 3:
        return ()
    try:
        return tuple(
            Word(parts[i], float(parts[i + 1]), float(parts[i + 2]))
            for i in range(0, len(parts), 3)
        )
    except ValueError:
        return ()


@dataclass(eq=False)
class Chunk:
    """One sentence of the script and its takes (mutable; identity survives script edits)."""

    text: str
    paragraph: int = 0
    start: int = 0
    end: int = 0
    pause_after_s: float = 0.0
    status: ChunkStatus = ChunkStatus.PENDING
    error: str | None = None
    error_kind: str | None = None  # the StudioError class name, e.g. "NetworkError"
    takes: list[Take] = field(default_factory=list)
    current: int | None = None  # index into takes
    locked: bool = False
    spoken: str = ""  # the text as sent, after the project's lexicon
    locked_text: str = ""  # the text it was locked with, when an edit unlocked it
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    role: str = NARRATOR  # who speaks it: from the script's markup, or role_override
    role_override: str | None = None  # reassigned by hand in the sentence table
    voiced_by: str = ""  # its role's signature ("" = the project's voice)

    @property
    def take(self) -> Take | None:
        return self.takes[self.current] if self.current is not None else None

    def texts(self) -> set[str]:
        """The texts it holds or was made or locked for (an undo may bring any of them back)."""
        return {self.text, self.locked_text, *(t.text for t in self.takes)} - {""}

    @property
    def stale(self) -> bool:
        """It has a take, but its text (or pronunciation) changed since that take was made."""
        take = self.take
        return take is not None and (
            take.text != self.text
            or bool(self.spoken and take.spoken != self.spoken)
            or (take.voiced_by != self.voiced_by and not take.fallback)
        )

    @property
    def needs_audio(self) -> bool:
        return self.take is None or self.stale

    def add_take(self, take: Take) -> None:
        self.takes.append(take)
        self.current = len(self.takes) - 1
        self.status, self.error, self.error_kind = ChunkStatus.DONE, None, None

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["status"] = (
            ChunkStatus.PENDING
            if self.status in (ChunkStatus.QUEUED, ChunkStatus.WORKING)
            else self.status
        ).value
        data["takes"] = [t.to_json() for t in self.takes]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Chunk:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["takes"] = [Take.from_json(t) for t in data.get("takes", [])]
        values["status"] = ChunkStatus(values.get("status") or "pending")
        chunk = cls(**values)
        if chunk.current is not None and not 0 <= chunk.current < len(chunk.takes):
            chunk.current = len(chunk.takes) - 1 if chunk.takes else None
        return chunk


class NarrationProject:
    """A script split into chunks, with takes; what the Narration tab and `narrate` work on."""

    def __init__(
        self,
        script: str = "",
        *,
        title: str = "",
        settings: NarrationSettings | None = None,
        max_chars: int | None = None,
        project_id: str | None = None,
    ) -> None:
        self.id = project_id or uuid.uuid4().hex
        self.title = title
        self.settings = settings or NarrationSettings()
        self.script = ""
        self.chunks: list[Chunk] = []
        # Sentences taken out of the script that had takes: text that comes back (an undo)
        # finds them again; they stay until the user clears them.
        self.removed: list[Chunk] = []
        self._positions: dict[str, int] = {}
        self.lead_pause_s = 0.0
        self.warnings: tuple[str, ...] = ()
        self.max_chars = max_chars
        self.item_id: int | None = None  # the NARRATION History row, once generation starts
        self.cast = Cast()
        self.cast_problems: tuple[str, ...] = ()  # roles the script names that the cast lacks
        self.book: BookInfo | None = None  # the book or subtitles it was opened from
        self.created_at = now_iso()
        self.updated_at = self.created_at
        self.set_script(script)

    # -- the script --------------------------------------------------------------------------

    def set_script(self, script: str, *, max_chars: int | bool | None = False) -> None:
        """Replace the script and re-split it; chunks whose text is unchanged keep everything,
        edited ones keep their takes (now stale) and lose their lock, new ones start empty.

        Args:
            max_chars: a new per-request limit (False: keep the current one).
        """
        if max_chars is not False:
            self.max_chars = max_chars if isinstance(max_chars, int) else None
        self.use_split(
            script, split_with_roles(script, self.max_chars, self.settings.lexicon, self.cast)
        )

    def use_split(self, script: str, roled: RoledPlan) -> None:
        """``script`` as split (off the GUI thread) by ``split_with_roles`` with this cast."""
        self.script = script
        self._reconcile(roled.plan)
        for chunk, role in zip(self.chunks, roled.roles, strict=True):
            chunk.role = role
        self.cast_problems = roled.problems
        self._voice_chunks()
        self.updated_at = now_iso()

    def set_cast(self, cast: Cast) -> None:
        """A new cast: roles re-read from the script; sentences of a recast role go stale."""
        self.cast = cast
        self.set_script(self.script)

    def set_role(self, chunks: list[Chunk], role: str | None) -> None:
        """Give ``chunks`` to ``role`` by hand (None: back to what the script says)."""
        for chunk in chunks:
            chunk.role_override = self.cast.canonical(role) or role if role else None
        self._voice_chunks()
        self.updated_at = now_iso()

    def role_of(self, chunk: Chunk) -> str:
        """Who speaks ``chunk``: the hand-picked role, else the script's."""
        return chunk.role_override or chunk.role

    def _voice_chunks(self) -> None:
        for chunk in self.chunks:
            role = self.cast.get(self.role_of(chunk))
            chunk.voiced_by = role.signature() if role is not None else ""

    def set_settings(self, settings: NarrationSettings, max_chars: int | None) -> None:
        """New voice settings; a new limit or lexicon re-splits (takes of equal text stay)."""
        resplit = (
            settings.lexicon != self.settings.lexicon
            or max_chars != self.max_chars
            or settings.reads_as_words != self.settings.reads_as_words
        )
        self.settings = settings
        if resplit:
            self.set_script(self.script, max_chars=max_chars)

    def _reconcile(self, plan: ScriptPlan) -> None:
        old, new = self.chunks, plan.chunks
        lexicon = self.settings.lexicon
        words = self._as_words()
        out: list[Chunk] = []
        removed = _Shelf(self.removed)
        dropped: list[Chunk] = []
        for op, i1, i2, j1, j2 in _opcodes([c.text for c in old], [c.text for c in new]):
            spare = _Shelf(old[i1:i2]) if op != "equal" else None
            for k in range(j2 - j1):
                src = new[j1 + k]
                if spare is None:
                    chunk = old[i1 + k]
                else:
                    # Text made before (an undo, a redo) finds its takes: matched by text.
                    chunk = spare.take(src.text) or removed.take(src.text) or _edit(spare, op)
                chunk.text, chunk.paragraph = src.text, src.paragraph
                chunk.start, chunk.end, chunk.pause_after_s = src.start, src.end, src.pause_after_s
                chunk.spoken = lexicon.apply(src.text, words)
                if chunk.locked_text and chunk.locked_text == chunk.text and chunk.take:
                    chunk.locked, chunk.locked_text = True, ""  # back to the words it was locked on
                out.append(chunk)
            if spare is not None:
                dropped.extend(c for c in spare.left() if c.takes)
        self.removed = [*removed.left(), *dropped]
        self.chunks = out
        self._positions = {c.id: i for i, c in enumerate(out)}
        if self.book is not None:
            self.book = self.book.remapped(old, self._positions)
        self.lead_pause_s = plan.lead_pause_s
        self.warnings = plan.warnings

    def clear_removed(self) -> int:
        """Drop the takes of sentences no longer in the script; how many sentences they were."""
        count = len(self.removed)
        self.removed = []
        self.updated_at = now_iso()
        return count

    def _as_words(self) -> Callable[[str], str] | None:
        """The speech normalisation for this project's language, when it applies."""
        if not self.settings.reads_as_words:
            return None
        language = (self.book.language if self.book else "") or "en"
        return lambda text: normalize(text, language)

    def replace_chunk_text(self, chunk: Chunk, text: str) -> None:
        """Edit one chunk's words in the script (the chunk list's editor); it becomes stale."""
        script = self.script[: chunk.start] + text.strip() + self.script[chunk.end :]
        self.set_script(script)

    # -- takes and locks ---------------------------------------------------------------------

    def choose_take(self, chunk: Chunk, index: int) -> None:
        if not 0 <= index < len(chunk.takes):
            raise IndexError(f"chunk has {len(chunk.takes)} takes")
        chunk.current = index
        chunk.status, chunk.error, chunk.error_kind = ChunkStatus.DONE, None, None
        self.updated_at = now_iso()

    def set_locked(self, chunk: Chunk, locked: bool) -> None:
        chunk.locked = locked and chunk.take is not None
        self.updated_at = now_iso()

    # -- views -------------------------------------------------------------------------------

    def index(self, chunk: Chunk) -> int:
        """Where ``chunk`` stands in the script. Raises ValueError when it is no longer there."""
        i = self._positions.get(chunk.id)
        if i is None or i >= len(self.chunks) or self.chunks[i] is not chunk:
            raise ValueError("this chunk is no longer in the script")
        return i

    def find(self, chunk_id: str) -> Chunk | None:
        i = self._positions.get(chunk_id)
        return self.chunks[i] if i is not None and i < len(self.chunks) else None

    def needing_audio(self) -> list[Chunk]:
        return [c for c in self.chunks if c.needs_audio and not c.locked]

    def failed(self) -> list[Chunk]:
        return [c for c in self.chunks if c.status is ChunkStatus.FAILED]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in ChunkStatus}
        out["stale"] = out["locked"] = 0
        for c in self.chunks:
            out[c.status.value] += 1
            out["stale"] += c.stale
            out["locked"] += c.locked
        return out

    def made_by(self, takes: list[Take] | None = None) -> tuple[str, str | None, str | None]:
        """(provider, model, voice) that made the audio: what most of ``takes`` (default: the
        takes in use) came from, never what the voice picker shows now; the picker's choice
        only while nothing is made yet."""
        used = takes if takes is not None else [c.take for c in self.chunks if c.take]
        s = self.settings
        if not used:
            return s.provider, s.model, s.voice_name or s.voice
        tally: dict[tuple[str, str | None, str | None], int] = {}
        for take in used:
            key = (take.provider, take.model, take.voice)
            tally[key] = tally.get(key, 0) + 1
        provider, model, voice = max(tally, key=lambda k: tally[k])
        if (provider, voice) == (s.provider, s.voice) and s.voice_name:
            voice = s.voice_name
        return provider, model, voice

    def spoken(self, chunk: Chunk) -> str:
        return chunk.spoken or self.settings.lexicon.apply(chunk.text, self._as_words())

    def gap_after(self, i: int, paragraph_pause_s: float) -> float:
        """Silence after chunk ``i`` in the export: [pause] markup, else the natural gap."""
        chunk = self.chunks[i]
        if chunk.pause_after_s:
            return chunk.pause_after_s
        if i + 1 < len(self.chunks) and self.chunks[i + 1].paragraph != chunk.paragraph:
            return paragraph_pause_s
        return self.settings.sentence_pause_s

    # -- saving ------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PROJECT_VERSION,
            "id": self.id,
            "title": self.title,
            "script": self.script,
            "settings": self.settings.to_json(),
            "max_chars": self.max_chars,
            "item_id": self.item_id,
            "cast": self.cast.to_json(),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "chunks": [c.to_json() for c in self.chunks],
            "removed": [c.to_json() for c in self.removed],
            **({"book": self.book.to_json()} if self.book else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NarrationProject:
        settings = NarrationSettings.from_json(data.get("settings") or {})
        project = cls(
            title=str(data.get("title") or ""),
            settings=settings,
            max_chars=data.get("max_chars"),
            project_id=str(data.get("id") or uuid.uuid4().hex),
        )
        project.cast = Cast.from_json(data.get("cast"))
        project.chunks = [Chunk.from_json(c) for c in data.get("chunks") or []]
        if data.get("book"):
            project.book = BookInfo.from_json(data["book"])
        project._positions = {c.id: i for i, c in enumerate(project.chunks)}
        project.removed = [Chunk.from_json(c) for c in data.get("removed") or []]
        # Re-split the script to bring spans and markup up to date; saved chunks are kept.
        project.set_script(str(data.get("script") or ""))
        project.item_id = data.get("item_id")
        project.created_at = str(data.get("created_at") or project.created_at)
        project.updated_at = str(data.get("updated_at") or project.updated_at)
        return project


_DIFF_LIMIT = 1_000_000  # old x new chunks compared by difflib; beyond it, match by text


def _opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes from ``old`` to ``new``, fast for long scripts.

    The common head and tail are matched first (an edit usually touches a few sentences);
    difflib compares what is left, unless that is huge (difflib is quadratic on repeated
    lines), in which case chunks are matched by equal text, in order.
    """
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    mid_old, mid_new = old[head : len(old) - tail], new[head : len(new) - tail]
    ops: list[tuple[str, int, int, int, int]] = []
    if head:
        ops.append(("equal", 0, head, 0, head))
    if len(mid_old) * len(mid_new) <= _DIFF_LIMIT:
        matcher = difflib.SequenceMatcher(None, mid_old, mid_new, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            ops.append((op, i1 + head, i2 + head, j1 + head, j2 + head))
    else:
        ops.extend(_by_text(mid_old, mid_new, head))
    if tail:
        ops.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return ops


def _by_text(old: list[str], new: list[str], base: int) -> list[tuple[str, int, int, int, int]]:
    """Opcodes matching each new text to the next unused old chunk of the same text."""
    spare: dict[str, list[int]] = {}
    for i in reversed(range(len(old))):
        spare.setdefault(old[i], []).append(i)
    ops = []
    for j, text in enumerate(new):
        free = spare.get(text)
        if free:
            i = free.pop()
            ops.append(("equal", i + base, i + base + 1, j + base, j + base + 1))
        else:
            ops.append(("insert", base, base, j + base, j + base + 1))
    return ops


class _Shelf:
    """Chunks that text may take back, indexed by every text they were made for (so a long
    script's edit stays linear), in their order; ``left()`` is what nobody took."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.taken: set[str] = set()
        self._next = 0
        self._by_text: dict[str, list[Chunk]] | None = None  # built on first look-up

    def take(self, text: str) -> Chunk | None:
        if not self.chunks:
            return None
        if self._by_text is None:
            self._by_text = {}
            for chunk in self.chunks:
                for known in chunk.texts():
                    self._by_text.setdefault(known, []).append(chunk)
        for chunk in self._by_text.get(text, ()):
            if chunk.id not in self.taken:
                self.taken.add(chunk.id)
                return chunk
        return None

    def next_free(self) -> Chunk | None:
        while self._next < len(self.chunks):
            chunk = self.chunks[self._next]
            self._next += 1
            if chunk.id not in self.taken:
                self.taken.add(chunk.id)
                return chunk
        return None

    def left(self) -> list[Chunk]:
        return [c for c in self.chunks if c.id not in self.taken]


def _edit(spare: _Shelf, op: str) -> Chunk:
    """The next replaced chunk, now holding edited text (its takes are stale), or a new one."""
    chunk = spare.next_free() if op == "replace" else None
    if chunk is None:
        return Chunk("")
    if chunk.locked:
        # An edited sentence needs a new look; its lock returns with its words.
        chunk.locked, chunk.locked_text = False, chunk.text
    if chunk.status is ChunkStatus.FAILED:
        chunk.status, chunk.error, chunk.error_kind = _pending_or_done(chunk)
    return chunk


def _pending_or_done(chunk: Chunk) -> tuple[ChunkStatus, None, None]:
    return (ChunkStatus.DONE if chunk.takes else ChunkStatus.PENDING), None, None


def with_settings(project: NarrationProject, **changes: Any) -> NarrationSettings:
    """The project's settings with some fields changed (a convenience for callers)."""
    return replace(project.settings, **changes)
