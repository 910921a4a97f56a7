"""Pack export: chosen effects into a folder or a zip of audio files plus a JSON sidecar.

Files are named from a template (``{prompt}_{n}``; also ``{preset}``, ``{seed}``, ``{date}``,
``{provider}``, ``{id}``) made safe for every file system, and normalised to a loudness target
by one linear gain. The sidecar (``pack.json``) keeps each file's parameters and provenance;
for the offline engine it also keeps the recipe and the gain, and ``regenerate`` rebuilds the
exported samples from it exactly. The pack is assembled in a hidden folder beside the
destination and moved into place at the end, so a failure or a cancel leaves nothing half-made,
and existing files are never overwritten.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import string
import tempfile
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audio_studio import __version__
from audio_studio.core.audio import codec
from audio_studio.core.audio.gain import DEFAULT_CEILING_DBFS, GainPlan, apply_gain, normalize
from audio_studio.core.errors import InputError, StorageError
from audio_studio.core.fileio import inside
from audio_studio.core.models import AudioFormat
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.store.history import HistoryItem, now_iso

__all__ = [
    "DEFAULT_TEMPLATE",
    "PACK_FORMATS",
    "SIDECAR_NAME",
    "TEMPLATE_FIELDS",
    "PackOptions",
    "PackResult",
    "export_pack",
    "file_names",
    "regenerate",
    "safe_name",
]

DEFAULT_TEMPLATE = "{prompt}_{n}"
TEMPLATE_FIELDS = ("prompt", "n", "preset", "seed", "date", "provider", "id")
SIDECAR_NAME = "pack.json"
PACK_FORMATS = (AudioFormat.WAV, AudioFormat.FLAC, AudioFormat.MP3, AudioFormat.OGG)
_MAX_NAME_BYTES = 120  # well under every file system's 255, leaving room for "-2.flac"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class PackOptions:
    """Where and how to export.

    Args:
        destination: a folder (made if missing) or a file ending in ``.zip``.
        template: the file-name template.
        format: the audio format of every file in the pack.
        target_lufs: the loudness target; None exports the audio unchanged.
        overwrite: replace an existing zip (the file dialog asked the user already).
    """

    destination: Path
    template: str = DEFAULT_TEMPLATE
    format: AudioFormat = AudioFormat.WAV
    target_lufs: float | None = -16.0
    ceiling_dbfs: float = DEFAULT_CEILING_DBFS
    overwrite: bool = False

    @property
    def as_zip(self) -> bool:
        return self.destination.suffix.lower() == ".zip"


@dataclass(frozen=True)
class PackResult:
    path: Path  # the folder or the zip
    names: tuple[str, ...]  # the audio files, in the order of the items
    sidecar: Mapping[str, Any]


# -- names ---------------------------------------------------------------------------------


def safe_name(text: str, fallback: str = "sound") -> str:
    """A file-name stem that is valid on Linux, macOS and Windows and keeps the user's words."""
    text = unicodedata.normalize("NFC", text)
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\s+", "_", text.strip())
    text = re.sub(r"_{2,}", "_", text).strip("._- ")
    while len(text.encode("utf-8")) > _MAX_NAME_BYTES:
        text = text[:-1]
    text = text.rstrip("._- ")
    if not text:
        return fallback
    return f"_{text}" if _RESERVED.match(text) else text


def _check_template(template: str) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise InputError(f"The name template {template!r} is not valid ({exc}).") from exc
    unknown = sorted({f for f in fields if f not in TEMPLATE_FIELDS})
    if unknown or not template.strip():
        names = ", ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS)
        bad = ", ".join(f"{{{f}}}" for f in unknown) if unknown else "nothing"
        raise InputError(f"The name template uses {bad}; it can use {names}.")


def _values(item: HistoryItem, n: int, date: str) -> dict[str, Any]:
    p = item.params
    # Only the offline engine takes a seed; rows from before cloud seeds were dropped may
    # still hold an invented one, which must not name a file.
    seed = p.get("seed") if p.get("engine") == "sfxr" else None
    return {
        "prompt": " ".join((item.prompt or item.title).split()[:8]),
        "n": n,
        "preset": p.get("preset") or "",
        "seed": seed if seed is not None else "",
        "date": date,
        "provider": item.provider or "",
        "id": item.id,
    }


def file_names(
    items: Sequence[HistoryItem],
    template: str,
    extension: str,
    *,
    date: str | None = None,
    taken: Sequence[str] = (),
) -> list[str]:
    """One safe, unique file name per item (``taken``: names already in the destination).

    Raises:
        InputError: the template uses an unknown field or is malformed.
    """
    _check_template(template)
    date = date or datetime.now().strftime("%Y-%m-%d")
    used = {t.lower() for t in taken} | {SIDECAR_NAME}
    names: list[str] = []
    for n, item in enumerate(items, 1):
        try:
            stem = safe_name(template.format(**_values(item, n, date)))
        except (ValueError, TypeError) as exc:  # e.g. {n:>x} on a number
            raise InputError(f"The name template {template!r} cannot be filled ({exc}).") from exc
        name, k = f"{stem}.{extension}", 2
        while name.lower() in used:
            name, k = f"{stem}-{k}.{extension}", k + 1
        used.add(name.lower())
        names.append(name)
    return names


# -- audio ---------------------------------------------------------------------------------


def _recipe(item: HistoryItem) -> dict[str, Any] | None:
    p = item.params
    if p.get("engine") != "sfxr" or not isinstance(p.get("sfxr"), Mapping):
        return None
    return {k: p[k] for k in ("engine", "version", "seed", "preset", "sfxr") if k in p}


def _render_recipe(recipe: Mapping[str, Any]) -> codec.AudioData:
    """The offline engine's History file for ``recipe``, decoded (rendered, 16-bit WAV)."""
    from audio_studio.core.providers.local.sfxr import SfxParams, render

    params = SfxParams.from_mapping(recipe["sfxr"])
    samples = render(params, int(recipe["seed"]))
    wav = codec.encode(codec.AudioData(samples.reshape(-1, 1), params.sample_rate), AudioFormat.WAV)
    return codec.decode(wav)


def regenerate(entry: Mapping[str, Any]) -> codec.AudioData:
    """The samples of one exported file, rebuilt from its sidecar entry (offline effects only):
    the recipe rendered as the engine does, times the recorded gain, in the pack's format.

    Blocking. Raises:
        InputError: the entry has no offline-engine recipe.
    """
    recipe = entry.get("regenerate")
    if not isinstance(recipe, Mapping):
        raise InputError("Only effects made by the offline engine can be rebuilt from a sidecar.")
    export = entry.get("export") or {}
    audio = apply_gain(_render_recipe(recipe), float(export.get("gain_db") or 0.0))
    # Through the pack's encoder and back: the samples a player reads from the exported file.
    fmt = AudioFormat(str(export.get("format") or AudioFormat.WAV.value))
    return codec.decode(codec.encode(audio, fmt))


def _export_one(item: HistoryItem, name: str, options: PackOptions, folder: Path) -> dict[str, Any]:
    """Write one file of the pack into ``folder`` and return its sidecar entry. Blocking."""
    record = item.file("audio")
    if record is None or not record.path.exists():
        raise InputError(f"“{item.title}” (History #{item.id}) has no audio file to export.")
    plan: GainPlan | None = None
    same = record.format == options.format.value
    if options.target_lufs is None and same:
        shutil.copyfile(record.path, inside(folder, name, what="file name"))
    else:
        audio = codec.decode(record.path)
        if options.target_lufs is not None:
            audio, plan = normalize(audio, options.target_lufs, options.ceiling_dbfs)
        codec.write(audio, inside(folder, name, what="file name"), options.format)
    entry: dict[str, Any] = {
        "file": name,
        "history_id": item.id,
        "kind": item.kind.value,
        "title": item.title,
        "prompt": item.prompt,
        "provider": item.provider,
        "model": item.model,
        "created_at": item.created_at,
        "params": dict(item.params),
        "source": {
            "sha256": record.sha256,
            "format": record.format,
            "duration_s": record.duration_s or item.duration_s,
        },
        "export": _export_facts(options, plan),
    }
    recipe = _recipe(item)
    if recipe is not None:
        entry["regenerate"] = recipe
    return entry


def _export_facts(options: PackOptions, plan: GainPlan | None) -> dict[str, Any]:
    facts: dict[str, Any] = {"format": options.format.value, "gain_db": 0.0}
    if plan is not None:
        facts.update(
            gain_db=plan.gain_db,
            mode=plan.mode,
            limited=plan.limited,
            lufs_before=_num(plan.before_lufs),
            lufs_after=_num(plan.after_lufs),
            peak_dbfs_before=_num(plan.before_peak_dbfs),
            peak_dbfs_after=_num(plan.after_peak_dbfs),
            note=plan.describe(),
        )
    return facts


def _num(value: float | None) -> float | None:
    return None if value is None or value in (float("inf"), float("-inf")) else round(value, 3)


# -- the pack --------------------------------------------------------------------------------


def _taken(options: PackOptions) -> list[str]:
    dest = options.destination
    if options.as_zip:
        if dest.exists() and not options.overwrite:
            raise InputError(f"{dest} exists already; choose another name.")
        return []
    if dest.exists() and not dest.is_dir():
        raise InputError(f"{dest} is a file, not a folder; choose a folder or a .zip name.")
    return [p.name for p in dest.iterdir()] if dest.is_dir() else []


def _publish(staging: Path, options: PackOptions, sidecar_name: str) -> Path:
    """Move the finished pack into place (zip: one rename; folder: file by file). Blocking."""
    dest = options.destination
    if options.as_zip:
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp, "w") as archive:
                for path in sorted(staging.iterdir()):
                    # Audio is compressed already; only the sidecar gains from deflate.
                    method = zipfile.ZIP_DEFLATED if path.name == sidecar_name else None
                    archive.write(path, path.name, compress_type=method or zipfile.ZIP_STORED)
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return dest
    if not dest.exists():
        os.replace(staging, dest)
        return dest
    for path in staging.iterdir():
        target = inside(dest, path.name, what="file name")
        if target.exists():  # appeared meanwhile: never overwrite what the user has
            raise StorageError(f"{target} appeared while exporting; nothing was overwritten.")
        os.replace(path, target)
    return dest


async def export_pack(
    items: Sequence[HistoryItem], options: PackOptions, *, progress: ProgressFn | None = None
) -> PackResult:
    """Export ``items`` as a pack; returns where it went and the sidecar.

    Raises:
        InputError: nothing to export, a bad template, a missing file, an existing zip.
        StorageError: the destination cannot be written (full disk, permissions).
    """
    if not items:
        raise InputError("Star the effects to export first (S, or the ☆ on a tile).")
    if options.format not in PACK_FORMATS:
        raise InputError(f"Packs are written as {', '.join(f.value for f in PACK_FORMATS)}.")
    dest = options.destination
    taken = await asyncio.to_thread(_taken, options)
    names = file_names(items, options.template, options.format.extension, taken=taken)
    sidecar_name = SIDECAR_NAME
    k = 2
    while sidecar_name.lower() in {t.lower() for t in taken}:
        sidecar_name, k = f"pack-{k}.json", k + 1
    try:
        await asyncio.to_thread(dest.parent.mkdir, parents=True, exist_ok=True)
        staging = Path(await asyncio.to_thread(tempfile.mkdtemp, dir=dest.parent, prefix=".pack-"))
    except OSError as exc:
        raise StorageError(f"Cannot write to {dest.parent} ({exc.strerror or exc}).") from exc
    try:
        entries = []
        for i, (item, name) in enumerate(zip(items, names, strict=True)):
            if progress:
                progress(i / len(items), f"Exporting {name}")
            entries.append(await asyncio.to_thread(_export_one, item, name, options, staging))
        sidecar = _sidecar(options, entries)
        text = json.dumps(sidecar, indent=2, ensure_ascii=False, default=str) + "\n"
        await asyncio.to_thread((staging / sidecar_name).write_text, text, "utf-8")
        path = await asyncio.to_thread(_publish, staging, options, sidecar_name)
    except OSError as exc:
        raise StorageError(
            f"Could not export the pack to {dest} ({exc.strerror or exc}). Check the free "
            "space and the folder's permissions."
        ) from exc
    finally:
        await asyncio.to_thread(shutil.rmtree, staging, True)
    if progress:
        progress(1.0, f"Exported {len(names)} file(s)")
    return PackResult(path, tuple(names), sidecar)


def _sidecar(options: PackOptions, entries: list[dict[str, Any]]) -> dict[str, Any]:
    target = options.target_lufs
    return {
        "pack": "audio-studio",
        "version": 1,
        "created_at": now_iso(),
        "created_utc_date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "studio_version": __version__,
        "template": options.template,
        "format": options.format.value,
        "loudness": None
        if target is None
        else {"target_lufs": target, "ceiling_dbfs": options.ceiling_dbfs, "method": "gain"},
        "files": entries,
    }
