"""Voices the user named: their prints label later recordings by name, on this computer only.

Renaming "Speaker 1" to "Mara" keeps that speaker's voice print (the mean embedding of their
speech, from speaker detection) and a short sample of their voice. A speaker detected later
whose print is at least ``SAME_PERSON`` similar to one of Mara's is labelled "Mara" — unless
it is closer to a print the user said was *not* Mara. Prints live in History's database
(tables ``voices`` and ``voice_prints``); forgetting a voice deletes its prints and sample
link. Blocking functions: call via asyncio.to_thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audio_studio.core.errors import InputError
from audio_studio.core.store.db import Database
from audio_studio.core.store.history_types import now_iso

__all__ = ["SAME_PERSON", "KnownVoice", "forget", "known_voices", "match", "refuse", "remember"]

SAME_PERSON = 0.75  # cosine similarity of two prints of one person (different people: ~0.5)
Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class KnownVoice:
    name: str
    prints: int  # voice prints kept for this name
    not_prints: int  # prints the user said are not this person
    sample: Path | None  # a few seconds of the voice (WAV), if kept
    created_at: str


def _unit(values: object) -> Vector:
    v = np.asarray(values, np.float32).reshape(-1)
    return np.asarray(v / max(float(np.linalg.norm(v)), 1e-9), np.float32)


def _clean(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InputError("Give the speaker a name (it cannot be empty).")
    return name


def _voice_id(db: Database, name: str, sample: Path | None = None) -> int:
    row = db.query_one("SELECT id, sample_path FROM voices WHERE name = ?", (name,))
    if row is not None:
        if sample is not None and not row[1]:
            db.execute("UPDATE voices SET sample_path = ? WHERE id = ?", (str(sample), row[0]))
        return int(row[0])
    return db.execute(
        "INSERT INTO voices (name, sample_path, created_at) VALUES (?, ?, ?)",
        (name, str(sample) if sample else None, now_iso()),
    )


def remember(
    db: Database,
    name: str,
    vector: object,
    *,
    item_id: int | None = None,
    sample: Path | None = None,
) -> None:
    """Keep ``vector`` as a print of ``name`` (made now if new)."""
    voice = _voice_id(db, _clean(name), sample)
    db.execute(
        "INSERT INTO voice_prints (voice_id, vector, negative, item_id, created_at) "
        "VALUES (?, ?, 0, ?, ?)",
        (voice, _unit(vector).tobytes(), item_id, now_iso()),
    )


def refuse(db: Database, name: str, vector: object, *, item_id: int | None = None) -> None:
    """Remember that the voice of ``vector`` is *not* ``name``."""
    voice = _voice_id(db, _clean(name))
    db.execute(
        "INSERT INTO voice_prints (voice_id, vector, negative, item_id, created_at) "
        "VALUES (?, ?, 1, ?, ?)",
        (voice, _unit(vector).tobytes(), item_id, now_iso()),
    )


def forget(db: Database, name: str) -> bool:
    """Delete ``name`` and all its prints; False when no such voice is known."""
    row = db.query_one("SELECT id FROM voices WHERE name = ?", (_clean(name),))
    if row is None:
        return False
    with db.transaction() as tx:
        tx.execute("DELETE FROM voice_prints WHERE voice_id = ?", (row[0],))
        tx.execute("DELETE FROM voices WHERE id = ?", (row[0],))
    return True


def known_voices(db: Database) -> list[KnownVoice]:
    """Every named voice, by name."""
    rows = db.query(
        "SELECT v.name, v.sample_path, v.created_at, "
        "SUM(CASE WHEN p.negative = 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN p.negative = 1 THEN 1 ELSE 0 END) "
        "FROM voices v LEFT JOIN voice_prints p ON p.voice_id = v.id "
        "GROUP BY v.id ORDER BY v.name COLLATE NOCASE"
    )
    return [
        KnownVoice(r[0], int(r[3] or 0), int(r[4] or 0), Path(r[1]) if r[1] else None, r[2])
        for r in rows
    ]


def match(db: Database, prints: list[object]) -> list[str | None]:
    """A known name for each print, or None: the best voice at least ``SAME_PERSON`` similar
    and nearer to its prints than to its "not" prints; each name used once."""
    rows = db.query(
        "SELECT v.name, p.vector, p.negative FROM voice_prints p JOIN voices v ON v.id = p.voice_id"
    )
    if not rows or not prints:
        return [None] * len(prints)
    names = sorted({r[0] for r in rows})
    wanted = np.stack([_unit(p) for p in prints])
    scores = np.full((len(prints), len(names)), -1.0, np.float32)
    for k, name in enumerate(names):
        pos = [np.frombuffer(r[1], np.float32) for r in rows if r[0] == name and not r[2]]
        neg = [np.frombuffer(r[1], np.float32) for r in rows if r[0] == name and r[2]]
        if not pos:
            continue
        best = (wanted @ np.stack(pos).T).max(axis=1)
        if neg:
            best = np.where((wanted @ np.stack(neg).T).max(axis=1) >= best, -1.0, best)
        scores[:, k] = best
    out: list[str | None] = [None] * len(prints)
    while True:
        at = np.unravel_index(int(np.argmax(scores)), scores.shape)
        who, voice = int(at[0]), int(at[1])
        if scores[who, voice] < SAME_PERSON:
            return out
        out[who] = names[voice]
        scores[who, :] = -1.0
        scores[:, voice] = -1.0
