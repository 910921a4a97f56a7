"""New voice from a sample: record or open speech, consent, and have the provider clone it.

Record (with a level meter) or open 1–2 minutes of speech, tick the consent statement, and
have the provider clone it. The consent is kept with the voice.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.audio.codec import decode
from audio_studio.core.context import StudioContext
from audio_studio.core.errors import StudioError
from audio_studio.core.jobs.runner import JobContext
from audio_studio.core.models import JobKind
from audio_studio.core.narration import NarrationService
from audio_studio.core.narration.voices import (
    CONSENT_STATEMENT,
    MAX_SAMPLE_S,
    ClonedVoice,
    sample_notes,
)
from audio_studio.core.recordings import RecordingRequest, RecordingService, RecordingSession
from audio_studio.ui import messages
from audio_studio.ui.bridge import JobController
from audio_studio.ui.narration.view_model import run_soon
from audio_studio.ui.tasks import asyncSlot, spawn
from audio_studio.ui.widgets.folders import RecentFolders
from audio_studio.ui.widgets.level_meter import LevelMeter
from audio_studio.ui.widgets.player_bar import clock


class CloneVoiceDialog(QDialog):
    """Record or open a sample, tick consent, clone.

    Signals:
        voice_cloned(object): the new Voice, after the provider made it.
    """

    voice_cloned = Signal(object)

    def __init__(
        self,
        ctx: StudioContext,
        narration: NarrationService,
        recordings: RecordingService,
        controller: JobController,
        provider_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New voice from a sample")
        self.ctx = ctx
        self.narration = narration
        self.recordings = recordings
        self.controller = controller
        self.provider_id = provider_id
        self.sample: Path | None = None
        self.session: RecordingSession | None = None
        self.result_voice: ClonedVoice | None = None
        name = ctx.registry.spec(provider_id).info.name
        intro = QLabel(
            f"{name} makes a voice from 1–2 minutes of clear speech by one person, with no music "
            "or noise behind it. Record it here or open a recording."
        )
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. My narration voice")
        self.record_button = QPushButton("Record")
        self.open_button = QPushButton("Open a recording…")
        self.meter = LevelMeter()
        self.clock = QLabel("")
        self.sample_label = QLabel("No sample yet.")
        self.sample_label.setWordWrap(True)
        self.consent = QCheckBox("I confirm:")
        consent_text = QLabel(CONSENT_STATEMENT)
        consent_text.setWordWrap(True)
        self.denoise = QCheckBox("Remove background noise")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.clone_button = QPushButton(f"Clone on {name}")
        self.clone_button.setDefault(True)
        close = QPushButton("Close")
        sample_row = QHBoxLayout()
        for w in (self.record_button, self.open_button, self.clock):
            sample_row.addWidget(w)
        sample_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Sample", sample_row)
        form.addRow("", self.meter)
        form.addRow("", self.sample_label)
        consent_row = QHBoxLayout()
        consent_row.addWidget(self.consent, 0, Qt.AlignmentFlag.AlignTop)
        consent_row.addWidget(consent_text, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.clone_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(consent_row)
        layout.addWidget(self.denoise)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._tick = QTimer(self)
        self._tick.setInterval(200)
        self._tick.timeout.connect(self._on_tick_timeout)
        self.record_button.clicked.connect(self._on_record_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.clone_button.clicked.connect(self._on_clone_clicked)
        close.clicked.connect(self.reject)
        self.name.textChanged.connect(self._on_inputs_changed)
        self.consent.toggled.connect(self._on_inputs_changed)
        self._on_inputs_changed()

    # -- the sample --------------------------------------------------------------------------

    @asyncSlot()
    async def _on_record_clicked(self) -> None:
        await (self.stop_recording() if self.session else self.start_recording())

    async def start_recording(self) -> None:
        request = RecordingRequest(title="Voice sample", max_seconds=MAX_SAMPLE_S)
        try:
            self.session = await self.recordings.start(request)
        except StudioError as exc:
            self._say(messages.describe(exc).text, error=True)
            return
        self.meter.set_source(self.session.levels)
        self.meter.start()
        self._tick.start()
        self.record_button.setText("Stop")
        self._say("Recording… read something aloud for 1–2 minutes.")

    async def stop_recording(self) -> None:
        session, self.session = self.session, None
        self._tick.stop()
        self.meter.stop()
        self.record_button.setText("Record")
        if session is None:
            return
        try:
            item = await self.recordings.finish(session)
        except StudioError as exc:
            self._say(messages.describe(exc).text, error=True)
            return
        audio = item.file("audio")
        if audio is not None:
            await self.use_file(audio.path)

    @Slot()
    def _on_tick_timeout(self) -> None:
        session = self.session
        if session is None:
            return
        seconds = session.levels().seconds
        self.clock.setText(f"{clock(seconds)} / {clock(MAX_SAMPLE_S)}")
        if session.recorder.frames and seconds >= MAX_SAMPLE_S - 0.1:
            run_soon(self.stop_recording)

    @Slot()
    def _on_open_clicked(self) -> None:
        # A plain slot: a modal dialog inside a task would stop every other task meanwhile.
        folders = RecentFolders(self.ctx)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a voice sample", str(folders.start("sample")),
            "Audio (*.wav *.flac *.mp3 *.ogg *.opus *.m4a)",
        )  # fmt: skip
        if path:
            folders.remember("sample", path)
            spawn(self.use_file(Path(path)), owner=self)

    async def use_file(self, path: Path) -> None:
        try:
            audio = await asyncio.to_thread(decode, path)
        except StudioError as exc:
            self._say(messages.describe(exc).text, error=True)
            return
        self.sample = path
        notes = " ".join(sample_notes(audio.duration_s))
        self.sample_label.setText(f"{path.name}: {audio.duration_s:.0f} s. {notes}".strip())
        self._say("")
        self._on_inputs_changed()

    # -- cloning -----------------------------------------------------------------------------

    @Slot()
    def _on_inputs_changed(self) -> None:
        ready = bool(self.name.text().strip() and self.sample and self.consent.isChecked())
        self.clone_button.setEnabled(ready)
        if not self.consent.isChecked():
            self.clone_button.setToolTip("Tick the consent statement first")
        else:
            self.clone_button.setToolTip("")

    @asyncSlot()
    async def _on_clone_clicked(self) -> None:
        await self.clone()

    async def clone(self) -> ClonedVoice | None:
        sample = self.sample
        if sample is None:
            self._say("Record or open a sample first.", error=True)
            return None

        async def work(ctx: JobContext) -> ClonedVoice:
            ctx.report(None, "Uploading the sample…")
            return await self.narration.clone_voice(
                self.provider_id,
                name=self.name.text(),
                sample=sample,
                consent_given=self.consent.isChecked(),
                remove_background_noise=self.denoise.isChecked(),
            )

        self.clone_button.setEnabled(False)
        self._say("Cloning…")
        job = self.controller.submit(
            JobKind.VOICE_CLONE, f"Voice: {self.name.text()}", work, provider=self.provider_id
        )
        try:
            result = await job.result()
        except StudioError as exc:
            self._say(messages.describe(exc).text, error=True)
            return None
        except asyncio.CancelledError:
            if not job.task.cancelled():
                raise
            self._say("Cancelled.")
            return None
        finally:
            self._on_inputs_changed()
        self.result_voice = result
        notes = " ".join(result.notes)
        self._say(f"“{result.voice.name}” is ready and chosen in the voice list. {notes}".strip())
        self.voice_cloned.emit(result.voice)
        return result

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b42828;" if error else "")

    def reject(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            run_soon(lambda: self.recordings.discard(session))
        super().reject()
