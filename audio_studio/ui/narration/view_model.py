"""The Narration tab's view-model: the open project, its preflight, and the jobs that work on it.

It owns no widgets. Jobs go through the JobController (so they show in the Jobs dock with
progress and Cancel); one runs at a time. The project is saved a moment after every change
and when a job ends. Splitting a long script happens off the GUI thread; putting the result
in place (which keeps takes of unchanged sentences) happens on it.

Threads: everything here runs on the GUI thread (qasync's loop); work goes to the core.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import StudioError
from audio_studio.core.jobs.runner import Job, JobContext
from audio_studio.core.models import JobKind
from audio_studio.core.narration import GenerationReport, NarrationPlan, NarrationService
from audio_studio.core.narration.book_export import BookOutcome
from audio_studio.core.narration.cast import Cast
from audio_studio.core.narration.export import ExportOutcome
from audio_studio.core.narration.preview import AudioSink
from audio_studio.core.narration.project import Chunk, NarrationProject
from audio_studio.core.narration.roles import split_with_roles
from audio_studio.core.narration.store import project_title
from audio_studio.core.narration.voiceover import VoiceOverOutcome
from audio_studio.ui import messages
from audio_studio.ui.bridge import JobController
from audio_studio.ui.tasks import spawn

log = logging.getLogger(__name__)

SinkFactory = Callable[[], AudioSink | None]


def run_soon(
    make: Callable[[], Coroutine[Any, Any, Any]], *, owner: QObject | None = None
) -> asyncio.Task[Any] | None:
    """Start ``make()`` as a task when an event loop runs; a timer that fires without one (a
    widget outliving its test, or the window closing) starts nothing. With ``owner`` the task
    is cancelled when that widget goes (saves and recording stops are left to finish)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return None
    return spawn(make(), owner=owner)


class NarrationViewModel(QObject):
    """State and work of the Narration tab.

    Signals:
        project_changed(): a new project, or its chunks were rebuilt (edited script).
        chunk_changed(object): one chunk's state changed (during a job).
        plan_changed(object): a NarrationPlan, or None when it could not be made.
        busy_changed(bool): a job started or ended.
        message(str, bool): a line for the user (text, is_error).
    """

    project_changed = Signal()
    chunk_changed = Signal(object)
    plan_changed = Signal(object)
    busy_changed = Signal(bool)
    message = Signal(str, bool)

    def __init__(
        self,
        ctx: StudioContext,
        narration: NarrationService,
        controller: JobController,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.narration = narration
        self.project = NarrationProject()
        self.job: Job[Any] | None = None
        self.last_job_id: str | None = None  # the job card in the Jobs dock shows its outcome
        self.plan: NarrationPlan | None = None
        self.last_report: GenerationReport | None = None
        self.last_export: ExportOutcome | None = None
        self.last_error: StudioError | None = None  # behind the last error message, if any
        self._splits = 0
        self._warmed: tuple[str, str | None] | None = None
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(800)
        self._save_timer.timeout.connect(self._on_save_timer_timeout)

    @property
    def busy(self) -> bool:
        return self.job is not None

    # -- the project -------------------------------------------------------------------------

    def use(self, project: NarrationProject) -> None:
        self.project = project
        self.project_changed.emit()

    async def set_script(self, text: str) -> None:
        """The editor's text as the project's script (split off the GUI thread)."""
        self._splits += 1
        token, project = self._splits, self.project
        if text == project.script:
            return
        roled = await asyncio.to_thread(
            split_with_roles, text, project.max_chars, project.settings.lexicon, project.cast
        )
        if token != self._splits or project is not self.project:
            return  # typed on: a newer split is on its way
        project.use_split(text, roled)
        self.project_changed.emit()
        self.schedule_save()

    def set_cast(self, cast: Cast) -> None:
        """A new cast (the cast panel): roles re-read, recast sentences need new takes."""
        self.project.set_cast(cast)
        self.project_changed.emit()
        self.schedule_save()

    def set_role(self, chunks: list[Chunk], role: str | None) -> None:
        """Selected sentences given to ``role`` by hand (None: as the script says)."""
        self.project.set_role(chunks, role)
        for chunk in chunks:
            self.chunk_changed.emit(chunk)
        self.schedule_save()

    def set_settings(self, settings: Any) -> None:
        max_chars = self.narration.max_chars(settings.provider, settings.model)
        before = (self.project.max_chars, self.project.settings.lexicon)
        self.project.set_settings(settings, max_chars)
        if before != (self.project.max_chars, self.project.settings.lexicon):
            self.project_changed.emit()
        self.schedule_save()

    async def refresh_plan(self) -> NarrationPlan | None:
        try:
            plan = await self.narration.plan(self.project)
        except StudioError as exc:
            self.plan = None
            self.plan_changed.emit(None)
            self.last_error = exc
            self.message.emit(messages.describe(exc).text, True)
            return None
        self.plan = plan
        self.plan_changed.emit(plan)
        voice = (self.project.settings.provider, self.project.settings.voice)
        if plan.to_make and voice != self._warmed and not self.busy:
            self._warmed = voice
            run_soon(lambda: self.narration.warm_up(self.project))
        return plan

    def schedule_save(self) -> None:
        if self.project.script.strip():
            self._save_timer.start()

    @Slot()
    def _on_save_timer_timeout(self) -> None:
        run_soon(self.save)

    def hold_save(self) -> bool:
        """Stop the save that was waiting (the window closes); whether one was."""
        waiting = self._save_timer.isActive()
        self._save_timer.stop()
        return waiting

    async def save(self) -> None:
        try:
            await self.narration.save(self.project)
        except StudioError as exc:
            self.message.emit(messages.describe(exc).text, True)

    # -- jobs --------------------------------------------------------------------------------

    def _on_chunk(self, chunk: Chunk) -> None:
        self.chunk_changed.emit(chunk)

    async def generate(
        self,
        chunks: list[Chunk] | None = None,
        *,
        force: bool = False,
        offline: bool = False,
        preview: SinkFactory | None = None,
    ) -> GenerationReport | None:
        """Make takes as a job (Generate, New take, Retry, Finish with offline voice)."""
        project = self.project
        sink = preview() if preview else None
        what = "offline voice" if offline else "new take" if force else "narration"
        title = f"{project.title or project_title(project.script, 40)} ({what})"

        async def work(ctx: JobContext) -> GenerationReport:
            report = await self.narration.generate(
                project, chunks, force=force, offline=offline, preview=sink,
                progress=ctx.report, on_change=self._on_chunk,
            )  # fmt: skip
            if report.failed:
                made = report.made + report.cached
                why = report.errors[0] if report.errors else "see the sentence list"
                ctx.report_problem(
                    f"{made} of {report.targets} made, {report.failed} failed: {why}",
                    everything=made == 0,
                    done_share=made / max(1, report.targets),
                )
            return report

        pid = "local" if offline else project.settings.provider
        report = await self._run(JobKind.NARRATION, title, work, pid)
        if isinstance(report, GenerationReport):
            self.last_report = report
            self.message.emit(_summary(report), bool(report.failed))
            return report
        return None

    async def export(self, path: Path) -> ExportOutcome | None:
        project = self.project

        async def work(ctx: JobContext) -> ExportOutcome:
            return await self.narration.export(project, path, progress=ctx.report)

        # The card reads "Export: tour.wav" (its kind names the action).
        outcome = await self._run(JobKind.EXPORT, path.name, work, None)
        if isinstance(outcome, ExportOutcome):
            self.last_export = outcome
            lufs = f", {outcome.lufs:.1f} LUFS" if outcome.lufs is not None else ""
            self.message.emit(
                f"Exported {outcome.path} ({outcome.duration_s:.1f} s{lufs}); it is in History.",
                False,
            )
            return outcome
        return None

    async def export_book(
        self, path: Path, chosen: list[int] | None, captions: str | None
    ) -> BookOutcome | None:
        """The ticked chapters as an M4B or a folder of chapter files, as a job."""
        project = self.project

        async def work(ctx: JobContext) -> BookOutcome:
            return await self.narration.export_book(
                project, path, chosen=chosen, captions=captions, progress=ctx.report
            )

        outcome = await self._run(JobKind.EXPORT, f"Export {path.name}", work, None)
        if isinstance(outcome, BookOutcome):
            extra = f" and {len(outcome.captions)} caption file(s)" if outcome.captions else ""
            self.message.emit(
                f"Exported {outcome.path} ({outcome.chapters} chapters, "
                f"{outcome.duration_s / 60:.1f} min){extra}; it is in History.",
                False,
            )
            return outcome
        return None

    async def export_voiceover(self, path: Path) -> VoiceOverOutcome | None:
        """A subtitles project as a voice-over track, every line on its cue, as a job."""
        project = self.project

        async def work(ctx: JobContext) -> VoiceOverOutcome:
            return await self.narration.export_voiceover(project, path, progress=ctx.report)

        outcome = await self._run(JobKind.EXPORT, f"Export {path.name}", work, None)
        if isinstance(outcome, VoiceOverOutcome):
            late = ", ".join(str(line.number) for line in outcome.overruns)
            note = f" Cues {late} still run long: shorten their text." if late else ""
            self.message.emit(
                f"Exported the voice-over {outcome.path} ({outcome.duration_s:.1f} s, "
                f"{len(outcome.lines)} cues); it is in History.{note}",
                bool(late),
            )
            return outcome
        return None

    async def _run(
        self,
        kind: JobKind,
        title: str,
        work: Callable[[JobContext], Awaitable[Any]],
        provider: str | None,
    ) -> Any:
        if self.job is not None:
            self.message.emit("Wait for the running job to finish, or stop it.", True)
            return None
        job = self.controller.submit(kind, title, work, provider=provider)
        self.job = job
        self.last_job_id = job.id
        self.busy_changed.emit(True)
        try:
            return await job.result()
        except asyncio.CancelledError:
            if not job.task.cancelled():
                raise  # the tab itself is going away
            self.message.emit("Stopped. Finished sentences are kept.", False)
        except StudioError as exc:
            self.last_error = exc
            self.message.emit(messages.describe(exc).text, True)
        finally:
            self.job = None
            self.busy_changed.emit(False)
            self.schedule_save()
            spawn(self.refresh_plan(), owner=self)
        return None

    def stop(self) -> bool:
        return self.controller.cancel(self.job.id) if self.job is not None else False


def _summary(report: GenerationReport) -> str:
    if report.targets == 0:
        return "Every sentence already has a take."
    made = report.made + report.cached  # remakes of misheard takes are counted apart
    noun = "sentences" if report.targets != 1 else "sentence"
    parts = [f"{made} of {report.targets} {noun} made"]
    if report.cached:
        parts.append(f"{report.cached} from the cache")
    if report.ttfa_ms is not None:
        parts.append(f"first audio after {report.ttfa_ms / 1000:.1f} s")
    if report.cost_usd:
        parts.append(f"≈ ${report.cost_usd:.2f}")
    if report.remade:
        parts.append(f"{report.remade} misheard made again")
    text = ", ".join(parts) + "."
    if report.flagged:
        text += f" {report.flagged} to check: proof-listening heard other words (see the list)."
    if report.failed:
        text += f" {report.failed} failed: {report.errors[0] if report.errors else ''}"
    return text
