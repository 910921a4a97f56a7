"""What the Transcription tab does: jobs for files and takes, the offline fallback, History.

Every transcription is a job (Jobs dock and the tab's queue, cancellable). A job keeps its
ChunkedTranscription when it fails, so "Finish offline" sends only the missing parts to the
offline engine. Opening something loads its recording's audio into the player and its
transcript into the view; corrections are saved to History a moment after the last edit
(the provider's version is kept). Every async method here catches StudioError and shows it:
none of them lets a user error reach the bug handler.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QListWidgetItem, QWidget

from audio_studio.core.errors import (
    AudioError,
    AuthenticationError,
    ConfigurationError,
    InputError,
    StudioError,
)
from audio_studio.core.jobs.runner import Job, JobContext, JobSnapshot
from audio_studio.core.models import Capability, HistoryKind, JobKind
from audio_studio.core.store.history import HistoryItem, HistoryQuery
from audio_studio.core.transcription.links import is_link, link_name
from audio_studio.core.transcription.long import ChunkedTranscription
from audio_studio.core.transcription.transcribe import TranscriptionOutcome
from audio_studio.ui import messages
from audio_studio.ui.tasks import spawn
from audio_studio.ui.transcription.outputs import TranscriptOutputs

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext
    from audio_studio.core.models import TranscriptionRequest
    from audio_studio.core.transcription import TranscriptionService
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.transcription.screen import TranscriptionScreen

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = (
    ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".wav", ".webm", ".ogg", ".oga", ".opus",
    ".flac", ".aac",
)  # fmt: skip
SAVE_AFTER_MS = 1500


@dataclass
class _JobInfo:
    title: str
    request: TranscriptionRequest
    provider: str
    recording_id: int | None
    run: ChunkedTranscription
    open_now: bool
    job: Job[TranscriptionOutcome] | None = None
    outcome: TranscriptionOutcome | None = None
    current: str = ""  # the provider of the latest attempt
    link: str | None = None  # a web address (no local file to finish offline from)


class TranscriptionFlow:
    """The Transcription tab's work: jobs, the open transcript and corrections; what the
    transcript becomes is its ``outputs`` (ui/transcription/outputs.py).

    Args:
        tab: the widgets it fills (a TranscriptionScreen: the tab itself).
        owner: the widget its timers, tasks and dialogs belong to (the tab).
        ctx / transcription: the studio's context and the transcription service.
    """

    def __init__(
        self,
        tab: TranscriptionScreen,
        owner: QWidget,
        ctx: StudioContext,
        transcription: TranscriptionService,
        controller: JobController,
    ) -> None:
        self.tab = tab
        self.owner = owner
        self.ctx = ctx
        self.transcription = transcription
        self.controller = controller
        self.recording: HistoryItem | None = None
        self.item: HistoryItem | None = None  # the TRANSCRIPT row shown
        self.versions: list[HistoryItem] = []
        self.jobs: dict[str, _JobInfo] = {}
        self.last_job: Job[TranscriptionOutcome] | None = None
        self._found: list[HistoryItem] = []
        self._found_text = ""
        self.audio: Path | None = None  # the audio in the player
        self._dirty = False
        self._save_lock = asyncio.Lock()
        self._open_lock = asyncio.Lock()
        self._open_seq = 0
        self._pending: str | None = None  # the job whose file the pane waits for
        self.setup_error = False  # the status line shows a key, address or budget problem
        self._save_timer = QTimer(owner)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_AFTER_MS)
        self._save_timer.timeout.connect(lambda: spawn(self.save_edits(), owner=self.owner))
        self.outputs = TranscriptOutputs(self)

    def say(self, text: str) -> None:
        self.tab.status.setText(text)
        self.setup_error = False

    def fail(self, error: StudioError) -> None:
        self.say(messages.status_text(error))
        # A key, address or budget problem: the line goes when Settings close (setup_done).
        self.setup_error = isinstance(error, ConfigurationError | AuthenticationError)

    def setup_done(self) -> None:
        """Settings closed: a setup error shown may no longer hold (a job will say if so)."""
        if self.setup_error:
            self.say("")

    # -- starting jobs -----------------------------------------------------------------------

    def add_files(self, paths: list[Path]) -> list[Job[TranscriptionOutcome]]:
        """One job per audio file, with the options shown; other files are named and skipped."""
        jobs, skipped = [], []
        for path in paths:
            if path.suffix.lower() not in AUDIO_EXTENSIONS:
                skipped.append(path.name)
                continue
            jobs.append(self._submit(path.name, path, None, open_now=len(paths) == 1))
            if len(paths) == 1:  # the pane shows this file now, not the one before it
                spawn(self.show_pending(path, jobs[-1].id), owner=self.owner)
        if skipped:
            known = ", ".join(e.lstrip(".") for e in AUDIO_EXTENSIONS)
            self.say(f"Not audio the studio transcribes: {', '.join(skipped)}. It reads {known}.")
        return jobs

    def add_link(self, text: str) -> Job[TranscriptionOutcome] | None:
        """A job for the audio at a web address: passed on to a provider that fetches files
        itself, downloaded first for the others (core/transcription/links.py)."""
        url = text.strip()
        if not is_link(url):
            self.say("Paste a web address that starts with https:// and leads to an audio file.")
            return None
        title, options = link_name(url), self.tab.options
        request, pid = options.request(Path(title)), options.provider_id()
        info = _JobInfo(title, request, pid, None, self.transcription.run(request), True)
        info.current, info.link = pid, url

        async def work(ctx: JobContext) -> TranscriptionOutcome:
            return await self.transcription.transcribe_link(
                url, request, provider_id=pid, progress=ctx.report
            )

        job = self.controller.submit(JobKind.TRANSCRIPTION, title, work, provider=pid)
        info.job = self.last_job = job
        self.jobs[job.id] = info
        self.tab.queue.add(job.id, title, self.ctx.registry.spec(pid).info.name)
        return job

    def transcribe_recording(
        self, item: HistoryItem, *, open_now: bool = True
    ) -> Job[TranscriptionOutcome] | None:
        audio = item.file("audio")
        if audio is None:
            self.say(f"“{item.title}” has no audio file in History to transcribe.")
            return None
        self.controller.history_changed.emit()  # a new take may have just been kept
        job = self._submit(item.title, audio.path, item.id, open_now=open_now)
        if open_now and (self.recording is None or self.recording.id != item.id):
            spawn(
                self.open_item(item, pending="Transcribing… the text appears here when done."),
                owner=self.owner,
            )
        return job

    def transcribe_again(self) -> Job[TranscriptionOutcome] | None:
        return self.transcribe_recording(self.recording) if self.recording else None

    def _submit(
        self,
        title: str,
        audio: Path,
        recording_id: int | None,
        *,
        open_now: bool,
        info: _JobInfo | None = None,
        provider_id: str | None = None,
    ) -> Job[TranscriptionOutcome]:
        options = self.tab.options
        if info is None:
            request = options.request(audio)
            info = _JobInfo(
                title,
                request,
                options.provider_id(),
                recording_id,
                self.transcription.run(request),
                open_now,
            )
        pid = provider_id or info.provider
        info.current = pid
        run, request = info.run, info.request

        async def work(ctx: JobContext) -> TranscriptionOutcome:
            outcome = await self.transcription.transcribe(
                request, provider_id=pid, progress=ctx.report, run=run, recording_id=recording_id
            )
            await asyncio.to_thread(run.close)  # kept only while a fallback may need it
            return outcome

        job = self.controller.submit(JobKind.TRANSCRIPTION, title, work, provider=pid)
        previous = info.job
        info.job = job
        self.jobs[job.id] = info
        if previous is not None and self.tab.queue.has(previous.id):
            self.tab.queue.replace_job(previous.id, job.id)
        else:
            self.tab.queue.add(job.id, title, self.ctx.registry.spec(pid).info.name)
        self.last_job = job
        return job

    def finish_offline(self, job_id: str) -> Job[TranscriptionOutcome] | None:
        """Finish a job whose cloud provider failed with the offline engine (kept parts stay)."""
        info = self.jobs.get(job_id)
        if info is None:
            return None
        return self._submit(
            info.title, info.request.audio, info.recording_id, open_now=True, info=info,
            provider_id="local",
        )  # fmt: skip

    # -- job events --------------------------------------------------------------------------

    def on_job_changed(self, snapshot: JobSnapshot) -> None:
        if snapshot.id in self.jobs:
            self.tab.queue.update_job(snapshot)

    async def on_job_finished(self, job_id: str, result: object) -> None:
        info = self.jobs.get(job_id)
        if info is None or not isinstance(result, TranscriptionOutcome):
            return
        info.outcome = result
        self.controller.history_changed.emit()
        parts = f", sent in {result.parts} parts" if result.parts > 1 else ""
        notes = " ".join(result.transcript.notices)
        count = len(result.transcript.segments)
        self.say(f"Transcribed “{info.title}”: {count} segments{parts}. {notes}".strip())
        showing = self.recording is not None and self.recording.id == result.recording.id
        if info.open_now or self.item is None or showing:
            await self.open_item(result.item)

    def on_job_failed(self, job_id: str, error: object) -> None:
        info = self.jobs.get(job_id)
        if info is None:
            return
        spec = self.ctx.registry.spec(info.current)
        local = any(
            s.info.id == "local" for s in self.ctx.registry.usable(Capability.TRANSCRIPTION)
        )
        file_problem = isinstance(error, AudioError | InputError) or info.link is not None
        if isinstance(error, StudioError) and local and not spec.info.local and not file_problem:
            kept = info.run.kept
            note = (
                f"{error.message} — {kept} part{'s' if kept != 1 else ''} kept."
                if kept
                else error.message
            )
            self.tab.queue.set_finish_offline(job_id, True, note)
            self.say(f"{spec.info.name} failed on “{info.title}”: {error.message} Press "
                     "“Finish offline” to complete it on this computer.")  # fmt: skip
            self.setup_error = isinstance(error, ConfigurationError | AuthenticationError)
        elif isinstance(error, StudioError):
            self.fail(error)
            spawn(asyncio.to_thread(info.run.close))
            if self._pending == job_id:
                self.tab.view.set_transcript(
                    None, placeholder=f"“{info.title}” could not be transcribed: "
                    f"{messages.describe(error).text}"
                )  # fmt: skip

    def on_job_cancelled(self, job_id: str) -> None:
        info = self.jobs.get(job_id)
        if info is not None:
            spawn(asyncio.to_thread(info.run.close))

    async def show_pending(self, path: Path, job_id: str) -> None:
        """The right-hand pane for a file being transcribed: its name and audio, no text yet
        (edits to the transcript shown before are saved first)."""
        self._open_seq += 1
        async with self._open_lock:
            await self.flush()
            self.recording, self.item, self.versions = None, None, []
            self._pending = job_id
            self.tab.title.setText(path.name)
            try:
                await self.tab.player.load_file(path)
                self.audio = path
            except StudioError:
                pass  # the player says why under its buttons
            self._fill_versions(None)
            self.outputs.show_summary(None)
            self.tab.view.set_transcript(
                None, placeholder="Transcribing… the text appears here when done."
            )
            self.tab.update_actions()

    async def open_job(self, job_id: str) -> None:
        info = self.jobs.get(job_id)
        if info is not None and info.outcome is not None:
            await self.open_item(info.outcome.item)

    # -- showing -----------------------------------------------------------------------------

    async def open_item(self, item: HistoryItem, *, pending: str = "") -> None:
        """Show a RECORDING (newest transcript), TRANSCRIPT, or a SUMMARY's transcript.

        Opens never interleave (a job finishing while the user opens something else would mix
        one's title with the other's text): they run one at a time, and one that was waiting
        when a newer one was asked for is dropped.
        """
        self._open_seq += 1
        mine = self._open_seq
        async with self._open_lock:
            if mine == self._open_seq:
                self._pending = None
                await self._open(item, pending)

    async def _open(self, item: HistoryItem, pending: str) -> None:
        await self.flush()
        try:
            found = await self.transcription.of_recording(item)
            target = item
            if item.kind is HistoryKind.SUMMARY and item.parent_id is not None:
                target = await asyncio.to_thread(self.ctx.history.get, item.parent_id) or item
        except StudioError as exc:
            self.fail(exc)
            return
        recording = found.recording if found.recording.kind is HistoryKind.RECORDING else None
        self.recording = recording
        self.versions = list(found.transcripts)
        if target.kind is not HistoryKind.TRANSCRIPT:
            target = self.versions[0] if self.versions and not pending else target
        self.tab.title.setText((recording or item).title or "Untitled")
        await self._load_audio(recording)
        self._fill_versions(target if target.kind is HistoryKind.TRANSCRIPT else None)
        if target.kind is HistoryKind.TRANSCRIPT:
            await self._show_transcript(target)
        else:
            self.item = None
            self.outputs.show_summary(None)
            self.tab.view.set_transcript(
                None, placeholder=pending or "No transcript of this recording yet: choose the "
                "options on the left and press “Transcribe again”."
            )  # fmt: skip
        self.tab.update_actions()
        await self.refresh_preflight()

    async def show_version(self, index: int) -> None:
        if 0 <= index < len(self.versions) and self.versions[index] is not self.item:
            await self.flush()
            await self._show_transcript(self.versions[index])

    async def _show_transcript(self, item: HistoryItem) -> None:
        try:
            transcript = await self.transcription.load(item)
            summary = await self.transcription.latest_summary(item)
        except StudioError as exc:
            self.fail(exc)
            return
        self.item, self._dirty = item, False
        self.tab.view.set_transcript(transcript)
        self.outputs.show_summary(summary)
        index = next((n for n, v in enumerate(self.versions) if v.id == item.id), -1)
        self.tab.versions.setCurrentIndex(index)
        self.tab.update_actions()

    async def _load_audio(self, recording: HistoryItem | None) -> None:
        audio = recording.file("audio") if recording is not None else None
        if audio is None or audio.path == self.audio:
            return
        try:
            await self.tab.player.load_file(audio.path)
            self.audio = audio.path
        except StudioError as exc:
            self.say(f"The recording's audio cannot be played: {exc.message}")

    def _fill_versions(self, current: HistoryItem | None) -> None:
        combo = self.tab.versions
        combo.clear()
        for n, v in enumerate(self.versions, 1):
            when = datetime.fromisoformat(v.created_at).astimezone().strftime("%d %b %H:%M")
            edited = " · corrected" if v.params.get("edits") else ""
            combo.addItem(f"{n}. {v.provider or '?'} {v.model or ''} · {when}{edited}")
        if current is not None:
            combo.setCurrentIndex(
                next((n for n, v in enumerate(self.versions) if v.id == current.id), 0)
            )

    # -- editing -----------------------------------------------------------------------------

    def schedule_save(self) -> None:
        if self.item is None:
            return
        self._dirty = True
        self.say("Corrections not saved yet…")
        self._save_timer.start()

    async def save_edits(self) -> HistoryItem | None:
        """Store the corrected transcript in History now (the provider's version is kept)."""
        self._save_timer.stop()
        async with self._save_lock:
            if not self._dirty or self.item is None:
                return self.item
            self._dirty = False
            item, transcript = self.item, self.tab.view.transcript()
            try:
                saved = await self.transcription.save(item, transcript)
            except StudioError as exc:
                self._dirty = True
                self.say(f"Corrections not saved: {exc.message}")
                return None
            if self.item is item:
                self.item = saved
            self.versions = [saved if v.id == saved.id else v for v in self.versions]
            self.say("Corrections saved in History; the provider's version is kept there too.")
            self.controller.history_changed.emit()
            return saved

    async def flush(self) -> None:
        if self._dirty:
            await self.save_edits()

    def hold_save(self) -> None:
        """The window closes: the save waiting on its timer is left to ``flush``."""
        self._save_timer.stop()

    async def remember(self, **changes: object) -> None:
        """Save a preference (the playback speed); a failure is shown, never raised."""
        try:
            await self.ctx.remember(**changes)
        except StudioError as exc:
            self.fail(exc)

    async def refresh_preflight(self) -> None:
        options = self.tab.options
        seconds = self.recording.duration_s if self.recording else None
        try:
            check = await self.ctx.preflight(
                options.provider_id(), Capability.TRANSCRIPTION, options.model_id(), seconds=seconds
            )
        except StudioError as exc:
            self.tab.preflight.setText(exc.message)
            return
        # Jobs start from drops and pastes without a pause: ask when the provider is chosen.
        await messages.agree_to_unknown_cost(self.tab, self.ctx, check)
        text = f"Cost: {check.text()}"
        if check.blocked or check.warning:
            text += f"\n{check.blocked or check.warning}"
        self.tab.preflight.setText(text)

    async def find_in_all(self, text: str) -> int:
        """Search every transcript in History; shows the hits under the box."""
        found_list = self.tab.found
        found_list.clear()
        self._found = []
        self._found_text = text
        if not text.strip():
            found_list.hide()
            return 0
        query = HistoryQuery(search=text, kinds=(HistoryKind.TRANSCRIPT,), limit=50)
        try:
            self._found = await asyncio.to_thread(self.ctx.history.query, query)
        except StudioError as exc:
            self.fail(exc)
            return 0
        for item in self._found:
            snippet = (item.match or "").replace("\n", " ")
            QListWidgetItem(f"{item.title} — {snippet}", found_list)
        if not self._found:
            QListWidgetItem("No transcript says that.", found_list)
        found_list.show()
        return len(self._found)

    async def open_found(self, row: int) -> None:
        if 0 <= row < len(self._found):
            await self.open_item(self._found[row])
            self.tab.view.find(self._found_text)
            self.tab.view.step_match(True)
