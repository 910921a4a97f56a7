"""TranscriptionService: what the Transcription tab and the CLI call, over the modules beside it.

transcribe.py turns one file into a transcript in History (long.py and parts.py send long files
in parts), links.py does the same for a web address, edits.py keeps corrections as versions
(segment_edits.py makes them), summary.py and translate.py ask a chat model for a summary or a
translation; exports.py writes every format (captions.py shapes subtitles, documents.py builds
documents) and watch.py serves watch folders.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from audio_studio.core.models import Capability, SummaryResult, Transcript, TranscriptionRequest
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.store.history import HistoryItem
from audio_studio.core.transcription import (
    edits,
    links,
    live,
    naming,
    summary,
    translate,
    voices,
)
from audio_studio.core.transcription.edits import RecordingTranscripts
from audio_studio.core.transcription.long import ChunkedTranscription
from audio_studio.core.transcription.summary import SummaryOutcome
from audio_studio.core.transcription.transcribe import (
    TranscriptionOutcome,
    load_transcript,
    recording_for,
    transcribe,
)

if TYPE_CHECKING:
    from pathlib import Path

    from audio_studio.core.context import StudioContext

__all__ = ["TranscriptionService"]


class TranscriptionService:
    """Transcribe into History, correct, compare and summarise transcripts."""

    def __init__(self, ctx: StudioContext) -> None:
        self.ctx = ctx

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
        """Transcribe into History; long files go in parallel parts (see transcribe.py)."""
        return await transcribe(
            self.ctx,
            request,
            provider_id=provider_id,
            progress=progress,
            recording_id=recording_id,
            run=run,
            concurrency=concurrency,
        )

    async def transcribe_link(
        self,
        url: str,
        request: TranscriptionRequest,
        *,
        provider_id: str | None = None,
        progress: ProgressFn | None = None,
        concurrency: int | None = None,
    ) -> TranscriptionOutcome:
        """Transcribe the audio at a web address: passed on to a provider that fetches it,
        else downloaded and transcribed like a file (see links.py)."""
        return await links.transcribe_link(
            self.ctx,
            url,
            request,
            provider_id=provider_id,
            progress=progress,
            concurrency=concurrency,
        )

    def run(
        self, request: TranscriptionRequest, *, concurrency: int | None = None
    ) -> ChunkedTranscription:
        """Parts of one transcription that outlive a failure: pass it to ``transcribe`` again
        with another provider to finish only what is missing; ``close()`` it when done."""
        return ChunkedTranscription(self.ctx, request, concurrency=concurrency)

    async def recording_for(self, audio: Path) -> HistoryItem:
        """The RECORDING row of this audio (found by content, or added now)."""
        return await recording_for(self.ctx, audio)

    async def load(self, item: HistoryItem) -> Transcript:
        """The full transcript of a TRANSCRIPT row."""
        return await load_transcript(item)

    async def save(self, item: HistoryItem, transcript: Transcript) -> HistoryItem:
        """A corrected transcript as the row's current version (the earlier ones are kept)."""
        return await edits.save_transcript(self.ctx, item, transcript)

    async def of_recording(self, item: HistoryItem) -> RecordingTranscripts:
        """The recording ``item`` belongs to and all its transcripts, newest first."""
        return await edits.recording_transcripts(self.ctx, item)

    async def chat_provider_id(self) -> str:
        """The chat provider summaries go to (Settings', else the first one that can run)."""
        return await summary.chat_provider_id(self.ctx)

    async def summarise(
        self,
        item: HistoryItem,
        transcript: Transcript,
        *,
        provider_id: str | None = None,
        model: str | None = None,
    ) -> SummaryOutcome:
        """Summary and action items of a transcript, kept as its SUMMARY child in History."""
        return await summary.summarise(
            self.ctx, item, transcript, provider_id=provider_id, model=model
        )

    async def translate(
        self,
        item: HistoryItem,
        transcript: Transcript,
        language: str,
        *,
        provider_id: str | None = None,
        model: str | None = None,
    ) -> translate.TranslationOutcome:
        """``transcript`` in ``language`` by the chat model, kept as another transcript of the
        recording (times and speakers as they were)."""
        return await translate.translate(
            self.ctx, item, transcript, language, provider_id=provider_id, model=model
        )

    async def rename_speaker(self, item: HistoryItem, old: str, new: str) -> HistoryItem:
        """Rename a speaker of a TRANSCRIPT row and remember the voice by that name."""
        return await naming.rename(self.ctx, item, old, new)

    async def remember_speaker(
        self, item: HistoryItem, transcript: Transcript, old: str, new: str
    ) -> bool:
        """After the tab renamed ``old`` to ``new``: remember the voice (False: no print)."""
        return await naming.remember_rename(self.ctx, item, transcript, old, new)

    async def not_speaker(self, item: HistoryItem, speaker: str, name: str) -> HistoryItem:
        """Remember that ``speaker`` of a TRANSCRIPT row is not the person ``name``."""
        return await naming.not_speaker(self.ctx, item, speaker, name)

    async def known_voices(self) -> list[voices.KnownVoice]:
        """The voices the user named, with a sample each."""
        return await asyncio.to_thread(voices.known_voices, self.ctx.db)

    async def forget_voice(self, name: str) -> bool:
        """Delete a named voice and its prints; False when none has that name."""
        return await asyncio.to_thread(voices.forget, self.ctx.db, name)

    async def live_text(
        self, spool: Path, sample_rate: int, channels: int, on_text: live.TextFn
    ) -> live.LiveText:
        """Live text for a take being recorded to ``spool``, by the offline engine (its model
        chosen in Settings). Raises ConfigurationError when no offline model is installed."""
        provider = await self.ctx.provider("local", Capability.TRANSCRIPTION)
        model = self.ctx.settings.provider("local").model
        await provider.whisper.resolve(model)  # fails now, not in the middle of the take

        async def engine(samples: Any, prompt: str | None) -> list[tuple[float, float, str]]:
            found: list[tuple[float, float, str]] = await provider.whisper.transcribe_samples(
                samples, model_id=model, prompt=prompt
            )
            return found

        return live.LiveText(spool, sample_rate, channels, engine, on_text)

    async def latest_summary(self, item: HistoryItem) -> SummaryResult | None:
        """The newest summary kept for the TRANSCRIPT row ``item``, if any."""
        return await summary.latest_summary(self.ctx, item)
