"""The Music page: a prompt (with lyrics or instrumental) and a length, and the list of music jobs.

Music beds are long jobs that may outlive the window. Each starts as a runner job whose id is
the persisted job's id, so the Jobs dock, this list and `audio-studio jobs` talk about the same
thing. The list can cancel a job on the provider (the dock's Cancel only stops waiting), keep
waiting for one that outlived its deadline or a restart, and play what finished.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import AuthenticationError, ConfigurationError, StudioError
from audio_studio.core.jobs.runner import Job, JobContext, JobSnapshot
from audio_studio.core.models import Capability, JobKind, MusicRequest
from audio_studio.core.sound import MusicService
from audio_studio.core.sound.music import MusicOutcome
from audio_studio.core.sound.music_board import QueueClock
from audio_studio.core.sound.variations import cost_line
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui import messages
from audio_studio.ui.bridge import JobController
from audio_studio.ui.sound.music_jobs import MusicJobTable
from audio_studio.ui.tasks import asyncSlot, spawn
from audio_studio.ui.widgets.needs import NeedsBanner
from audio_studio.ui.widgets.player_bar import PlayerBar

log = logging.getLogger(__name__)

# What each provider accepts (seconds); others take what they are given.
_DURATIONS = {"elevenlabs": (10.0, 300.0), "replicate": (1.0, 30.0)}
_NO_LYRICS = {"replicate": "MusicGen makes instrumental music: lyrics are not used."}


_NO_PROMPT = "Describe the music to generate."


class MusicPage(QWidget):
    """Music: the form, the job list and a player for finished songs."""

    def __init__(self, ctx: StudioContext, music: MusicService, controller: JobController) -> None:
        super().__init__()
        self.ctx = ctx
        self.music = music
        self.controller = controller
        self.clock = QueueClock()
        self.banner = NeedsBanner()
        self.provider = QComboBox()
        self.provider.setAccessibleName("Music provider")
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("e.g. calm lo-fi piano bed, 80 bpm, vinyl crackle")
        self.lyrics = QPlainTextEdit()
        self.lyrics.setPlaceholderText("Lyrics (optional)")
        self.lyrics.setMaximumHeight(70)
        self.lyrics.setTabChangesFocus(True)
        self.instrumental = QCheckBox("Instrumental (no vocals)")
        self.duration = QDoubleSpinBox()
        self.duration.setRange(1, 600)
        self.duration.setValue(30)
        self.duration.setSuffix(" s")
        self.generate_button = QPushButton("Generate")
        self._setup_error = False  # the message is a key, address or budget problem
        self.key_note = QLabel()  # the chosen provider needs a key the studio does not have
        self.key_note.setObjectName("musicKeyNote")
        self.key_note.setWordWrap(True)
        self.key_note.setStyleSheet("color: #b42828;")
        self.key_note.hide()
        self.cost = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.jobs = MusicJobTable()
        self.player_bar = PlayerBar.for_context(ctx)
        self.player_bar.setMaximumHeight(130)
        form = QFormLayout()
        form.addRow("Provider", self.provider)
        form.addRow(self.key_note)
        form.addRow("Prompt", self.prompt)
        form.addRow("Lyrics", self.lyrics)
        form.addRow(self.instrumental)
        form.addRow("Duration", self.duration)
        row = QHBoxLayout()
        row.addWidget(self.generate_button)
        row.addWidget(self.cost, 1)
        hint = QLabel(
            "Jobs continue on the provider when the studio is closed and are picked up at the "
            "next start; finished music lands in History."
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.jobs, 1)
        layout.addWidget(hint)
        layout.addWidget(self.player_bar)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        self._cost_timer = QTimer(self)
        self._cost_timer.setSingleShot(True)
        self._cost_timer.setInterval(250)
        self._cost_timer.timeout.connect(self._on_cost_timer_timeout)
        self.provider.currentIndexChanged.connect(self._on_provider_current_index_changed)
        self.duration.valueChanged.connect(self._cost_timer.start)
        self.prompt.textChanged.connect(self._on_prompt_text_changed)
        self.generate_button.clicked.connect(self._on_generate_button_clicked)
        self.jobs.cancel_requested.connect(self._on_jobs_cancel_requested)
        self.jobs.keep_waiting_requested.connect(self._on_jobs_keep_waiting_requested)
        self.jobs.stop_requested.connect(self._on_jobs_stop_requested)
        self.jobs.play_requested.connect(self._on_jobs_play_requested)
        controller.job_changed.connect(self._on_controller_job_changed)
        controller.history_changed.connect(self.schedule_refresh)
        for snapshot in controller.runner.jobs():
            self.clock.observe(snapshot)
        self.refresh_providers()
        self.schedule_refresh()

    # -- providers ---------------------------------------------------------------------------

    def refresh_providers(self) -> None:
        current = self.provider.currentData() or self.ctx.settings.music_provider
        self.provider.blockSignals(True)
        self.provider.clear()
        for spec in self.ctx.registry.for_capability(Capability.MUSIC):
            self.provider.addItem(spec.info.name, spec.info.id)
        self.provider.setCurrentIndex(max(0, self.provider.findData(current)))
        self.provider.blockSignals(False)
        self._on_provider_current_index_changed()

    @property
    def provider_id(self) -> str:
        return str(self.provider.currentData() or "")

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.provider, self.prompt, self.instrumental, self.duration):
            widget.setEnabled(enabled)
        self.generate_button.setEnabled(enabled)
        self.lyrics.setEnabled(enabled and self.provider_id not in _NO_LYRICS)

    # -- actions -----------------------------------------------------------------------------

    def request(self) -> MusicRequest:
        lyrics = self.lyrics.toPlainText().strip()
        return MusicRequest(
            prompt=self.prompt.text().strip(),
            duration_s=self.duration.value(),
            lyrics=lyrics if lyrics and self.lyrics.isEnabled() else None,
            instrumental=self.instrumental.isChecked(),
        )

    async def generate(self) -> Job[MusicOutcome] | None:
        """Check the cost and start a music job; its row shows in the list at once."""
        request, pid = self.request(), self.provider_id
        self.message.clear()
        if not request.prompt:
            self.message.setText(_NO_PROMPT)
            return None
        try:
            check = await self.ctx.preflight(
                pid, Capability.MUSIC, request.model, seconds=request.duration_s
            )
        except StudioError as exc:
            self.message.setText(messages.status_text(exc))
            self._setup_error = isinstance(exc, ConfigurationError | AuthenticationError)
            return None
        self.cost.setText(cost_line(check))
        if check.blocked:
            self.message.setText(check.blocked)
            return None
        if not await messages.agree_to_unknown_cost(self, self.ctx, check):
            return None
        jid = f"music-{uuid.uuid4().hex[:12]}"

        async def work(ctx: JobContext) -> MusicOutcome:
            return await self.music.generate(
                request, provider_id=pid, job_id=jid, progress=ctx.report
            )

        title = " ".join(request.prompt.split())[:60]
        job = self.controller.submit(JobKind.MUSIC, title, work, provider=pid, job_id=jid)
        if check.warning:
            self.message.setText(check.warning)
        self.schedule_refresh()
        return job

    async def cancel_remote(self, job_id: str) -> None:
        """Stop the job at the provider; its row says Cancelled."""
        try:
            await self.music.cancel(job_id)
        except StudioError as exc:
            self.message.setText(messages.status_text(exc))
        await self.refresh_jobs()

    def keep_waiting(self, job_id: str) -> Job[MusicOutcome] | None:
        """Poll a job again (after its deadline, or one a previous run left behind)."""
        row = self.jobs.music_row(job_id)
        if row is None:
            return None

        async def work(ctx: JobContext) -> MusicOutcome:
            return await self.music.resume(job_id, progress=ctx.report)

        self.message.clear()
        try:
            job = self.controller.submit(
                JobKind.MUSIC, row.prompt[:60], work, provider=row.provider, job_id=job_id
            )
        except ValueError:  # it is being waited for already
            return None
        self.schedule_refresh()
        return job

    async def play(self, job_id: str) -> None:
        row = self.jobs.music_row(job_id)
        if row is None or row.item_id is None:
            return
        item = await asyncio.to_thread(self.ctx.history.get, row.item_id)
        record = item.file() if item is not None else None
        if record is None:
            self.message.setText("The audio of this job is no longer in History.")
            return
        try:
            await self.player_bar.load_file(record.path)
        except StudioError:
            return  # the bar shows why
        await self.player_bar.toggle()

    async def refresh_jobs(self) -> None:
        try:
            rows = await self.music.rows(self.clock)
        except StudioError as exc:
            self.message.setText(messages.status_text(exc))
            return
        self.jobs.set_rows(rows)

    def open_music(self, item: HistoryItem) -> None:
        """Show a History music item: its prompt and settings in the form, its row selected."""
        index = self.provider.findData(item.provider)
        if index >= 0:
            self.provider.setCurrentIndex(index)
        self.prompt.setText(item.prompt)
        self.lyrics.setPlainText(str(item.params.get("lyrics") or ""))
        self.instrumental.setChecked(bool(item.params.get("instrumental")))
        duration = item.params.get("duration_s") or item.duration_s
        if isinstance(duration, int | float):
            self.duration.setValue(float(duration))
        if item.job_id and (n := self.jobs.row_for(item.job_id)) is not None:
            self.jobs.selectRow(n)

    @Slot()
    def schedule_refresh(self) -> None:
        """Re-read the list soon; a job reporting often must not postpone it forever."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    # -- slots -------------------------------------------------------------------------------

    @Slot()
    def _on_provider_current_index_changed(self) -> None:
        low, high = _DURATIONS.get(self.provider_id, (5.0, 600.0))
        self.duration.setRange(low, high)
        note = _NO_LYRICS.get(self.provider_id)
        self.lyrics.setEnabled(note is None and self.generate_button.isEnabled())
        self.lyrics.setToolTip(note or "Sung words; leave empty for the model to choose")
        self._cost_timer.start()

    @Slot()
    def _on_cost_timer_timeout(self) -> None:
        spawn(self.update_cost(), owner=self)

    async def update_cost(self) -> None:
        if not self.provider_id:
            return
        await self._show_key_need(self.provider_id)
        try:
            check = await self.ctx.preflight(
                self.provider_id, Capability.MUSIC, seconds=self.duration.value()
            )
        except StudioError as exc:
            self.cost.setText(exc.message)
            return
        self.cost.setText(cost_line(check))

    @Slot(str)
    def _on_prompt_text_changed(self, text: str) -> None:
        if text.strip() and self.message.text() == _NO_PROMPT:
            self.message.clear()  # its cause is gone

    def setup_done(self) -> None:
        """Settings closed: a key or address problem shown may be fixed (Generate says if not)."""
        if self._setup_error:
            self.message.clear()
            self._setup_error = False

    async def _show_key_need(self, pid: str) -> None:
        """Say so when the chosen provider needs a key that is not stored (the default one
        often does), and which providers would work now."""
        info = self.ctx.registry.spec(pid).info
        missing = info.needs_key and not await self.ctx.has_api_key(pid)
        if pid != self.provider_id:
            return  # another provider was chosen meanwhile
        if missing:
            ready = [
                s.info.name
                for s in self.ctx.registry.for_capability(Capability.MUSIC)
                if s.info.id != pid
                and (not s.info.needs_key or await self.ctx.has_api_key(s.info.id))
            ]
            other = f", or choose {' or '.join(ready)}" if ready else ""
            self.key_note.setText(
                f"{info.name} needs an API key: add it in Settings → Providers{other}."
            )
        self.key_note.setVisible(missing)

    @Slot(object)
    def _on_controller_job_changed(self, snapshot: JobSnapshot) -> None:
        if snapshot.kind is JobKind.MUSIC:
            self.clock.observe(snapshot)
            self.schedule_refresh()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        spawn(self.refresh_jobs(), owner=self)

    @asyncSlot()
    async def _on_generate_button_clicked(self) -> None:
        await self.generate()

    @asyncSlot(str)
    async def _on_jobs_cancel_requested(self, job_id: str) -> None:
        await self.cancel_remote(job_id)

    @Slot(str)
    def _on_jobs_keep_waiting_requested(self, job_id: str) -> None:
        self.keep_waiting(job_id)

    @Slot(str)
    def _on_jobs_stop_requested(self, job_id: str) -> None:
        self.controller.cancel(job_id)

    @asyncSlot(str)
    async def _on_jobs_play_requested(self, job_id: str) -> None:
        await self.play(job_id)
