"""The workflows the facade offers: thin entries into each workflow's service module.

The modules (services/speech.py, transcription*.py, sfx.py, sound*.py, summary.py, music*.py
and narration*.py) are imported when first used.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from audio_studio.core.jobs.runner import Job
    from audio_studio.core.jobs.store import StoredJob
    from audio_studio.core.models import (
        AudioChunk,
        MusicRequest,
        SfxRequest,
        SpeechRequest,
        Transcript,
        TranscriptionRequest,
    )
    from audio_studio.core.providers.base import ProgressFn
    from audio_studio.core.services.music import MusicOutcome, MusicService
    from audio_studio.core.services.music_board import MusicRow, QueueClock
    from audio_studio.core.services.narration import NarrationService
    from audio_studio.core.services.sfx import SfxOutcome
    from audio_studio.core.services.sound import EffectSpec, Variation, VariationFn
    from audio_studio.core.services.sound_pack import PackOptions, PackResult
    from audio_studio.core.services.speech import SpeechOutcome
    from audio_studio.core.services.studio import StudioService
    from audio_studio.core.services.summary import SummaryOutcome
    from audio_studio.core.services.transcript_edits import RecordingTranscripts
    from audio_studio.core.services.transcription import TranscriptionOutcome
    from audio_studio.core.services.transcription_long import ChunkedTranscription
    from audio_studio.core.store.history import HistoryItem

__all__ = ["StudioWorkflows"]


class StudioWorkflows:
    """Mixed into StudioService: each method hands the studio to one workflow module."""

    @property
    def _studio(self) -> StudioService:
        return cast("StudioService", self)

    def music(self) -> MusicService:
        """The music workflow (generate, resume, cancel), created on first use."""
        music: MusicService | None = getattr(self, "_music", None)
        if music is None:
            from audio_studio.core.services.music import MusicService

            music = self._music = MusicService(self._studio)
        return music

    async def generate_music(
        self,
        request: MusicRequest,
        *,
        provider_id: str | None = None,
        job_id: str | None = None,
        progress: ProgressFn | None = None,
        wait: bool = True,
        output: Path | None = None,
    ) -> MusicOutcome:
        """Music into History; async providers' jobs are persisted and survive a restart."""
        return await self.music().generate(
            request,
            provider_id=provider_id,
            job_id=job_id,
            progress=progress,
            wait=wait,
            output=output,
        )

    async def resume_music_job(self, ref: str, progress: ProgressFn | None = None) -> MusicOutcome:
        return await self.music().resume(ref, progress)

    async def resume_music_jobs(self) -> list[Job[MusicOutcome]]:
        """Resume every unfinished async job as a runner job (the window calls it at start)."""
        return await self.music().resume_all()

    async def cancel_music_job(self, ref: str) -> StoredJob:
        """Cancel a music job on the provider (not only the local wait)."""
        return await self.music().cancel(ref)

    async def remote_jobs(self, *, unfinished_only: bool = True) -> list[StoredJob]:
        store = self.music().jobs
        return await asyncio.to_thread(store.unfinished if unfinished_only else store.recent)

    # -- speech, transcription, effects, narration ------------------------------------------

    async def speak(
        self,
        request: SpeechRequest,
        *,
        provider_id: str | None = None,
        progress: ProgressFn | None = None,
        on_chunk: Callable[[AudioChunk], None] | None = None,
    ) -> SpeechOutcome:
        from audio_studio.core.services.speech import speak

        return await speak(
            self._studio, request, provider_id=provider_id, progress=progress, on_chunk=on_chunk
        )

    async def transcribe(
        self,
        request: TranscriptionRequest,
        *,
        provider_id: str | None = None,
        progress: ProgressFn | None = None,
        recording_id: int | None = None,
        run: ChunkedTranscription | None = None,
        concurrency: int | None = None,
    ) -> TranscriptionOutcome:
        """Transcribe into History; long files go in parallel parts (see transcription.py)."""
        from audio_studio.core.services.transcription import transcribe

        return await transcribe(
            self._studio,
            request,
            provider_id=provider_id,
            progress=progress,
            recording_id=recording_id,
            run=run,
            concurrency=concurrency,
        )

    def transcription_run(
        self, request: TranscriptionRequest, *, concurrency: int | None = None
    ) -> ChunkedTranscription:
        """Parts of one transcription that outlive a failure: pass it to ``transcribe`` again
        with another provider to finish only what is missing; ``close()`` it when done."""
        from audio_studio.core.services.transcription_long import ChunkedTranscription

        return ChunkedTranscription(self._studio, request, concurrency=concurrency)

    async def load_transcript(self, item: HistoryItem) -> Transcript:
        from audio_studio.core.services.transcription import load_transcript

        return await load_transcript(item)

    async def save_transcript(self, item: HistoryItem, transcript: Transcript) -> HistoryItem:
        """A corrected transcript as the row's current version (the earlier ones are kept)."""
        from audio_studio.core.services.transcript_edits import save_transcript

        return await save_transcript(self._studio, item, transcript)

    async def recording_transcripts(self, item: HistoryItem) -> RecordingTranscripts:
        """The recording ``item`` belongs to and all its transcripts, newest first."""
        from audio_studio.core.services.transcript_edits import recording_transcripts

        return await recording_transcripts(self._studio, item)

    async def summarise(
        self,
        item: HistoryItem,
        transcript: Transcript,
        *,
        provider_id: str | None = None,
        model: str | None = None,
    ) -> SummaryOutcome:
        """Summary and action items of a transcript, kept as its SUMMARY child in History."""
        from audio_studio.core.services.summary import summarise

        return await summarise(self._studio, item, transcript, provider_id=provider_id, model=model)

    async def generate_sfx(
        self,
        request: SfxRequest,
        *,
        provider_id: str | None = None,
        progress: ProgressFn | None = None,
    ) -> SfxOutcome:
        from audio_studio.core.services.sfx import generate_sfx

        return await generate_sfx(self._studio, request, provider_id=provider_id, progress=progress)

    async def generate_sfx_variations(
        self, spec: EffectSpec, *, on_variation: VariationFn | None = None
    ) -> list[Variation]:
        """1–8 variations in parallel, each reported as it lands (services/sound.py)."""
        from audio_studio.core.services.sound import generate_variations

        return await generate_variations(self._studio, spec, on_variation=on_variation)

    async def export_sound_pack(
        self,
        items: Sequence[HistoryItem],
        options: PackOptions,
        *,
        progress: ProgressFn | None = None,
    ) -> PackResult:
        """Starred effects as a folder or zip plus a JSON sidecar (services/sound_pack.py)."""
        from audio_studio.core.services.sound_pack import export_pack

        return await export_pack(items, options, progress=progress)

    async def music_job_rows(self, clock: QueueClock | None = None) -> list[MusicRow]:
        """The Music job list: recent persisted jobs and this session's music jobs."""
        from audio_studio.core.services.music_board import load_rows

        return await load_rows(self._studio, clock)

    def narration(self) -> NarrationService:
        """The narration workflow (projects, takes, cache, export), created on first use."""
        narration: NarrationService | None = getattr(self, "_narration", None)
        if narration is None:
            from audio_studio.core.services.narration import NarrationService

            narration = self._narration = NarrationService(self._studio)
        return narration
