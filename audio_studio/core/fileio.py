"""Files written whole or not at all, files hashed in blocks, and paths from outside input kept
inside their folder."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from audio_studio.core.errors import InputError

__all__ = ["atomic_write_bytes", "atomic_write_text", "inside", "sha256_file"]

_BLOCK = 1 << 20


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    Blocking: call via asyncio.to_thread from async code.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Text version of :func:`atomic_write_bytes`, UTF-8. Blocking."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def sha256_file(path: Path) -> str:
    """Hash a file in blocks. Blocking: call via asyncio.to_thread."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def inside(folder: Path, *parts: str, what: str = "name") -> Path:
    """``folder/parts``, refused unless it resolves to a place strictly inside ``folder``.

    Every path built from outside input (catalog ids and file names, pack and export names,
    archive entries) goes through here before anything is written or deleted: ``..``, absolute
    parts, drive letters, backslashes, NUL bytes and a symbolic link that leads out are all
    refused, and so is a path that is ``folder`` itself (an id of ``.`` must not make a
    download's staging folder the models folder).

    Args:
        folder: the folder the result must stay inside (need not exist yet).
        parts: names from outside input, joined in order; each may hold ``/`` separators.
        what: how the message names the input ("model id", "file in the archive", ...).

    Raises:
        InputError: the path would leave ``folder``; the message quotes the input.
    """
    text = "/".join(parts)
    windows = PureWindowsPath(text)
    if (
        not parts
        or any(not p for p in parts)
        or "\x00" in text
        or "\\" in text
        or windows.drive
        or PurePosixPath(text).is_absolute()
        or ".." in PurePosixPath(text).parts
    ):
        raise InputError(f"The {what} {text!r} is not a plain name inside {folder}; refused.")
    try:
        base = folder.resolve()
        target = base.joinpath(*parts).resolve()
    except (OSError, ValueError, RuntimeError) as exc:
        raise InputError(f"The {what} {text!r} cannot be used as a path ({exc}).") from exc
    if target == base or not target.is_relative_to(base):
        raise InputError(f"The {what} {text!r} leads outside {folder}; refused.")
    return folder.joinpath(*parts)
