"""A corrected transcript back into History, the provider's version kept; a recording's transcripts.

Saving an edit writes the new JSON (files are stored by content hash, so nothing is
overwritten) and updates the row's text for search. The file the provider made stays in the
row as ``transcript-original`` and the version before this save as ``transcript-previous``,
so a bad edit can always be undone from History.

Threads: async functions run on the loop; SQLite and files go through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audio_studio.core.errors import InputError
from audio_studio.core.models import HistoryKind, Transcript
from audio_studio.core.store.history import FileRecord, HistoryItem, HistoryQuery, now_iso
from audio_studio.core.subtitles import to_json

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = [
    "ORIGINAL",
    "PREVIOUS",
    "RecordingTranscripts",
    "recording_transcripts",
    "save_transcript",
]

CURRENT = "transcript"
ORIGINAL = "transcript-original"
PREVIOUS = "transcript-previous"


@dataclass(frozen=True)
class RecordingTranscripts:
    """A recording and every transcript made of it (newest first)."""

    recording: HistoryItem
    transcripts: tuple[HistoryItem, ...]


async def save_transcript(
    ctx: StudioContext, item: HistoryItem, transcript: Transcript
) -> HistoryItem:
    """Store ``transcript`` as the current version of the TRANSCRIPT row ``item``.

    Raises:
        InputError: ``item`` is not a transcript that is still in History.
        StorageError: the file could not be written.
    """
    if item.kind is not HistoryKind.TRANSCRIPT:
        raise InputError(f"History item {item.id} is a {item.kind.value}, not a transcript.")
    text = (await asyncio.to_thread(to_json, transcript)).encode("utf-8")
    stored = await asyncio.to_thread(ctx.files.put_bytes, text, "json")
    record = FileRecord.of(CURRENT, stored)
    params = dict(item.params)
    params["edited_at"] = now_iso()
    params["edits"] = int(params.get("edits", 0)) + 1
    params["segments"] = len(transcript.segments)
    speakers = list(transcript.speakers)
    if speakers:
        params["speakers"] = speakers

    def write() -> HistoryItem:
        history = ctx.history
        with ctx.db.transaction() as tx:
            if not tx.query("SELECT 1 FROM items WHERE id = ?", (item.id,)):
                raise InputError(f"History item {item.id} is no longer in History.")
            rows = tx.query(
                "SELECT role, sha256 FROM files WHERE item_id = ? AND role IN (?, ?)",
                (item.id, CURRENT, ORIGINAL),
            )
            unchanged = any(r[0] == CURRENT and r[1] == stored.sha256 for r in rows)
            if not unchanged:
                # The provider's file is kept once as the original; after that, only the
                # version just before this save is kept as the previous one.
                keep_as = PREVIOUS if any(r[0] == ORIGINAL for r in rows) else ORIGINAL
                tx.execute("DELETE FROM files WHERE item_id = ? AND role = ?", (item.id, PREVIOUS))
                tx.execute(
                    "UPDATE files SET role = ? WHERE item_id = ? AND role = ?",
                    (keep_as, item.id, CURRENT),
                )
                history._insert_files(tx, item.id, [record])
        history.update(item.id, transcript=transcript.text, params=params)
        fresh = history.get(item.id)
        if fresh is None:
            raise InputError(f"History item {item.id} is no longer in History.")
        return fresh

    return await asyncio.to_thread(write)


async def recording_transcripts(ctx: StudioContext, item: HistoryItem) -> RecordingTranscripts:
    """The recording ``item`` belongs to (or is) and all of that recording's transcripts.

    A SUMMARY leads to its transcript's recording. A transcript without a recording (made
    elsewhere) comes back as its own "recording" with itself as the only transcript.
    """
    history = ctx.history
    current = item
    while current.kind is not HistoryKind.RECORDING and current.parent_id is not None:
        parent = await asyncio.to_thread(history.get, current.parent_id)
        if parent is None:
            break
        current = parent
    if current.kind is not HistoryKind.RECORDING:
        return RecordingTranscripts(
            current, (current,) if current.kind is HistoryKind.TRANSCRIPT else ()
        )
    children = await asyncio.to_thread(
        history.query,
        HistoryQuery(parent_id=current.id, kinds=(HistoryKind.TRANSCRIPT,), limit=1000),
    )
    return RecordingTranscripts(current, tuple(children))


def with_text(item: HistoryItem, transcript: Transcript) -> HistoryItem:
    """``item`` as it reads after ``transcript`` was saved (for callers that skip a re-read)."""
    return dataclasses.replace(item, transcript=transcript.text)
