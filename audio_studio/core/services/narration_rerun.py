"""History's "re-run" for narration rows: a new take of a sentence, or the narration made again.

A TAKE row is made again in its own project with the voice it was made with (which may no
longer be the project's), so the new take joins that sentence's takes. A NARRATION row makes
whatever its project still needs (the cache keeps unchanged sentences free); an export row then
exports again with its format and loudness target, beside the first file, never over it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from audio_studio.core.errors import InputError
from audio_studio.core.models import AudioFormat, frozen_mapping
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.store.history import HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.services.narration import NarrationService
    from audio_studio.core.services.narration_project import NarrationProject
    from audio_studio.core.services.studio import StudioService

__all__ = ["rerun_narration", "rerun_take"]


async def rerun_take(
    studio: StudioService, item: HistoryItem, progress: ProgressFn | None = None
) -> HistoryItem:
    """A new take of the sentence ``item`` was made of, with ``item``'s provider and voice.

    Raises:
        InputError: the sentence is gone from its narration, or it is locked.
        StorageError: the narration project cannot be read.
    """
    narration = studio.narration()
    project = await _project(narration, item.params.get("project_id"))
    chunk = project.find(str(item.params.get("chunk_id") or ""))
    if chunk is None:
        raise InputError(
            "That sentence is no longer in its narration (the script was edited). Open the "
            "narration in its tab to make a new take of the sentence as it is now."
        )
    p = item.params
    own = project.settings
    # The take's own voice for this one call; the project keeps its settings afterwards.
    project.settings = dataclasses.replace(
        own,
        provider=item.provider or own.provider,
        model=item.model,
        voice=item.voice,
        voice_name=p.get("voice_name"),
        cloned_voice=bool(p.get("cloned_voice", False)),
        speed=float(p.get("speed", own.speed)),
        instructions=p.get("instructions"),
        voice_settings=frozen_mapping(dict(p.get("settings") or {})),
    )
    try:
        await narration.regenerate(project, chunk, progress=progress)
    finally:
        project.settings = own
        await narration.save(project)
    take = chunk.take
    if take is None or take.item_id is None or take.item_id == item.id:
        raise InputError(
            f"No new take was made: {chunk.error or 'the provider returned nothing'}. "
            "Try again, or open the narration in its tab."
        )
    return await _item(studio, take.item_id)


async def rerun_narration(
    studio: StudioService, item: HistoryItem, progress: ProgressFn | None = None
) -> HistoryItem:
    """Make what the narration still needs; for an export row, export it again as well."""
    narration = studio.narration()
    project = await _project(narration, item.params.get("project"))
    report = await narration.generate(project, progress=progress)
    if report.failed:
        raise InputError(
            f"{report.failed} sentence(s) could not be made; open the narration in its tab to "
            "see why and retry them."
        )
    if "export" not in item.tags:
        assert project.item_id is not None
        return await _item(studio, project.item_id)
    fmt = AudioFormat(str(item.params.get("format") or project.settings.export_format.value))
    first = item.file("export") or item.file("audio")
    folder = first.path.parent if first is not None else studio.paths.data_dir
    stem = first.path.stem if first is not None else "narration"
    target = await asyncio.to_thread(_beside, folder, stem, fmt.extension)
    outcome = await narration.export(
        project,
        target,
        fmt=fmt,
        loudness_lufs=item.params.get("loudness_target_lufs"),
        progress=progress,
    )
    return outcome.item


async def _project(narration: NarrationService, project_id: object) -> NarrationProject:
    if not project_id:
        raise InputError("This row does not name its narration project, so it cannot be re-run.")
    return await narration.load(str(project_id))


async def _item(studio: StudioService, item_id: int) -> HistoryItem:
    found = await asyncio.to_thread(studio.history.get, item_id)
    assert found is not None
    return found


def _beside(folder: Path, stem: str, extension: str) -> Path:
    """``stem-2.ext``, ``stem-3.ext``… the first name not taken in ``folder``."""
    n = 2
    while (path := folder / f"{stem}-{n}.{extension.lstrip('.')}").exists():
        n += 1
    return path
