"""What a narration project keeps of the book it came from: metadata, chapters and cues.

Chapters and subtitle cues are anchored to the id of their first chunk, so they follow the
script through edits (chunks keep their identity; see project.py); when that chunk is edited
away the mark moves to the chunk that now stands where it stood.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

__all__ = ["BookInfo", "ChapterMark", "CueMark"]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


@dataclass(frozen=True)
class ChapterMark:
    title: str
    chunk: str  # the id of the chapter's first chunk


@dataclass(frozen=True)
class CueMark:
    """A subtitle cue of a voice-over: its words start at ``start_s`` with chunk ``chunk``."""

    start_s: float
    end_s: float
    chunk: str


@dataclass(frozen=True)
class BookInfo:
    source: str = ""
    kind: str = ""
    title: str = ""
    author: str = ""
    language: str = ""
    year: str = ""
    cover_path: str = ""  # the cover image beside the project, when the book had one
    chapters: tuple[ChapterMark, ...] = ()
    cues: tuple[CueMark, ...] = ()

    def remapped(self, old: Sequence[_HasId], positions: Mapping[str, int]) -> BookInfo:
        """Marks moved onto the new chunks after the script was split again."""
        if not self.chapters and not self.cues:
            return self
        old_index = {c.id: i for i, c in enumerate(old)}
        new_ids = sorted(positions, key=lambda k: positions[k])

        def move(chunk_id: str) -> str | None:
            if chunk_id in positions:
                return chunk_id
            i = old_index.get(chunk_id)
            if i is None:
                return None
            # The first old chunk at or after the lost one that survived.
            for later in old[i:]:
                if later.id in positions:
                    return later.id
            return new_ids[-1] if new_ids else None

        chapters: list[ChapterMark] = []
        for mark in self.chapters:
            moved = move(mark.chunk)
            if moved and (not chapters or chapters[-1].chunk != moved):
                chapters.append(replace(mark, chunk=moved))
        cues: list[CueMark] = []
        for cue in self.cues:
            moved = move(cue.chunk)
            if moved and (not cues or cues[-1].chunk != moved):
                cues.append(replace(cue, chunk=moved))
        return replace(self, chapters=tuple(chapters), cues=tuple(cues))

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "title": self.title,
            "author": self.author,
            "language": self.language,
            "year": self.year,
            "cover_path": self.cover_path,
            "chapters": [[m.title, m.chunk] for m in self.chapters],
            "cues": [[c.start_s, c.end_s, c.chunk] for c in self.cues],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BookInfo:
        return cls(
            **{k: str(data.get(k) or "") for k in
               ("source", "kind", "title", "author", "language", "year", "cover_path")},
            chapters=tuple(ChapterMark(str(t), str(c)) for t, c in data.get("chapters") or ()),
            cues=tuple(CueMark(float(a), float(b), str(c)) for a, b, c in data.get("cues") or ()),
        )  # fmt: skip
