"""History's value types: entries to add, items read back, queries; and their small helpers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audio_studio.core.models import HistoryKind, HistoryStatus, Latency, Usage, frozen_mapping
from audio_studio.core.store.files import StoredFile

__all__ = [
    "FileRecord",
    "HistoryEntry",
    "HistoryItem",
    "HistoryQuery",
    "entry_of",
    "fts_query",
    "now_iso",
    "redact_params",
    "tags_text",
]

# Parameter names that could carry a credential; never stored, whatever a caller passes.
_SECRET_KEY = re.compile(r"(api[_-]?key|authorization|token|secret|password|xi-api-key)", re.I)
_TOKEN = re.compile(r"\w+", re.UNICODE)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def redact_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Drop credential-like keys, recursively, before parameters are stored or exported."""
    clean: dict[str, Any] = {}
    for key, value in params.items():
        if _SECRET_KEY.search(str(key)):
            continue
        clean[key] = redact_params(value) if isinstance(value, Mapping) else value
    return clean


def fts_query(text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must match, as a prefix."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    return " ".join(f'"{token}"*' for token in tokens)


@dataclass(frozen=True)
class FileRecord:
    role: str  # audio | source | export | transcript | sidecar
    path: Path
    sha256: str
    format: str
    size_bytes: int
    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None

    @classmethod
    def of(
        cls,
        role: str,
        stored: StoredFile,
        duration_s: float | None = None,
        sample_rate: int | None = None,
        channels: int | None = None,
    ) -> FileRecord:
        """The record of a file the FileStore just kept."""
        return cls(
            role, stored.path, stored.sha256, stored.format, stored.size_bytes,
            duration_s, sample_rate, channels,
        )  # fmt: skip


@dataclass(frozen=True)
class HistoryEntry:
    """What a finished (or started) piece of work adds to History."""

    kind: HistoryKind
    title: str = ""
    status: HistoryStatus = HistoryStatus.DONE
    provider: str | None = None
    model: str | None = None
    voice: str | None = None
    params: Mapping[str, Any] = field(default_factory=frozen_mapping)
    input_text: str = ""
    prompt: str = ""
    transcript: str = ""
    duration_s: float | None = None
    usage: Usage = field(default_factory=Usage)
    latency: Latency = field(default_factory=Latency)
    error: str | None = None
    files: tuple[FileRecord, ...] = ()
    parent_id: int | None = None
    job_id: str | None = None
    tags: tuple[str, ...] = ()
    starred: bool = False
    created_at: str | None = None  # defaults to now
    finished_at: str | None = None


@dataclass(frozen=True)
class HistoryItem:
    id: int
    kind: HistoryKind
    title: str
    status: HistoryStatus
    provider: str | None
    model: str | None
    voice: str | None
    params: Mapping[str, Any]
    input_text: str
    prompt: str
    transcript: str
    duration_s: float | None
    usage: Usage
    latency: Latency
    error: str | None
    created_at: str
    finished_at: str | None
    starred: bool
    tags: tuple[str, ...]
    parent_id: int | None
    job_id: str | None
    files: tuple[FileRecord, ...] = ()
    match: str | None = None  # a highlighted snippet when found by a search

    def file(self, role: str = "audio") -> FileRecord | None:
        return next((f for f in self.files if f.role == role), None)


@dataclass(frozen=True)
class HistoryQuery:
    search: str | None = None
    kinds: tuple[HistoryKind, ...] = ()
    provider: str | None = None
    since: str | None = None  # ISO timestamps, inclusive
    until: str | None = None
    starred_only: bool = False
    parent_id: int | None = None
    top_level_only: bool = False  # hide takes/transcripts that belong to another item
    limit: int = 100
    offset: int = 0


def tags_text(tags: Sequence[str]) -> str:
    cleaned = []
    for tag in tags:
        t = "-".join(str(tag).lower().split())
        if t and t not in cleaned:
            cleaned.append(t)
    return " ".join(cleaned)


def entry_of(item: HistoryItem, **changes: Any) -> HistoryEntry:
    """The entry that would re-create ``item`` (for restoring a deleted item or importing)."""
    values: dict[str, Any] = {
        "kind": item.kind,
        "title": item.title,
        "status": item.status,
        "provider": item.provider,
        "model": item.model,
        "voice": item.voice,
        "params": item.params,
        "input_text": item.input_text,
        "prompt": item.prompt,
        "transcript": item.transcript,
        "duration_s": item.duration_s,
        "usage": item.usage,
        "latency": item.latency,
        "error": item.error,
        "files": item.files,
        "parent_id": item.parent_id,
        "job_id": item.job_id,
        "tags": item.tags,
        "starred": item.starred,
        "created_at": item.created_at,
        "finished_at": item.finished_at,
    }
    values.update(changes)
    return HistoryEntry(**values)
