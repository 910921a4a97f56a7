"""The SQLite database: WAL mode, numbered migrations, and recovery from a corrupt file.

Threads: one connection shared behind a lock, so the GUI loop can call it through
``asyncio.to_thread`` from any worker thread. Every method here is blocking.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audio_studio.core.errors import StorageError
from audio_studio.core.store.migrations import MIGRATIONS

__all__ = ["Database", "OpenResult"]

log = logging.getLogger(__name__)

_CORRUPT_MARKERS = ("file is not a database", "malformed", "file is encrypted", "disk image")


class OpenResult:
    """A database and the notices the user should see about how it was opened."""

    def __init__(self, db: Database, notices: list[str]) -> None:
        self.db = db
        self.notices = notices


class Database:
    """A thread-safe wrapper over one sqlite3 connection.

    Blocking: call every method via asyncio.to_thread from async code.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> OpenResult:
        """Open (or create) the database at ``path`` and bring its schema up to date.

        A file that is not a readable SQLite database is moved aside as
        ``<name>.corrupt-<timestamp>`` and a fresh one is created; the notice names both.

        Raises:
            StorageError: the folder cannot be written, the disk is full, or the file is newer
                than this version of the studio.
        """
        notices: list[str] = []
        try:
            return OpenResult(cls._open_checked(path), notices)
        except sqlite3.DatabaseError as exc:
            if not _looks_corrupt(exc):
                raise _storage_error(path, exc) from exc
            moved = _move_aside(path)
            notices.append(
                f"The history database {path} could not be read ({exc}). It was moved to "
                f"{moved} and a new, empty history was started. Your audio files are untouched."
            )
            log.warning("corrupt database moved aside to %s: %s", moved, exc)
        try:
            return OpenResult(cls._open_checked(path), notices)
        except sqlite3.Error as exc:
            raise _storage_error(path, exc) from exc

    @classmethod
    def _open_checked(cls, path: Path) -> Database:
        conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        try:
            conn.row_factory = sqlite3.Row
            # Reading the schema is what fails first on a file that is not a database.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode keeps every committed transaction across a process crash.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            db = cls(conn, path)
            db._migrate()
            return db
        except BaseException:
            conn.close()
            raise

    def _migrate(self) -> None:
        version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StorageError(
                f"The history database {self.path} was written by a newer Audio Studio "
                f"(schema {version}, this version knows {len(MIGRATIONS)}). Update the studio, "
                "or start with another data folder (--home DIR)."
            )
        for number in range(version, len(MIGRATIONS)):
            with self.transaction() as conn:
                conn.executescript_in_tx(MIGRATIONS[number])
                conn.execute(f"PRAGMA user_version={number + 1}")
            log.info("history database migrated to schema %d", number + 1)

    # -- use ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_Tx]:
        """Run statements in one IMMEDIATE transaction; commit on success, roll back on error."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                yield _Tx(self._conn)
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise _storage_error(self.path, exc) from exc

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one statement in its own transaction; return lastrowid."""
        try:
            with self.transaction() as tx:
                return tx.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise _storage_error(self.path, exc) from exc

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()


class _Tx:
    """The handle inside :meth:`Database.transaction`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        cur = self._conn.execute(sql, params)
        return int(cur.lastrowid or 0)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params).fetchall()

    def executescript_in_tx(self, script: str) -> None:
        # sqlite3.executescript() commits first; run statement by statement instead so a
        # failing migration leaves the previous schema intact.
        for statement in _split_sql(script):
            self._conn.execute(statement)


def _split_sql(script: str) -> list[str]:
    statements: list[str] = []
    current: list[str] = []
    for line in script.splitlines(keepends=True):
        current.append(line)
        candidate = "".join(current).strip()
        if candidate and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            current = []
    rest = "".join(current).strip()
    if rest and not all(ln.strip().startswith("--") for ln in rest.splitlines() if ln.strip()):
        statements.append(rest)
    return statements


def _looks_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return any(marker in text for marker in _CORRUPT_MARKERS)


def _move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.replace(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    return target


def _storage_error(path: Path, exc: sqlite3.Error) -> StorageError:
    text = str(exc)
    if "disk is full" in text or "database or disk is full" in text:
        hint = "The disk is full: free some space and try again."
    elif "readonly" in text or "unable to open" in text:
        hint = "The folder is not writable: check its permissions or use --home DIR."
    elif "locked" in text:
        hint = "Another program holds the database: close other Audio Studio windows."
    else:
        hint = "If this keeps happening, move the file aside and restart the studio."
    return StorageError(f"The history database {path} failed: {text}. {hint}")
