"""Model downloads: HTTP Range resume, sha256 check, and no partial file left behind on failure.

Each file is fetched into ``models/.downloads/<id>/<name>.part``. A dropped connection is
resumed with a Range request (a few attempts); a cancelled download keeps its ``.part`` so the
next download of the same model resumes it. A failure that retrying cannot fix (a bad checksum,
an HTTP error, attempts used up) removes the partial files. Finished files move into place
together, with a small manifest that records where they came from and their licence.

Runs on the event loop; file writes and hashing go through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

from audio_studio.core.errors import InputError, InvalidRequestError, NetworkError, StorageError
from audio_studio.core.fileio import inside
from audio_studio.core.models import Capability
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.providers.http_urls import is_loopback
from audio_studio.core.providers.local.catalog import CatalogFile, CatalogModel
from audio_studio.core.providers.local.hibari_voices import ENGINE as HIBARI
from audio_studio.core.providers.local.hibari_voices import FOLDER as HIBARI_FOLDER

if TYPE_CHECKING:
    import httpx

__all__ = ["MANIFEST", "STAGING", "download_model", "install_dir"]

log = logging.getLogger(__name__)

STAGING = ".downloads"
MANIFEST = ".audio-studio.json"
_FLUSH = 1 << 20
_ATTEMPTS = 4
RETRY_DELAY_S = 0.5  # doubled after each failed attempt, at most 4 s


def install_dir(models_dir: Path, model: CatalogModel) -> Path:
    """Where a catalog model's files go: Piper voices side by side, Whisper models a folder each."""
    if model.engine == HIBARI:
        return models_dir / HIBARI_FOLDER  # where hibari_voices looks for them
    if model.kind is Capability.SPEECH:
        return models_dir / "piper"
    return inside(models_dir / "whisper", model.id, what="model id")


class _Part:
    """A ``.part`` file open for appending, with the sha256 of everything in it. Blocking."""

    def __init__(self, path: Path, keep: bool) -> None:
        self.path = path
        self.digest = hashlib.sha256()
        path.parent.mkdir(parents=True, exist_ok=True)
        if keep and path.exists():
            with path.open("rb") as fh:
                while block := fh.read(_FLUSH):
                    self.digest.update(block)
            self.fh: BinaryIO = path.open("ab")
        else:
            self.fh = path.open("wb")
        self.size = self.fh.tell()

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.digest.update(data)
        self.size += len(data)

    def close(self) -> None:
        self.fh.close()


async def _fetch(
    client: httpx.AsyncClient,
    f: CatalogFile,
    part_path: Path,
    on_bytes: Callable[[int, int | None], None],
) -> str:
    """Download one file into ``part_path``, resuming it; returns its sha256 (hex)."""
    import httpx

    for attempt in range(1, _ATTEMPTS + 1):
        part = await asyncio.to_thread(_Part, part_path, True)
        try:
            headers = {"Range": f"bytes={part.size}-"} if part.size else {}
            async with client.stream("GET", f.url, headers=headers) as response:
                if _plain_http(str(response.url)):
                    raise InvalidRequestError(
                        f"The download of {f.name} was redirected to plain http:// on another "
                        f"computer ({response.url.host}); it was refused. Use another mirror.",
                        provider="local",
                    )
                if response.status_code == 416 and part.size:
                    return part.digest.hexdigest()  # it was already complete
                if response.status_code >= 400:
                    raise InvalidRequestError(
                        f"The server answered HTTP {response.status_code} for {f.url}. "
                        "The catalog entry may be out of date.",
                        status=response.status_code,
                        provider="local",
                    )
                if part.size and response.status_code != 206:
                    # The server ignored the Range header: start this file again.
                    await asyncio.to_thread(part.close)
                    part = await asyncio.to_thread(_Part, part_path, False)
                length = response.headers.get("content-length")
                total = part.size + int(length) if length else f.size_bytes
                buffer = bytearray()
                on_bytes(part.size, total)
                try:
                    async for chunk in response.aiter_bytes():
                        buffer += chunk
                        if len(buffer) >= _FLUSH:
                            await asyncio.to_thread(part.write, bytes(buffer))
                            buffer.clear()
                            on_bytes(part.size, total)
                finally:
                    # Keep what arrived, also on cancel or a dropped connection: the next
                    # request (or the next download) resumes after it.
                    if buffer:
                        await asyncio.to_thread(part.write, bytes(buffer))
                on_bytes(part.size, total)
                if length and part.size != total:
                    raise httpx.RemoteProtocolError("the body ended early")
                return part.digest.hexdigest()
        except httpx.TransportError as exc:
            if attempt == _ATTEMPTS:
                raise NetworkError(
                    f"The download of {f.name} kept failing ({exc.__class__.__name__}: {exc}). "
                    "Check your connection and try again.",
                    provider="local",
                ) from exc
            log.info("download of %s interrupted (%s); resuming", f.name, exc)
            await asyncio.sleep(min(4.0, RETRY_DELAY_S * 2 ** (attempt - 1)))
        finally:
            await asyncio.to_thread(part.close)
    raise AssertionError("unreachable")  # pragma: no cover


async def download_model(
    client: httpx.AsyncClient,
    model: CatalogModel,
    models_dir: Path,
    progress: ProgressFn | None = None,
) -> Path:
    """Download, verify and install every file of ``model``; returns the install folder.

    Raises:
        InputError: the model's id or a file name would lead outside the models folder, a file
            has no pinned sha256, or a URL is plain http:// to another computer.
        NetworkError: the connection kept failing, or a file's checksum did not match.
        InvalidRequestError: the server refused a file (404 and the like).
        StorageError: the models folder cannot be written.
        asyncio.CancelledError: cancelled; what was fetched is kept for the next try.
    """
    # Checked before anything is written: a failure below deletes ``staging``.
    staging = inside(models_dir / STAGING, model.id, what="model id")
    target = install_dir(models_dir, model)
    for f in model.files:
        inside(staging, f"{f.name}.part", what="file name")
        inside(target, f.name, what="file name")
    _check_sources(model)
    total = model.size_bytes or None
    done_before = 0
    await asyncio.to_thread(_check_space, models_dir, staging, model)

    def report(done: int, file_total: int | None) -> None:
        if progress is None:
            return
        so_far = done_before + done
        whole = total if total and total >= so_far else (file_total or None)
        share = min(1.0, so_far / whole) if whole else None
        mb = f"{so_far / 1e6:.1f}" + (f" of {whole / 1e6:.1f}" if whole else "")
        progress(share, f"Downloading {model.id}: {mb} MB")

    finished = False
    try:
        for f in model.files:
            part_path = inside(staging, f"{f.name}.part", what="file name")
            sha = await _fetch(client, f, part_path, report)
            if f.sha256 and sha != f.sha256.lower():
                raise NetworkError(
                    f"The download of {f.name} was damaged: its checksum does not match the "
                    "catalog's. It was removed; try again, and if it keeps failing the catalog "
                    "entry may be out of date.",
                    provider="local",
                )
            done_before += (await asyncio.to_thread(part_path.stat)).st_size
        target = await asyncio.to_thread(_install, model, staging, models_dir)
        finished = True
        return target
    except asyncio.CancelledError:
        finished = True  # keep the .part files: the next download resumes them
        raise
    except OSError as exc:
        raise StorageError(
            f"Could not write the model to {models_dir} ({exc.strerror or exc}). "
            "Check free disk space and the folder's permissions."
        ) from exc
    finally:
        if not finished:
            await asyncio.to_thread(shutil.rmtree, staging, True)


def _plain_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme != "https" and not (
        parts.scheme == "http" and is_loopback(parts.hostname or "")
    )


def _check_sources(model: CatalogModel) -> None:
    """Refuse a model whose files are not pinned (sha256) or come over plain http from
    another computer (a mirror included): what arrives could not be trusted."""
    unpinned = [f.name for f in model.files if not f.sha256]
    if unpinned:
        raise InputError(
            f"{model.id} has no pinned checksum for {', '.join(unpinned)} in this catalog, so it "
            "is not downloaded (a file that changed on the server could not be told from the "
            "right one). Add it to catalog.json in the models folder with a sha256 for every "
            "file (and a URL at a fixed revision), or choose a pinned model."
        )
    insecure = [f.url for f in model.files if _plain_http(f.url)]
    if insecure:
        raise InputError(
            f"{model.id} would be downloaded over plain http:// from another computer "
            f"({insecure[0]}). Use an https:// address (or a mirror on this computer) in "
            f"catalog.json or AUDIO_STUDIO_MODEL_MIRROR."
        )


def _check_space(models_dir: Path, staging: Path, model: CatalogModel) -> None:
    """Refuse early when the model cannot fit. Blocking."""
    have = sum(p.stat().st_size for p in staging.glob("*.part")) if staging.is_dir() else 0
    needed = model.size_bytes - have
    existing = next(p for p in (models_dir, *models_dir.parents) if p.exists())
    free = shutil.disk_usage(existing).free
    if needed > free:
        raise StorageError(
            f"{model.id} needs about {needed / 1e6:,.0f} MB but only {free / 1e6:,.0f} MB are "
            f"free in {existing}. Free some space and try again."
        )


def _install(model: CatalogModel, staging: Path, models_dir: Path) -> Path:
    """Move the verified files into place and write the manifest. Blocking."""
    target = install_dir(models_dir, model)
    target.mkdir(parents=True, exist_ok=True)
    for f in model.files:
        inside(staging, f"{f.name}.part").replace(inside(target, f.name))
    manifest = {
        "id": model.id,
        "kind": model.kind.value,
        "title": model.title,
        "licence": model.licence,
        "installed_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "files": [{"name": f.name, "url": f.url, "sha256": f.sha256} for f in model.files],
    }
    name = f"{model.id}{MANIFEST}" if model.kind is Capability.SPEECH else MANIFEST
    (target / name).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    with contextlib.suppress(OSError):
        staging.rmdir()
        staging.parent.rmdir()
    return target
