"""Narration: a project's chunks to takes on any provider, with cache, preview, retry, fallback.

``generate`` makes audio for the chunks that need it (or those asked for) with bounded
concurrency (Settings' narration_concurrency and the runner's per-provider limit). Chunks whose
audio was made before come from the cache without a provider call. A chunk the provider
refuses fails alone and keeps the provider's reason; a failure that would hit every chunk
(no key, no credits, no network) stops further calls and marks the rest with the same reason,
so they can be retried or finished with the offline voice. Cancel stops at once; finished
chunks are kept and the project is saved. Runs on the loop; disk and SQLite via to_thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import (
    InputError,
    StudioError,
)
from audio_studio.core.fileio import atomic_write_bytes
from audio_studio.core.models import (
    AudioChunk,
    AudioFormat,
    Capability,
    HistoryStatus,
    SpeechRequest,
    Voice,
)
from audio_studio.core.narration.book_export import BookOutcome, export_book
from audio_studio.core.narration.cache import SynthCache
from audio_studio.core.narration.casting import costed, voicing_or_raise
from audio_studio.core.narration.chapters import project_from_document
from audio_studio.core.narration.documents import read_document
from audio_studio.core.narration.export import ExportOutcome, export_project
from audio_studio.core.narration.listening import ProofListener, ProofRound
from audio_studio.core.narration.options import max_chars_for, synthesis_format
from audio_studio.core.narration.plan import GenerationReport, NarrationPlan
from audio_studio.core.narration.preview import AudioSink, PreviewSequencer
from audio_studio.core.narration.project import (
    Chunk,
    ChunkStatus,
    NarrationProject,
    NarrationSettings,
)
from audio_studio.core.narration.proof import best_take, flagged
from audio_studio.core.narration.run import ChangeFn, Run
from audio_studio.core.narration.speech import SpeechOutcome, speak
from audio_studio.core.narration.store import ProjectStore
from audio_studio.core.narration.synth import Voicing
from audio_studio.core.narration.voiceover import (
    MAX_SPEEDUP,
    VoiceOverOutcome,
    export_voiceover,
)
from audio_studio.core.narration.voices import (
    CONSENT_STATEMENT,
    ClonedVoice,
    clone_voice,
    cloned_voices,
)
from audio_studio.core.preflight import Preflight
from audio_studio.core.providers.base import ProgressFn

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["GenerationReport", "NarrationPlan", "NarrationService"]

log = logging.getLogger(__name__)

# Failures the offline voice can stand in for (the cloud could not be used, for whatever reason).
OFFLINE_CAN_FINISH = frozenset(
    {"NetworkError", "QuotaExceededError", "RateLimitedError", "ProviderUnavailableError",
     "AuthenticationError", "MissingApiKeyError", "BudgetExceededError", "ProviderError",
     "ProviderProtocolError", "InvalidRequestError"}
)  # fmt: skip


class NarrationService:
    """The narration workflow over the studio's providers, History, cache and jobs."""

    def __init__(self, ctx: StudioContext) -> None:
        self.ctx = ctx
        self.cache = SynthCache(ctx.db, ctx.paths.data_dir)
        self.projects = ProjectStore(ctx.paths.data_dir / "narrations", ctx.history)

    # -- planning ----------------------------------------------------------------------------

    def voicing(self, project: NarrationProject, *, offline: bool = False) -> Voicing:
        """The job's voice: the project's, or the offline engine's default (``offline``)."""
        s = project.settings
        pid = "local" if offline else s.provider
        spec = self.ctx.registry.spec(pid)
        info = spec.info
        if offline:
            lo, hi = 0.25, 4.0
            speed = min(hi, max(lo, s.speed))
            return Voicing(pid, None, None, synthesis_format(info), speed, fallback=True)
        model = s.model or info.default_models.get(Capability.SPEECH)
        voice = s.voice or self.ctx.settings.provider(pid).voice or info.default_voice
        base_url = self.ctx.settings.provider(pid).base_url if info.base_url_configurable else None
        return Voicing(
            provider=pid,
            model=model,
            voice=voice,
            format=synthesis_format(info),
            speed=s.speed,
            instructions=s.instructions or None,
            voice_settings=s.voice_settings,
            base_url=base_url,
            voice_name=s.voice_name,
            cloned=s.cloned_voice,
        )

    def voicing_of(
        self, project: NarrationProject, chunk: Chunk, *, offline: bool = False
    ) -> Voicing:
        """The voice of ``chunk``: its role's in the cast, else the project's (``offline``:
        the offline engine's default, whoever speaks it).

        Raises:
            InputError: its role's provider is not one the studio knows.
        """
        if not offline:
            role = project.cast.get(project.role_of(chunk))
            if role is not None:
                return voicing_or_raise(self.ctx, role)
        return self.voicing(project, offline=offline)

    def _voicings(
        self, project: NarrationProject, chunks: Sequence[Chunk], offline: bool = False
    ) -> dict[str, Voicing]:
        plain = self.voicing(project, offline=offline)
        if not project.cast or offline:
            return {c.id: plain for c in chunks}
        by_role: dict[str, Voicing] = {}
        out: dict[str, Voicing] = {}
        for c in chunks:
            role = project.role_of(c)
            if role not in by_role:
                by_role[role] = self.voicing_of(project, c)
            out[c.id] = by_role[role]
        return out

    def max_chars(self, provider_id: str, model: str | None) -> int | None:
        return max_chars_for(self.ctx.registry.spec(provider_id).info, model)

    def other_voice(self, project: NarrationProject) -> list[Chunk]:
        """Unlocked sentences whose take was made in another voice than their role's now:
        Generate keeps them; "Remake all in this voice" makes them again."""
        made = [c for c in project.chunks if c.take is not None and not c.locked]
        made = [c for c in made if not c.needs_audio]
        voicings = self._voicings(project, made)
        return [
            c
            for c in made
            if c.take is not None
            and (c.take.provider, c.take.voice) != (voicings[c.id].provider, voicings[c.id].voice)
        ]

    async def _to_make(
        self, project: NarrationProject, chunks: Sequence[Chunk]
    ) -> dict[str, tuple[Voicing, str]]:
        """What a provider would be asked for (not in the cache), by cache key: sentences that
        repeat are made once and reused, so they count once."""
        voicings = self._voicings(project, chunks)
        spoken = [project.spoken(c) for c in chunks]
        # Hashing tens of thousands of sentences takes a moment: not on the GUI thread.
        keys = await asyncio.to_thread(
            lambda: [voicings[c.id].key(t) for c, t in zip(chunks, spoken, strict=True)]
        )
        hits = await asyncio.to_thread(self.cache.get_many, keys) if keys else {}
        return {
            k: (voicings[c.id], t)
            for c, t, k in zip(chunks, spoken, keys, strict=True)
            if k not in hits
        }

    async def plan(
        self, project: NarrationProject, chunks: Sequence[Chunk] | None = None
    ) -> NarrationPlan:
        """Counts, the cost of what would be made, cache hits and the budget's verdict.

        Args:
            chunks: only these are to be made (the chosen chapters); default: all that need it.
        """
        needing = project.needing_audio() if chunks is None else list(chunks)
        make_by_key = await self._to_make(project, needing)
        make = [t for _, t in make_by_key.values()]
        chars = sum(len(t) for t in make)
        checks = await self._preflights(project, list(make_by_key.values()))
        check = checks[0]
        other = self.other_voice(project)
        other_cost = ""
        if other:
            again = await self._to_make(project, other)
            remakes = await self._preflights(project, [*make_by_key.values(), *again.values()])
            other_cost = " + ".join(p.estimate.text() for p in remakes)
        return NarrationPlan(
            chunks=len(project.chunks),
            paragraphs=len({c.paragraph for c in project.chunks}),
            characters=sum(len(project.spoken(c)) for c in project.chunks),
            to_make=len(make),
            to_make_characters=chars,
            cached=len(needing) - len(make),
            locked=sum(c.locked for c in project.chunks),
            max_chars=project.max_chars,
            preflight=check,
            warnings=(*project.warnings, *project.cast_problems),
            script_characters=len(project.script),
            other_voice=len(other),
            other_voice_cost=other_cost,
            preflights=checks if len(checks) > 1 else (),
            problems=project.cast_problems,
        )

    async def _preflights(
        self, project: NarrationProject, to_make: list[tuple[Voicing, str]]
    ) -> tuple[Preflight, ...]:
        """Each provider and model of the run costed on its own characters, the dearest first
        (the project's own voice when nothing is to be made)."""
        if not to_make:
            voicing = self.voicing(project)
            return (await self.ctx.preflight(voicing.provider, Capability.SPEECH, voicing.model),)
        checks = await costed(self.ctx, to_make)
        return tuple(sorted(checks, key=lambda p: -(p.estimate.usd or 0.0)))

    async def warm_up(self, project: NarrationProject) -> bool:
        """Load the offline voice before Generate (its first sentence otherwise waits seconds
        for the model); cloud providers need nothing. Returns whether a voice was loaded."""
        voicing = self.voicing(project)
        if not self.ctx.registry.spec(voicing.provider).info.local:
            return False
        try:
            provider = await self.ctx.provider(voicing.provider, Capability.SPEECH)
            await provider.synthesize(voicing.request("Ready."))
        except StudioError as exc:
            log.info("offline voice not warmed up: %s", exc.message)
            return False
        return True

    # -- generating --------------------------------------------------------------------------

    async def generate(
        self,
        project: NarrationProject,
        chunks: Sequence[Chunk] | None = None,
        *,
        force: bool = False,
        offline: bool = False,
        preview: AudioSink | None = None,
        progress: ProgressFn | None = None,
        on_change: ChangeFn | None = None,
        concurrency: int | None = None,
        proof: bool | None = None,
    ) -> GenerationReport:
        """Make takes for ``chunks`` (default: every unlocked chunk that needs audio).

        Args:
            force: make a new take even when the cache has one (Regenerate).
            offline: use the offline voice (finishing chunks a cloud provider failed on).
            preview: receives the audio in script order as it arrives.
            on_change: called (on the loop) whenever a chunk's state changes.
            proof: listen to every take (None: the project's setting); with the project's
                proof_remake, flagged takes are made once more and the better one kept.

        Raises:
            InputError: the script is empty, or a chunk asked for is locked.
            BudgetExceededError / ConfigurationError / MissingApiKeyError: before any call.
        """
        started = time.perf_counter()
        if not project.chunks:
            raise InputError(
                "There is nothing to narrate: the script is empty. Paste or open a script."
            )
        targets = [c for c in (chunks if chunks is not None else project.needing_audio())]
        locked = [c for c in targets if c.locked]
        if chunks is not None and locked:
            raise InputError("That sentence is locked; unlock it before making a new take.")
        targets = [c for c in targets if not c.locked]
        report = GenerationReport(targets=len(targets))
        if not targets:
            return report
        if project.cast_problems and not offline:
            raise InputError(project.cast_problems[0])
        voicings = self._voicings(project, targets, offline)
        voicing = voicings[targets[0].id]
        providers = {
            pid: await self.ctx.provider(pid, Capability.SPEECH)
            for pid in dict.fromkeys(v.provider for v in voicings.values())
        }
        provider = providers[voicing.provider]
        spoken = {c.id: project.spoken(c) for c in targets}
        keys = await asyncio.to_thread(
            lambda: {c.id: voicings[c.id].key(spoken[c.id]) for c in targets}
        )
        hits = {} if force else await asyncio.to_thread(self.cache.get_many, keys.values())
        unique = {
            keys[c.id]: (voicings[c.id], spoken[c.id]) for c in targets if keys[c.id] not in hits
        }
        for check in await self._preflights(project, list(unique.values())):
            check.raise_if_blocked()
        await asyncio.to_thread(self.projects.ensure_item, project)
        sequencer = None
        if preview is not None:
            pause = self.paragraph_pause(project)
            gaps = {c.id: project.gap_after(project.index(c), pause) for c in targets}
            sequencer = PreviewSequencer(preview, [c.id for c in targets], gaps)
        run = Run(
            self.ctx, self.cache, project, targets, voicing, provider, spoken, keys, hits, report,
            sequencer=sequencer, on_change=on_change, progress=progress,
            voicings=voicings, providers=providers,
        )  # fmt: skip
        proofing = None
        if self.proofs(project, voicings.values()) if proof is None else proof:
            proofing = ProofRound(self.ctx, ProofListener(self.ctx), on_change, project)
            run.after_take = proofing.after
        limit = concurrency or self.ctx.settings.narration_concurrency
        status = HistoryStatus.DONE
        try:
            await run.go(limit)
            if proofing is not None:
                await self._remake_flagged(
                    project, proofing, report, limit, on_change, offline=offline
                )
        except asyncio.CancelledError:
            report.cancelled = True
            status = HistoryStatus.CANCELLED
            raise
        finally:
            if proofing is not None:
                proofing.cancel()
            for chunk in targets:
                if chunk.status in (ChunkStatus.QUEUED, ChunkStatus.WORKING):
                    chunk.status = ChunkStatus.DONE if chunk.take else ChunkStatus.PENDING
                    if on_change is not None:
                        on_change(chunk)
            if sequencer is not None:
                report.ttfa_ms = (
                    (sequencer.first_audio_at - started) * 1000
                    if sequencer.first_audio_at
                    else None
                )
                sequencer.close()
            report.total_ms = (time.perf_counter() - started) * 1000
            if report.failed and status is HistoryStatus.DONE:
                status = HistoryStatus.FAILED
            await self._finish(project, status, report)
        return report

    def proofs(self, project: NarrationProject, voicings: Any = None) -> bool:
        """Whether a run listens to its takes: the project's setting, else when every voice
        is offline (then it costs nothing but a little time)."""
        if project.settings.proof is not None:
            return project.settings.proof
        if voicings is not None:
            pids = {v.provider for v in voicings}
        else:
            roles = {project.role_of(c) for c in project.chunks} or {""}
            pids = {
                role.provider if role is not None else project.settings.provider
                for role in (project.cast.get(name) for name in roles)
            }
        try:
            return all(self.ctx.registry.spec(pid).info.local for pid in pids)
        except StudioError:  # a provider the studio does not know: it will be said elsewhere
            return False

    async def _remake_flagged(
        self,
        project: NarrationProject,
        proofing: ProofRound,
        report: GenerationReport,
        limit: int,
        on_change: ChangeFn | None,
        *,
        offline: bool = False,
    ) -> None:
        """Make each flagged take once more (never from the cache), hear it, keep the better;
        with the voice that made it (``offline``: the offline voice finishing a cloud run)."""
        await proofing.finish()
        report.proofed += proofing.heard
        again = [c for c in proofing.flagged.values() if c in project.chunks]
        if again and project.settings.proof_remake:
            costs = [
                (self._voicings(project, [c], offline)[c.id], project.spoken(c)) for c in again
            ]
            checks = await self._preflights(project, costs)
            blocked = next((p.blocked for p in checks if p.blocked), None)
            if blocked:  # the budget says no: the takes stay flagged for the user to judge
                log.info("flagged takes not remade: %s", blocked)
                again = []
        if again and project.settings.proof_remake:
            report.remade += len(again)
            voicings = self._voicings(project, again, offline)
            second = GenerationReport(targets=len(again))
            providers = {
                pid: await self.ctx.provider(pid, Capability.SPEECH)
                for pid in dict.fromkeys(v.provider for v in voicings.values())
            }
            spoken = {c.id: project.spoken(c) for c in again}
            keys = {c.id: voicings[c.id].key(spoken[c.id]) for c in again}
            first = voicings[again[0].id]
            listen = ProofRound(self.ctx, proofing.listener, on_change)
            run = Run(
                self.ctx, self.cache, project, again, first, providers[first.provider], spoken,
                keys, {}, second, on_change=on_change, voicings=voicings, providers=providers,
                after_take=listen.after,
            )  # fmt: skip
            await run.go(limit)
            await listen.finish()
            # ``made`` counts sentences; a remake is the same sentence again (``remade``).
            report.failed += second.failed
            report.cost_usd += second.cost_usd
            report.credits += second.credits
            report.proofed += listen.heard
            for chunk in again:
                best_take(chunk)
                if on_change is not None:
                    on_change(chunk)
        report.flagged = sum(1 for c in project.chunks if flagged(c) is not None)

    async def regenerate(
        self, project: NarrationProject, chunk: Chunk, **kwargs: Any
    ) -> GenerationReport:
        """A new take of one chunk (never from the cache); the other takes stay."""
        return await self.generate(project, [chunk], force=True, **kwargs)

    async def retry_failed(self, project: NarrationProject, **kwargs: Any) -> GenerationReport:
        return await self.generate(project, project.failed(), **kwargs)

    async def finish_offline(
        self, project: NarrationProject, chunks: Sequence[Chunk] | None = None, **kwargs: Any
    ) -> GenerationReport:
        """Make the chunks a cloud provider failed on with the offline voice (a deadline is
        never lost to an outage); their takes say so in History."""
        wanted = list(chunks) if chunks is not None else project.failed()
        return await self.generate(project, wanted, offline=True, **kwargs)

    def paragraph_pause(self, project: NarrationProject) -> float:
        own = project.settings.paragraph_pause_s
        return own if own is not None else self.ctx.settings.paragraph_pause_s

    # -- saving and exporting ----------------------------------------------------------------

    async def save(self, project: NarrationProject) -> Path:
        return await asyncio.to_thread(self.projects.save, project)

    async def load(self, source: str | Path) -> NarrationProject:
        return await asyncio.to_thread(self.projects.load, source)

    async def latest(self) -> NarrationProject | None:
        return await asyncio.to_thread(self.projects.latest)

    async def export(
        self,
        project: NarrationProject,
        path: Path,
        *,
        fmt: AudioFormat | None = None,
        loudness_lufs: float | None = None,
        progress: ProgressFn | None = None,
    ) -> ExportOutcome:
        """Join the current takes, normalise loudness, write ``path`` with tags; into History."""
        return await export_project(
            self.ctx,
            self.projects,
            project,
            path,
            pause=self.paragraph_pause(project),
            fmt=fmt,
            loudness_lufs=loudness_lufs,
            progress=progress,
        )

    async def export_book(
        self,
        project: NarrationProject,
        out: Path,
        *,
        chosen: Sequence[int] | None = None,
        captions: str | None = None,
        loudness_lufs: float | None = None,
        progress: ProgressFn | None = None,
    ) -> BookOutcome:
        """The chosen chapters as an M4B (``out.m4b``) or a folder of chapter files."""
        return await export_book(
            self.ctx,
            self.projects,
            project,
            out,
            pause=self.paragraph_pause(project),
            chosen=chosen,
            captions=captions,
            loudness_lufs=loudness_lufs,
            progress=progress,
        )

    async def export_voiceover(
        self,
        project: NarrationProject,
        out: Path,
        *,
        fmt: AudioFormat | None = None,
        max_speedup: float = MAX_SPEEDUP,
        loudness_lufs: float | None = None,
        progress: ProgressFn | None = None,
    ) -> VoiceOverOutcome:
        """A subtitles project as a voice-over track: every line starts on its cue."""
        return await export_voiceover(
            self.ctx,
            self.projects,
            project,
            out,
            fmt=fmt,
            max_speedup=max_speedup,
            loudness_lufs=loudness_lufs,
            progress=progress,
        )

    async def open_document(
        self, path: Path, settings: NarrationSettings, *, max_chars: int | None = None
    ) -> NarrationProject:
        """A new project from a book, document or subtitle file, its cover kept beside it.

        Raises:
            InputError: the file cannot be narrated (one sentence saying why and what to do).
        """
        document = await asyncio.to_thread(read_document, path)
        project = await asyncio.to_thread(
            lambda: project_from_document(document, settings, max_chars=max_chars)
        )
        if document.cover and project.book is not None:
            ext = "png" if "png" in document.cover_type else "jpg"
            cover = self.projects.folder / f"{project.id}.cover.{ext}"
            await asyncio.to_thread(self._write_cover, cover, document.cover)
            project.book = replace(project.book, cover_path=str(cover))
        return project

    def _write_cover(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)

    # -- one-off speech and voices ------------------------------------------------------------

    async def speak(
        self,
        request: SpeechRequest,
        *,
        provider_id: str | None = None,
        progress: ProgressFn | None = None,
        on_chunk: Callable[[AudioChunk], None] | None = None,
    ) -> SpeechOutcome:
        """One text to one file in History (``audio-studio speak``); see narration/speech.py."""
        return await speak(
            self.ctx, request, provider_id=provider_id, progress=progress, on_chunk=on_chunk
        )

    async def clone_voice(
        self,
        provider_id: str,
        *,
        name: str,
        sample: Path,
        consent_given: bool,
        consent: str = CONSENT_STATEMENT,
        description: str = "",
        remove_background_noise: bool = False,
    ) -> ClonedVoice:
        """A voice cloned from ``sample`` with the speaker's consent; see narration/voices.py."""
        return await clone_voice(
            self.ctx,
            provider_id,
            name=name,
            sample=sample,
            consent_given=consent_given,
            consent=consent,
            description=description,
            remove_background_noise=remove_background_noise,
        )

    async def cloned_voices(self, provider_id: str) -> list[Voice]:
        """Voices cloned in the studio for ``provider_id``, newest first."""
        return await cloned_voices(self.ctx, provider_id)

    # -- internals ---------------------------------------------------------------------------

    async def _finish(
        self, project: NarrationProject, status: HistoryStatus, report: GenerationReport
    ) -> None:
        await asyncio.to_thread(self.projects.finish_item, project, status, report.summary())
        await asyncio.to_thread(self.projects.save, project)
        log.info(
            "narration %s: %d made, %d cached, %d failed in %.1f s",
            project.id[:8],
            report.made,
            report.cached,
            report.failed,
            report.total_ms / 1000,
        )
