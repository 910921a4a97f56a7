"""Content-addressed audio files in the data dir (``audio/ab/abcdef....ext``), saved atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from audio_studio.core.errors import StorageError
from audio_studio.core.fileio import sha256_file

__all__ = ["FileStore", "StoredFile"]

_BLOCK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    size_bytes: int
    format: str  # the extension without a dot


class FileStore:
    """Stores bytes and files by their sha256 so the same audio is kept once.

    Blocking: call every method via asyncio.to_thread from async code.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str, fmt: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.{fmt.lstrip('.')}"

    def put_bytes(self, data: bytes, fmt: str) -> StoredFile:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha, fmt)
        if not target.exists():
            self._write_atomic(target, lambda fh: fh.write(data))
        return StoredFile(target, sha, len(data), fmt.lstrip("."))

    def put_file(self, source: Path, fmt: str | None = None, *, move: bool = False) -> StoredFile:
        """Copy (or move) ``source`` into the store; the original stays until the copy is safe."""
        fmt = (fmt or source.suffix.lstrip(".") or "bin").lower()
        sha = sha256_file(source)
        size = source.stat().st_size
        target = self.path_for(sha, fmt)
        if not target.exists():

            def copy(fh: BinaryIO) -> None:
                with source.open("rb") as src:
                    shutil.copyfileobj(src, fh, _BLOCK)

            self._write_atomic(target, copy)
        if move:
            with contextlib.suppress(OSError):
                source.unlink()
        return StoredFile(target, sha, size, fmt)

    def relative(self, path: Path, data_dir: Path) -> str:
        """The path as stored in the database: relative to the data dir when inside it."""
        try:
            return str(path.resolve().relative_to(data_dir.resolve()))
        except ValueError:
            return str(path)

    def _write_atomic(self, target: Path, write: Callable[[BinaryIO], object]) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    write(fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise StorageError(
                f"Could not save audio to {target.parent} ({exc.strerror or exc}). "
                "Check free disk space and the folder's permissions."
            ) from exc
