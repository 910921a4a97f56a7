"""Transcription tab: record or drop audio, read along, correct, search, export and summarise.

The tab is the layout and the wiring; the work lives in TranscriptionFlow (flow.py):
jobs for files and takes, the offline fallback, loading from History, saving edits, exports,
summaries and translations. Correcting tools have their own objects: CorrectionBar
(corrections.py: speed, split, merge, nudges, find and replace), SegmentEdges
(segment_edges.py: the selected line's edges on the waveform) and TransportKeys
(transport_keys.py: keys that work while typing). Public entry points for other parts of the studio:

- ``open_item(item)`` (async): show a RECORDING, TRANSCRIPT or SUMMARY row from History.
- ``send_to_narration(text, title)``: "Read back" of a summary (the window routes it).

Signals:
    send_to_narration(str, str): text and title for the Narration editor.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.models import Capability
from audio_studio.core.recordings import RecordingService
from audio_studio.core.store.history import HistoryItem
from audio_studio.core.transcription import TranscriptionService
from audio_studio.core.transcription.exports import EXPORT_FORMATS
from audio_studio.core.transcription.links import is_link
from audio_studio.ui.bridge import JobController
from audio_studio.ui.tasks import asyncSlot, spawn
from audio_studio.ui.transcription.corrections import CorrectionBar
from audio_studio.ui.transcription.flow import AUDIO_EXTENSIONS, TranscriptionFlow
from audio_studio.ui.transcription.options import SttOptions
from audio_studio.ui.transcription.queue import TranscriptionQueue
from audio_studio.ui.transcription.recorder_panel import RecorderPanel
from audio_studio.ui.transcription.segment_edges import SegmentEdges
from audio_studio.ui.transcription.speakers_page import VoiceMemory
from audio_studio.ui.transcription.transcript_view import TranscriptView
from audio_studio.ui.transcription.transport_keys import TransportKeys
from audio_studio.ui.widgets.folders import RecentFolders
from audio_studio.ui.widgets.needs import NeedsBanner, provider_need
from audio_studio.ui.widgets.player_bar import PlayerBar
from audio_studio.ui.widgets.shortcuts import TabActions

EXPORT_LABELS = {
    "txt": "Text (TXT)", "srt": "Captions (SRT)", "vtt": "Captions (VTT)",
    "ass": "Styled captions (ASS)", "ttml": "Captions (TTML)", "json": "Data (JSON)",
    "md": "Markdown", "docx": "Word (DOCX)", "html": "Web page (HTML)", "csv": "Table (CSV)",
    "pdf": "PDF",
}  # fmt: skip


LANGUAGES = [
    "English", "Spanish", "French", "German", "Italian", "Portuguese", "Dutch", "Polish",
    "Ukrainian", "Russian", "Turkish", "Arabic", "Hindi", "Chinese", "Japanese", "Korean",
]  # fmt: skip


class TranscriptionTab(QWidget):
    """The Transcription tab: record or open audio, read along, correct, export, summarise.

    Signals:
        send_to_narration(str, str): text and title for the Narration tab (Read back).
    """

    send_to_narration = Signal(str, str)

    def __init__(
        self,
        ctx: StudioContext,
        transcription: TranscriptionService,
        recordings: RecordingService,
        controller: JobController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptionTab")
        self.ctx = ctx
        self.controller = controller
        self.setAcceptDrops(True)
        self.banner = NeedsBanner()

        # Left: inputs, queue, options, search across transcripts.
        self.recorder = RecorderPanel(ctx, recordings)
        self.open_button = QPushButton("Open files…")
        self.open_button.setToolTip("Transcribe audio or video files (or drop them on this tab)")
        self.drop_hint = QLabel("or drop files here")
        self.link = QLineEdit()
        self.link.setObjectName("transcribeLink")
        self.link.setPlaceholderText("or paste a link to audio, then Enter")
        self.link.setToolTip(
            "The web address of an audio file (https://…/meeting.mp3). A provider that fetches "
            "files itself (ImaRouter) gets the link; for the others the studio downloads it first."
        )
        self.link.setClearButtonEnabled(True)
        self.queue = TranscriptionQueue()
        self.options = SttOptions(ctx)
        self.preflight = QLabel("")
        self.preflight.setObjectName("sttPreflight")
        self.preflight.setWordWrap(True)
        self.find_all = QLineEdit()
        self.find_all.setObjectName("findAllTranscripts")
        self.find_all.setPlaceholderText("Find in all transcripts")
        self.find_all.setClearButtonEnabled(True)
        self.found = QListWidget()
        self.found.setObjectName("foundTranscripts")
        self.found.setMaximumHeight(120)
        self.found.hide()

        # Right: what is open.
        self.title = QLabel("")
        self.title.setObjectName("transcriptTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.versions = QComboBox()
        self.versions.setObjectName("transcriptVersions")
        self.versions.setToolTip("Every transcript of this recording: switch between them")
        # A steady width (the list opens wide): long version names must not widen the window.
        self.versions.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.versions.setMinimumContentsLength(12)
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setToolTip("Two transcripts of this recording side by side")
        self.again_button = QPushButton("Transcribe again")
        self.again_button.setToolTip("Transcribe this recording again with the options on the left")
        self.player = PlayerBar.for_context(ctx)
        self.player.setMaximumHeight(130)
        self.view = TranscriptView()
        self.summary_box = QGroupBox("Summary")
        self.summary_text = QTextBrowser()
        self.summary_text.setObjectName("summaryText")
        self.summary_text.setMinimumHeight(60)
        self.read_back_button = QPushButton("Read back")
        self.read_back_button.setToolTip("Send the summary to the Narration tab")
        self.corrections = CorrectionBar(self.view, self.player)
        self.corrections.set_speed(ctx.settings.playback_speed, remember=False)
        self.edges = SegmentEdges(self.player.waveform, self) if self.player.waveform else None
        self.export_format = QComboBox()
        self.export_format.setObjectName("exportFormat")
        for fmt in EXPORT_FORMATS:
            self.export_format.addItem(EXPORT_LABELS.get(fmt, fmt.upper()), fmt)
        self.export_format.setCurrentIndex(EXPORT_FORMATS.index("srt"))
        # Narrow when closed (the list opens wide): the row must fit a 1024-pixel window.
        self.export_format.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.export_format.setMinimumContentsLength(12)
        self.export_format.setToolTip(
            "Captions are re-cut to the norms in Settings → Transcription; documents carry "
            "the summary and speakers"
        )
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the transcript in the chosen format")
        self.translate_button = QPushButton("Translate…")
        self.translate_button.setToolTip(
            "Translate with the chat model; kept as another transcript with the same timings"
        )
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the transcript as text")
        self.summarise_button = QPushButton("Summarise")
        self.summarise_button.setToolTip("A summary and action items from a chat model")
        self.status = QLabel("")
        self.status.setObjectName("transcriptionStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._layout()
        self.flow = TranscriptionFlow(self, self, ctx, transcription, controller)
        self.voices = VoiceMemory(self)  # renamed speakers are remembered by voice
        self.view.model.modelReset.connect(self.recorder.live.clear)  # the full text replaces it
        self.keys = TransportKeys(self, self.player, self.corrections)
        self.tab_actions = self._main_actions()
        self.folders = RecentFolders(ctx)
        self._preflight_timer = QTimer(self)
        self._preflight_timer.setSingleShot(True)
        self._preflight_timer.setInterval(250)
        self._connect()
        self.refresh_availability()
        self._preflight_timer.start()

    def _main_actions(self) -> TabActions:
        """The keys every tab shares (shortcuts.py), on this tab's buttons."""
        keys = TabActions(self)
        keys.add("open", "Open files…", self.open_button)
        keys.add("run", "Transcribe again", self.again_button)
        keys.add("stop", "Stop transcribing", self._stop_running)
        keys.add("export", "Export…", self.export_button)
        keys.add("record", "Record", self.recorder.record_button)
        keys.add("find", "Find in the transcript", self._find)
        keys.add("play", "Play or pause", self.keys.play_pause)
        return keys

    def _stop_running(self) -> None:
        job = self.flow.last_job
        if job is not None and not job.task.done():
            self.controller.cancel(job.id)

    def _find(self) -> None:
        self.view.search.setFocus()
        self.view.search.selectAll()

    def _layout(self) -> None:
        record_box = QGroupBox("Record")
        QVBoxLayout(record_box).addWidget(self.recorder)
        open_row = QHBoxLayout()
        open_row.addWidget(self.open_button)
        open_row.addWidget(self.drop_hint, 1)
        options_box = QGroupBox("Options")
        options_layout = QVBoxLayout(options_box)
        options_layout.addWidget(self.options)
        options_layout.addWidget(self.preflight)
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 2, 0)  # the splitter and the tab keep the edges
        left.addWidget(record_box)
        left.addLayout(open_row)
        left.addWidget(self.link)
        left.addWidget(self.queue, 1)
        left.addWidget(options_box)
        left.addWidget(self.find_all)
        left.addWidget(self.found)
        left_widget = QWidget()
        left_widget.setLayout(left)

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(QLabel("Transcript"))
        head.addWidget(self.versions)
        head.addWidget(self.compare_button)
        head.addWidget(self.again_button)
        summary_layout = QHBoxLayout(self.summary_box)
        summary_layout.addWidget(self.summary_text, 1)
        summary_side = QVBoxLayout()
        summary_side.addWidget(self.read_back_button)
        summary_side.addStretch(1)
        summary_layout.addLayout(summary_side)
        self.summary_box.hide()
        actions = QHBoxLayout()
        actions.addWidget(self.export_format)
        actions.addWidget(self.export_button)
        actions.addWidget(self.copy_button)
        actions.addStretch(1)
        actions.addWidget(self.translate_button)
        actions.addWidget(self.summarise_button)
        # The summary shares the height with the transcript; the user moves the line between.
        reading = QSplitter(Qt.Orientation.Vertical)
        reading.addWidget(self.view)
        reading.addWidget(self.summary_box)
        reading.setStretchFactor(0, 4)
        reading.setStretchFactor(1, 1)
        reading.setChildrenCollapsible(False)
        reading.setSizes([480, 180])
        right = QVBoxLayout()
        right.setContentsMargins(2, 0, 0, 0)
        right.addLayout(head)
        right.addWidget(self.player)
        right.addWidget(self.corrections)
        right.addWidget(reading, 1)
        right.addLayout(actions)
        right.addWidget(self.status)
        right_widget = QWidget()
        right_widget.setLayout(right)

        split = QSplitter()
        split.addWidget(left_widget)
        split.addWidget(right_widget)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([360, 880])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)

    def _connect(self) -> None:
        flow = self.flow
        self.recorder.recorded.connect(self._on_recorder_recorded)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.link.returnPressed.connect(self._on_link_return_pressed)
        self.queue.open_requested.connect(self._on_queue_open_requested)
        self.queue.cancel_requested.connect(self._on_queue_cancel_requested)
        self.queue.finish_offline_requested.connect(self._on_queue_finish_offline_requested)
        self.options.changed.connect(self._preflight_timer.start)
        self._preflight_timer.timeout.connect(self._on_preflight_timer_timeout)
        self.find_all.returnPressed.connect(self._on_find_all_return_pressed)
        self.found.itemActivated.connect(self._on_found_item_activated)
        self.versions.activated.connect(self._on_versions_activated)
        self.compare_button.clicked.connect(self._on_compare_button_clicked)
        self.again_button.clicked.connect(self._on_again_button_clicked)
        self.player.position_changed.connect(self.view.set_position)
        self.view.seek_requested.connect(self._on_view_seek_requested)
        self.view.edited.connect(flow.schedule_save)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.translate_button.clicked.connect(self._on_translate_button_clicked)
        self.corrections.message.connect(self.status.setText)
        self.corrections.speed_changed.connect(self._on_corrections_speed_changed)
        self.view.list.selectionModel().currentChanged.connect(self._on_segment_changed)
        self.view.model.edited.connect(self._on_segment_changed)
        self.view.model.modelReset.connect(self._on_segment_changed)
        if self.edges is not None:
            self.edges.times_changed.connect(self._on_edges_times_changed)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.summarise_button.clicked.connect(self._on_summarise_button_clicked)
        self.read_back_button.clicked.connect(self._on_read_back_button_clicked)
        self.controller.job_changed.connect(flow.on_job_changed)
        self.controller.job_finished.connect(self._on_controller_job_finished)
        self.controller.job_failed.connect(flow.on_job_failed)
        self.controller.job_cancelled.connect(flow.on_job_cancelled)

    # -- public ------------------------------------------------------------------------------

    def hold_saves(self) -> None:
        """The window closes: corrections wait for ``save_pending``, not for a timer."""
        self.flow.hold_save()

    async def save_pending(self) -> None:
        """Save corrections not saved yet (the window is closing)."""
        await self.flow.flush()

    async def open_item(self, item: HistoryItem) -> None:
        """Show a recording (its newest transcript), a transcript, or a summary's transcript."""
        await self.flow.open_item(item)

    def refresh_availability(self) -> None:
        need = provider_need(self.ctx, Capability.TRANSCRIPTION, "Transcription")
        self.banner.show_need(need)
        for widget in (
            self.recorder, self.open_button, self.link, self.options, self.again_button
        ):  # fmt: skip
            widget.setEnabled(need is None)
        self.flow.setup_done()
        self.update_actions()

    def update_actions(self) -> None:
        """Enable what makes sense for what is open."""
        has_text = self.flow.item is not None
        for widget in (self.export_format, self.export_button, self.copy_button,
                       self.summarise_button, self.translate_button, self.corrections.split_button,
                       self.corrections.merge_button, self.corrections.replace_button):  # fmt: skip
            widget.setEnabled(has_text)
        has_recording = self.flow.recording is not None
        self.again_button.setEnabled(has_recording and not self.banner.isVisible())
        self.compare_button.setEnabled(self.versions.count() > 1)
        self.versions.setEnabled(self.versions.count() > 0)

    # -- drag and drop -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if any(u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in AUDIO_EXTENSIONS
               for u in urls) or _links(event.mimeData()):  # fmt: skip
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        links = _links(event.mimeData())
        if paths:
            self.flow.add_files(paths)
        for link in links:  # a link dragged from a browser
            self.flow.add_link(link)
        if paths or links:
            event.acceptProposedAction()

    # -- slots -------------------------------------------------------------------------------

    @Slot(object)
    def _on_recorder_recorded(self, item: HistoryItem) -> None:
        self.flow.transcribe_recording(item, open_now=True)

    @Slot()
    def _on_open_button_clicked(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in AUDIO_EXTENSIONS)
        start = str(self.folders.start("transcribe"))
        files, _ = QFileDialog.getOpenFileNames(
            self, "Transcribe files", start, f"Audio and video ({patterns})"
        )
        if files:
            self.folders.remember("transcribe", files[0])
            self.flow.add_files([Path(f) for f in files])

    @Slot()
    def _on_link_return_pressed(self) -> None:
        if self.flow.add_link(self.link.text()) is not None:
            self.link.clear()

    @Slot(float)
    def _on_view_seek_requested(self, seconds: float) -> None:
        self.player.seek_and_explain(seconds)

    @asyncSlot(str)
    async def _on_queue_open_requested(self, job_id: str) -> None:
        await self.flow.open_job(job_id)

    @Slot(str)
    def _on_queue_cancel_requested(self, job_id: str) -> None:
        self.controller.cancel(job_id)

    @Slot(str)
    def _on_queue_finish_offline_requested(self, job_id: str) -> None:
        self.flow.finish_offline(job_id)

    @asyncSlot()
    async def _on_preflight_timer_timeout(self) -> None:
        await self.options.refresh_models()  # the offline models installed now
        await self.flow.refresh_preflight()

    @asyncSlot()
    async def _on_find_all_return_pressed(self) -> None:
        await self.flow.find_in_all(self.find_all.text())

    @asyncSlot()
    async def _on_found_item_activated(self) -> None:
        await self.flow.open_found(self.found.currentRow())

    @asyncSlot(int)
    async def _on_versions_activated(self, index: int) -> None:
        await self.flow.show_version(index)

    @Slot()
    def _on_compare_button_clicked(self) -> None:
        self.flow.outputs.compare()

    @Slot()
    def _on_again_button_clicked(self) -> None:
        self.flow.transcribe_again()

    @asyncSlot()
    async def _on_controller_job_finished(self, job_id: str, result: object) -> None:
        await self.flow.on_job_finished(job_id, result)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        # A plain slot: a modal dialog inside a task would stop every other task meanwhile.
        fmt = str(self.export_format.currentData())
        target = self.flow.outputs.default_export_path(fmt)
        target = self.folders.start("transcript-export", target.parent) / target.name
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {fmt.upper()}", str(target), f"{fmt.upper()} (*.{fmt})"
        )
        if path:
            self.folders.remember("transcript-export", path)
            spawn(self.flow.outputs.export(fmt, Path(path)), owner=self)

    @asyncSlot()
    async def _on_translate_button_clicked(self) -> None:
        language, ok = QInputDialog.getItem(
            self, "Translate", "Translate this transcript into:", LANGUAGES, 0, True
        )
        if ok and language.strip():
            await self.flow.outputs.translate(language)

    @asyncSlot(float)
    async def _on_corrections_speed_changed(self, speed: float) -> None:
        await self.flow.remember(playback_speed=speed)

    @Slot()
    def _on_segment_changed(self) -> None:
        if self.edges is None:
            return
        row = self.corrections.row()
        if 0 <= row < self.view.model.rowCount():
            seg = self.view.model.segment(row)
            self.edges.set_segment(row, seg.start, seg.end)
        else:
            self.edges.set_segment(-1, 0.0, 0.0)

    @Slot(int, float, float)
    def _on_edges_times_changed(self, row: int, start: float, end: float) -> None:
        if 0 <= row < self.view.model.rowCount():
            self.corrections.set_times(row, start, end)
        self._on_segment_changed()

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        self.flow.outputs.copy_text()

    @asyncSlot()
    async def _on_summarise_button_clicked(self) -> None:
        await self.flow.outputs.summarise()

    @Slot()
    def _on_read_back_button_clicked(self) -> None:
        self.flow.outputs.read_back()


def _links(data: QMimeData) -> list[str]:
    """Web addresses in a drop (a browser's link, or text that is one)."""
    links = [u.toString() for u in data.urls() if u.scheme() in ("http", "https")]
    if not links and data.hasText() and is_link(data.text()):
        links = [data.text().strip()]
    return links
