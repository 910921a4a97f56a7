"""Audio files as multipart upload parts: size checked before sending, read off the loop thread."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from audio_studio.core.errors import InputError

__all__ = ["UploadPart", "upload_part"]

_MIME_BY_EXT = {
    ".mp3": "audio/mpeg", ".mpga": "audio/mpeg", ".mpeg": "audio/mpeg", ".wav": "audio/wav",
    ".flac": "audio/flac", ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg",
    ".m4a": "audio/mp4", ".mp4": "audio/mp4", ".aac": "audio/aac", ".webm": "audio/webm",
}  # fmt: skip
# Smaller files are read whole (one quick thread hop); bigger ones are streamed from disk.
_IN_MEMORY = 64 * 1024 * 1024


@dataclass
class UploadPart:
    """One file to upload: bytes, or an open file for big ones (close with ``aclose``)."""

    filename: str
    content: bytes | IO[bytes]
    mime: str
    size: int

    def as_httpx(self) -> tuple[str, Any, str]:
        return self.filename, self.content, self.mime

    async def aclose(self) -> None:
        if not isinstance(self.content, bytes):
            await asyncio.to_thread(self.content.close)


def _stat(path: Path) -> int:
    return path.stat().st_size


async def upload_part(path: Path, max_bytes: int | None, name: str) -> UploadPart:
    """Prepare ``path`` for upload to ``name``, refusing it before sending if it is too big.

    Raises:
        InputError: the file is missing, empty, unreadable or over the provider's limit.
    """
    try:
        size = await asyncio.to_thread(_stat, path)
    except FileNotFoundError:
        raise InputError(f"The file {path} does not exist.") from None
    except OSError as exc:
        raise InputError(f"The file {path} cannot be read ({exc.strerror or exc}).") from exc
    if size == 0:
        raise InputError(f"The file {path.name} is empty.")
    if max_bytes and size > max_bytes:
        raise InputError(
            f"{path.name} is {size / 1_000_000:.1f} MB; {name} accepts at most "
            f"{max_bytes / 1_000_000:.0f} MB per upload. Compress it (for example to 16 kHz "
            "mono MP3 or Opus) or split it into shorter parts.",
        )
    mime = _MIME_BY_EXT.get(path.suffix.lower(), "application/octet-stream")
    try:
        if size <= _IN_MEMORY:
            content: bytes | IO[bytes] = await asyncio.to_thread(path.read_bytes)
        else:
            content = await asyncio.to_thread(path.open, "rb")
    except OSError as exc:
        raise InputError(f"The file {path} cannot be read ({exc.strerror or exc}).") from exc
    return UploadPart(path.name, content, mime, size)
