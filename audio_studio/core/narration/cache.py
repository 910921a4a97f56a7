"""The content-addressed cache of synthesised chunks (the ``synth_cache`` table).

The key is a hash of everything that changes the audio: the text as sent, provider, model,
voice, speed, style instructions, voice settings, the format asked for and (for servers whose
address is configurable) the base URL. Unchanged text is never paid for twice. API keys never
enter the key. Blocking: every function here runs SQLite; call via asyncio.to_thread.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio_studio.core.store.db import Database
from audio_studio.core.store.history import now_iso

__all__ = ["CACHE_VERSION", "CachedAudio", "SynthCache", "cache_key"]

CACHE_VERSION = 1


def cache_key(
    *,
    text: str,
    provider: str,
    model: str | None,
    voice: str | None,
    speed: float = 1.0,
    instructions: str | None = None,
    settings: Mapping[str, Any] | None = None,
    format: str = "",
    base_url: str | None = None,
) -> str:
    """The cache key of one chunk's audio (hex sha256 of a canonical JSON description)."""
    knobs = settings or {}
    description = {
        "v": CACHE_VERSION,
        "text": text,
        "provider": provider,
        "model": model or "",
        "voice": voice or "",
        "speed": round(float(speed), 4),
        "instructions": (instructions or "").strip(),
        "settings": {str(k): knobs[k] for k in sorted(knobs)},
        "format": format,
        "base_url": (base_url or "").rstrip("/"),
    }
    canonical = json.dumps(description, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedAudio:
    key: str
    path: Path
    sha256: str
    format: str
    item_id: int | None  # the History take that first made it, when it is still there


class SynthCache:
    """Lookups and inserts on ``synth_cache``; paths are stored relative to the data folder."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.data_dir = data_dir

    def get_many(self, keys: Iterable[str]) -> dict[str, CachedAudio]:
        """Entries for ``keys`` whose file still exists (a deleted file is a miss)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, CachedAudio] = {}
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            rows = self.db.query(
                "SELECT c.key, c.path, c.sha256, c.format, "
                "(SELECT f.item_id FROM files f JOIN items i ON i.id = f.item_id "
                " WHERE f.sha256 = c.sha256 AND i.kind = 'take' ORDER BY f.id LIMIT 1) "
                f"FROM synth_cache c WHERE c.key IN ({', '.join('?' * len(batch))})",
                batch,
            )
            for key, path, sha, fmt, item_id in rows:
                full = self._path(path)
                if full.exists():
                    found[key] = CachedAudio(key, full, sha, fmt, item_id)
        return found

    def touch(self, keys: Iterable[str]) -> None:
        """Count hits (for a future clean-up of entries nobody uses)."""
        now = now_iso()
        with self.db.transaction() as tx:
            tx.executemany(
                "UPDATE synth_cache SET hits = hits + 1, last_used = ? WHERE key = ?",
                [(now, k) for k in keys],
            )

    def put(self, key: str, path: Path, sha256: str, fmt: str) -> None:
        now = now_iso()
        self.db.execute(
            "INSERT INTO synth_cache (key, sha256, format, path, created_at, last_used, hits) "
            "VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT(key) DO UPDATE SET sha256 = excluded.sha256, "
            "format = excluded.format, path = excluded.path, last_used = excluded.last_used",
            (key, sha256, fmt, self._relative(path), now, now),
        )

    def count(self) -> int:
        row = self.db.query_one("SELECT count(*) FROM synth_cache")
        return int(row[0]) if row else 0

    def _relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.data_dir.resolve()))
        except ValueError:
            return str(path)

    def _path(self, stored: str) -> Path:
        p = Path(stored)
        return p if p.is_absolute() else self.data_dir / p
