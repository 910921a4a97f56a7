"""Make a History item again with its own parameters, through the feature that made it.

Each kind has its own way back: the request is rebuilt from the item's stored provenance and
sent through the same workflow, so it is billed, budgeted and recorded like the first run. A
TAKE row is made again in its own project with the voice it was made with (which may no longer
be the project's), so the new take joins that sentence's takes; a NARRATION row makes whatever
its project still needs, and an export row then exports again beside the first file.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    AudioFormat,
    HistoryKind,
    MusicRequest,
    SfxRequest,
    SpeechRequest,
    TranscriptionRequest,
    frozen_mapping,
)
from audio_studio.core.narration import NarrationProject, NarrationService
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.sound import MusicService, SoundService
from audio_studio.core.store.history import HistoryItem
from audio_studio.core.transcription import TranscriptionService
from audio_studio.core.transcription.links import is_link, link_name

__all__ = ["Remaker"]

Rerunner = Callable[[HistoryItem, ProgressFn | None], Awaitable[HistoryItem]]


class Remaker:
    """Makes items again; one method per kind of History item."""

    def __init__(
        self,
        ctx: StudioContext,
        *,
        narration: NarrationService,
        transcription: TranscriptionService,
        sound: SoundService,
        music: MusicService,
    ) -> None:
        self.ctx = ctx
        self.narration = narration
        self.transcription = transcription
        self.sound = sound
        self.music = music
        self._by_kind: dict[HistoryKind, Rerunner] = {
            HistoryKind.SPEECH: self._speech,
            HistoryKind.TAKE: self._take,
            HistoryKind.NARRATION: self._narration,
            HistoryKind.SFX: self._sfx,
            HistoryKind.TRANSCRIPT: self._transcript,
            HistoryKind.MUSIC: self._music,
        }

    def can_remake(self, item: HistoryItem) -> bool:
        return item.kind in self._by_kind

    async def remake(self, item: HistoryItem, progress: ProgressFn | None = None) -> HistoryItem:
        """Make ``item`` again with exactly its parameters; returns the new History item.

        Raises:
            InputError: this kind of item cannot be made again (a recording, a cloned voice).
            StudioError: whatever the workflow raises (budget, provider, storage).
        """
        rerunner = self._by_kind.get(item.kind)
        if rerunner is None:
            raise InputError(
                f"A {item.kind.value} cannot be made again; there is nothing to re-run."
            )
        return await rerunner(item, progress)

    async def _speech(self, item: HistoryItem, progress: ProgressFn | None) -> HistoryItem:
        p = item.params
        request = SpeechRequest(
            text=item.input_text,
            voice=item.voice,
            model=item.model,
            speed=float(p.get("speed", 1.0)),
            format=_fmt(p, AudioFormat.WAV),
            instructions=p.get("instructions"),
            settings=dict(p.get("settings") or {}),
        )
        outcome = await self.narration.speak(request, provider_id=item.provider, progress=progress)
        return outcome.item

    async def _sfx(self, item: HistoryItem, progress: ProgressFn | None) -> HistoryItem:
        p = item.params
        if p.get("engine") == "sfxr":
            # The procedural engine is fully determined by its parameters and seed: same bytes.
            request = SfxRequest(
                params=dict(p),
                seed=int(p["seed"]),
                preset=p.get("preset"),
                format=_fmt(p, AudioFormat.WAV),
            )
        else:
            request = SfxRequest(
                prompt=item.prompt,
                duration_s=p.get("duration_requested_s"),
                prompt_influence=p.get("prompt_influence"),
                loop=bool(p.get("loop", False)),
                model=item.model,
                format=_fmt(p, AudioFormat.MP3),
            )
        outcome = await self.sound.generate(
            request, provider_id=item.provider, progress=progress, parent_id=item.parent_id
        )
        return outcome.item

    async def _transcript(self, item: HistoryItem, progress: ProgressFn | None) -> HistoryItem:
        p = item.params
        source: Path | None = None
        if item.parent_id is not None:
            recording = await asyncio.to_thread(self.ctx.history.get, item.parent_id)
            audio = recording.file("audio") if recording else None
            source = audio.path if audio else None
        link = str(p.get("source") or "")
        if source is None and link and not is_link(link):
            source = Path(link)
        if source is None and not is_link(link):
            raise InputError("This transcript no longer has its audio, so it cannot be made again.")
        request = TranscriptionRequest(
            audio=source or Path(link_name(link)),
            model=item.model,
            language=p.get("language_requested"),
            prompt=p.get("prompt"),
            word_timestamps=bool(p.get("word_timestamps", True)),
            diarize=bool(p.get("diarize", False)),
            num_speakers=p.get("num_speakers"),
            vad=bool(p.get("vad", False)),
            translate=bool(p.get("translate", False)),
            settings=dict(p.get("settings") or {}),
        )
        if source is None:  # a provider fetched it from its address: ask again with the address
            outcome = await self.transcription.transcribe_link(
                link, request, provider_id=item.provider, progress=progress
            )
            return outcome.item
        outcome = await self.transcription.transcribe(
            request, provider_id=item.provider, progress=progress, recording_id=item.parent_id
        )
        return outcome.item

    async def _music(self, item: HistoryItem, progress: ProgressFn | None) -> HistoryItem:
        p = item.params
        request = MusicRequest(
            prompt=item.prompt,
            duration_s=p.get("duration_s"),
            lyrics=p.get("lyrics"),
            instrumental=bool(p.get("instrumental", False)),
            model=item.model,
            seed=p.get("seed"),
            format=_fmt(p, AudioFormat.MP3),
        )
        outcome = await self.music.generate(request, provider_id=item.provider, progress=progress)
        return await self._item(outcome.item_id)

    async def _take(self, item: HistoryItem, progress: ProgressFn | None) -> HistoryItem:
        """A new take of the sentence ``item`` was made of, with ``item``'s provider and voice.

        Raises:
            InputError: the sentence is gone from its narration, or it is locked.
            StorageError: the narration project cannot be read.
        """
        narration = self.narration
        project = await self._project(item.params.get("project_id"))
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
        return await self._item(take.item_id)

    async def _narration(self, item: HistoryItem, progress: ProgressFn | None) -> HistoryItem:
        """Make what the narration still needs; for an export row, export it again as well."""
        narration = self.narration
        project = await self._project(item.params.get("project"))
        report = await narration.generate(project, progress=progress)
        if report.failed:
            raise InputError(
                f"{report.failed} sentence(s) could not be made; open the narration in its tab "
                "to see why and retry them."
            )
        if "export" not in item.tags:
            assert project.item_id is not None
            return await self._item(project.item_id)
        fmt = AudioFormat(str(item.params.get("format") or project.settings.export_format.value))
        first = item.file("export") or item.file("audio")
        folder = first.path.parent if first is not None else self.ctx.paths.data_dir
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

    async def _project(self, project_id: object) -> NarrationProject:
        if not project_id:
            raise InputError(
                "This row does not name its narration project, so it cannot be re-run."
            )
        return await self.narration.load(str(project_id))

    async def _item(self, item_id: int) -> HistoryItem:
        found = await asyncio.to_thread(self.ctx.history.get, item_id)
        assert found is not None
        return found


def _fmt(params: Any, default: AudioFormat) -> AudioFormat:
    try:
        return AudioFormat(str(params.get("format") or default.value))
    except ValueError:
        return default


def _beside(folder: Path, stem: str, extension: str) -> Path:
    """``stem-2.ext``, ``stem-3.ext``… the first name not taken in ``folder``."""
    n = 2
    while (path := folder / f"{stem}-{n}.{extension.lstrip('.')}").exists():
        n += 1
    return path
