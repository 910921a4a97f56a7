"""Library upkeep: disk used, removing old files (starred items kept), export and import.

An export is one zip: a consistent snapshot of the database (SQLite's backup API) and every
file in the data folder that History points at or a workflow keeps there. Import merges a zip
into this library: on an empty library rows keep their ids; otherwise they get new ones.
Blocking: every function here does file and SQLite work; call via asyncio.to_thread.
"""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from audio_studio.core.errors import InputError, StorageError
from audio_studio.core.fileio import inside, sha256_file
from audio_studio.core.store.db import Database
from audio_studio.core.store.history import (
    FileRecord,
    HistoryItem,
    HistoryQuery,
    HistoryStore,
    entry_of,
)
from audio_studio.core.store.paths import AppPaths

__all__ = [
    "CleanupReport",
    "DiskUsage",
    "ImportReport",
    "cleanup_older_than",
    "disk_usage",
    "export_library",
    "import_library",
]

# Not part of a library that moves to another machine: models are reinstalled, the trash and
# takes still being recorded belong to this machine.
_EXCLUDED = ("models", "trash", "recordings")
_DB_NAME = "history.db"
_COMPRESSED_AUDIO = (".mp3", ".opus", ".ogg", ".m4a", ".aac", ".webm", ".flac")


@dataclass(frozen=True)
class DiskUsage:
    audio_bytes: int
    database_bytes: int
    models_bytes: int
    recordings_bytes: int
    other_bytes: int

    @property
    def total_bytes(self) -> int:
        return (
            self.audio_bytes
            + self.database_bytes
            + self.models_bytes
            + self.recordings_bytes
            + self.other_bytes
        )


def _size(folder: Path) -> int:
    if not folder.exists():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def disk_usage(paths: AppPaths) -> DiskUsage:
    data = paths.data_dir
    database = sum(p.stat().st_size for p in data.glob(f"{_DB_NAME}*") if p.is_file())
    audio = _size(paths.audio_dir)
    models = _size(paths.models_dir)
    recordings = _size(paths.recordings_dir)
    return DiskUsage(
        audio,
        database,
        models,
        recordings,
        max(0, _size(data) - database - audio - models - recordings),
    )


@dataclass(frozen=True)
class CleanupReport:
    items: int  # items whose files were removed
    files: int
    bytes_freed: int


def cleanup_older_than(history: HistoryStore, data_dir: Path, days: float) -> CleanupReport:
    """Remove the audio files of items older than ``days``; starred items (and what belongs to
    them) keep theirs. Rows stay, with their provenance, tagged ``files-removed``."""
    cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    keep = {
        i.id
        for starred in history.query(HistoryQuery(starred_only=True, limit=1_000_000))
        for i in history.with_descendants(starred.id)
    }
    old = [
        i
        for i in history.query(HistoryQuery(until=cutoff, limit=1_000_000))
        if i.id not in keep and i.files
    ]
    root = data_dir.resolve()
    items = files = freed = 0
    for item in old:
        removed_here = 0
        for record in item.files:
            inside = record.path.resolve().is_relative_to(root)
            history.db.execute(
                "DELETE FROM files WHERE item_id = ? AND path = ?",
                (
                    item.id,
                    str(record.path.resolve().relative_to(root)) if inside else str(record.path),
                ),
            )
            removed_here += 1
            if inside and not history.file_users(record.path) and record.path.exists():
                freed += record.path.stat().st_size
                record.path.unlink()
                files += 1
        if removed_here:
            items += 1
            history.update(item.id, tags=(*item.tags, "files-removed"))
    return CleanupReport(items, files, freed)


def _library_files(data_dir: Path) -> Iterator[Path]:
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if not path.is_file() or relative.parts[0] in _EXCLUDED:
            continue
        if relative.name.startswith(_DB_NAME) or relative.name.startswith(".incoming"):
            continue
        yield path


def export_library(db: Database, data_dir: Path, target: Path) -> int:
    """Write the library to ``target`` (a .zip); returns the number of files in it."""
    count = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            snapshot = Path(tmp) / _DB_NAME
            copy = sqlite3.connect(snapshot)
            try:
                with db._lock:  # the backup reads the live connection; keep writers out
                    db._conn.backup(copy)
            finally:
                copy.close()
            partial = target.with_name(target.name + ".partial")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
                zf.write(snapshot, _DB_NAME)
                for path in _library_files(data_dir):
                    kind = (
                        zipfile.ZIP_STORED
                        if path.suffix.lower() in _COMPRESSED_AUDIO
                        else zipfile.ZIP_DEFLATED
                    )
                    zf.write(path, path.relative_to(data_dir).as_posix(), compress_type=kind)
                    count += 1
            partial.replace(target)
    except OSError as exc:
        raise StorageError(
            f"Could not export the library to {target} ({exc.strerror or exc}). Check free space "
            "and that the folder is writable."
        ) from exc
    return count


@dataclass(frozen=True)
class ImportReport:
    items: int
    files: int
    kept_ids: bool  # True when the library was empty and rows kept their ids


def import_library(history: HistoryStore, data_dir: Path, source: Path) -> ImportReport:
    """Merge an exported library into this one.

    The archive is not trusted: every entry must be a plain path inside the data folder and
    outside the folders that belong to this machine (models, trash, recordings); every file a
    row points at must be in the archive with the sha256 the row records. Paths from the
    imported database are rewritten to the files imported here; a path that pointed anywhere
    else (a file on the other computer) is dropped, so *Make again* can never upload a local
    file the archive named. Nothing is written until all of that has been checked.

    Raises:
        InputError: ``source`` is not a library export, holds an unsafe entry, or is damaged.
        StorageError: this library cannot be written (full disk, permissions, a locked DB).
    """
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{source.name} is not a library export (a .zip made by Export).") from exc
    try:
        with archive, tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            members = _checked_members(archive, source, root)
            for info in members.values():
                archive.extract(info, root)
            items = _read_items(root, source)
            items = [_localised(item, root, source) for item in items]
            files = 0
            for name in members:
                if name == _DB_NAME:
                    continue
                target = inside(data_dir, name, what="file in the archive")
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    (root / name).replace(target)
                    files += 1
            empty = history.count(HistoryQuery(limit=1)) == 0
            new_ids: dict[int, int] = {}
            for item in _parents_first(items):
                moved = tuple(_rebase(f, root, data_dir) for f in item.files)
                parent = new_ids.get(item.parent_id) if item.parent_id is not None else None
                entry = entry_of(item, files=moved, parent_id=parent)
                new_ids[item.id] = history.add(entry, item_id=item.id if empty else None)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(
            f"Could not import {source.name} ({getattr(exc, 'strerror', None) or exc}). "
            "Check free space and that the data folder is writable; what was imported so far "
            "is kept."
        ) from exc
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise InputError(f"{source.name} is damaged ({exc}); nothing was imported.") from exc
    return ImportReport(len(items), files, empty)


def _checked_members(
    archive: zipfile.ZipFile, source: Path, root: Path
) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by name, after refusing any entry that could land elsewhere."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = info.filename
        if info.is_dir():
            continue
        try:
            inside(root, name, what="file in the archive")
        except InputError as exc:
            raise InputError(
                f"{source.name} holds an unsafe path ({name!r}); nothing was imported."
            ) from exc
        top = PurePosixPath(name).parts[0]
        if top in _EXCLUDED or (name != _DB_NAME and top.startswith(_DB_NAME)):
            raise InputError(
                f"{source.name} holds {name!r}, which a library export never contains "
                f"({', '.join(_EXCLUDED)} stay on their computer); nothing was imported."
            )
        members[name] = info
    if _DB_NAME not in members:
        raise InputError(f"{source.name} holds no History database; it is not a library export.")
    return members


def _read_items(root: Path, source: Path) -> list[HistoryItem]:
    try:
        opened = Database.open(root / _DB_NAME)
    except (sqlite3.Error, StorageError) as exc:
        raise InputError(f"The History database in {source.name} cannot be read ({exc}).") from exc
    try:
        if opened.notices:  # it was not a database: Database.open set a fresh one up instead
            raise InputError(f"The History database in {source.name} is damaged.")
        theirs = HistoryStore(opened.db, root)
        return sorted(
            theirs.query(HistoryQuery(limit=10_000_000)),
            key=lambda i: (i.parent_id is not None, i.id),
        )
    except sqlite3.Error as exc:
        raise InputError(f"The History database in {source.name} is damaged ({exc}).") from exc
    finally:
        opened.db.close()


def _localised(item: HistoryItem, root: Path, source: Path) -> HistoryItem:
    """``item`` with only files from the archive (hash-checked) and no paths to elsewhere."""
    base = root.resolve()
    kept: list[FileRecord] = []
    for record in item.files:
        path = record.path.resolve()
        if not path.is_relative_to(base) or not path.is_file():
            continue  # a file of the other computer, or one the export did not carry
        if record.sha256 and sha256_file(path) != record.sha256:
            raise InputError(
                f"{path.relative_to(base).as_posix()} in {source.name} does not match its "
                "checksum: the archive is damaged; nothing was imported."
            )
        kept.append(record)
    params = dict(item.params)
    link = str(params.get("source") or "")
    if link and not link.lower().startswith(("http://", "https://")):
        # A local path of the other computer: keep its name as provenance, never the path.
        params.pop("source")
        params["source_name"] = PurePosixPath(link.replace("\\", "/")).name
    return replace(item, files=tuple(kept), params=params)


def _parents_first(items: list[HistoryItem]) -> list[HistoryItem]:
    by_id = {i.id: i for i in items}
    ordered: list[HistoryItem] = []
    seen: set[int] = set()

    def visit(item: HistoryItem) -> None:
        if item.id in seen:
            return
        parent = by_id.get(item.parent_id) if item.parent_id is not None else None
        if parent is not None:
            visit(parent)
        seen.add(item.id)
        ordered.append(item)

    for item in items:
        visit(item)
    return ordered


def _rebase(record: FileRecord, old_root: Path, new_root: Path) -> FileRecord:
    try:
        return replace(
            record, path=new_root / record.path.resolve().relative_to(old_root.resolve())
        )
    except ValueError:
        return record  # a file outside the old data folder keeps its path
