"""The Narration tab: a script in, finished audio out, sentence by sentence.

Paste or open a script, pick provider, model and voice, read the preflight line (sentences,
characters, cost, limits, budget), press Generate and hear the first sentence while the rest
is made; then fix sentences one at a time (new take, choose take, lock), and export.
The work lives in the view-model and the core; this module is widgets and their wiring, with
files in and out in files.py, the project it holds in projects.py, a book's chapters in book.py,
what the sentence table asks for in sentences.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import (
    AuthenticationError,
    ConfigurationError,
    InputError,
    StudioError,
)
from audio_studio.core.models import AudioFormat, Capability, Voice
from audio_studio.core.narration import ExportOutcome, NarrationPlan, NarrationService
from audio_studio.core.narration.cast import Cast
from audio_studio.core.narration.casting import check_cast
from audio_studio.core.narration.preview import AudioSink, PlayerSink
from audio_studio.core.narration.project import Chunk, NarrationProject
from audio_studio.core.recordings import RecordingService
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui import messages
from audio_studio.ui.bridge import JobController
from audio_studio.ui.narration.book import BookActions
from audio_studio.ui.narration.cast_panel import CastPanel
from audio_studio.ui.narration.chapters import ChapterPanel
from audio_studio.ui.narration.chunks import ChunkList
from audio_studio.ui.narration.files import ScriptFiles
from audio_studio.ui.narration.player import StreamingPlayerBar
from audio_studio.ui.narration.projects import ProjectKeeper
from audio_studio.ui.narration.sentences import SentenceActions
from audio_studio.ui.narration.view_model import NarrationViewModel, run_soon
from audio_studio.ui.narration.voice import VoicePanel
from audio_studio.ui.tasks import asyncSlot, spawn
from audio_studio.ui.widgets.folders import RecentFolders
from audio_studio.ui.widgets.needs import NeedsBanner, provider_need
from audio_studio.ui.widgets.shortcuts import TabActions, with_key

log = logging.getLogger(__name__)

_WARN, _ERROR = "color: #9a5b00;", "color: #b42828;"
_OPEN_TIP = "Open a script, a book or subtitles (TXT, Markdown, EPUB, PDF, DOCX, HTML, SRT, VTT)"
_EXPORT_TIP = (
    "Join the takes into one audio file; a book becomes an audiobook with chapters (M4B) or a "
    "folder of chapter files, with captions"
)
_GENERATE_TIP = "Make audio for every sentence that needs it"


class NarrationTab(QWidget):
    """The Narration tab: script editor, voice panel, sentence list and player.

    Args:
        ctx: what the studio gives a feature (settings, providers, paths).
        narration: the narration service (projects, takes, export).
        recordings: for recording a voice sample to clone.
    """

    def __init__(
        self,
        ctx: StudioContext,
        narration: NarrationService,
        recordings: RecordingService,
        controller: JobController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.recordings = recordings
        self.controller = controller
        self.vm = NarrationViewModel(ctx, narration, controller, self)
        self.folders = RecentFolders(ctx)
        self.banner = NeedsBanner()
        self.open_button = QPushButton("Open script or book…")
        self.new_button = QPushButton("New")
        self.lexicon_button = QPushButton("Pronunciation…")
        self.char_count = QLabel("0 characters")
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(
            "Paste or type your script. Blank lines start paragraphs; [pause 1.5s] adds a pause."
        )
        self.preflight = QLabel("")
        self.preflight.setWordWrap(True)
        self.preflight.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.voice_panel = VoicePanel(ctx, narration)
        self.cast_panel = CastPanel(ctx)
        self.live = QCheckBox("Play while generating")
        self.live.setChecked(True)
        self.proof = QCheckBox("Listen to each take (proof)")
        self.proof.setToolTip(
            "The offline recogniser hears every take; one that says other words, or is far too "
            "short or long, is marked “check” and made once more. On by default for offline "
            "voices; kept with the project."
        )
        self.proof_remake = QCheckBox("Make misheard takes again once")
        self.proof_remake.setToolTip(
            "A take marked “check” is made once more and the take heard right is kept"
        )
        self.generate_button = QPushButton("Generate")
        self.generate_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.export_button = QPushButton("Export…")
        self.other_voice = QLabel("")  # takes in another voice are kept: say so
        self.other_voice.setWordWrap(True)
        self.remake_button = QPushButton("Remake all in this voice")
        self.remake_button.setToolTip(
            "Make every unlocked sentence again in the voice chosen now (takes already in it "
            "stay; the other takes are kept, and you can choose them back)"
        )
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setVisible(False)
        # What the status line's error is about, so it goes when that is fixed: "empty" (the
        # script), "setup" (a key, base URL or budget), or "" (a run's outcome, kept).
        self._status_cause = ""
        self.chapters = ChapterPanel()
        self.chapters.hide()  # shown for a book or a script with chapters
        self.chunks = ChunkList()
        self.chunks.model.set_project(self.vm.project)
        self.player_bar = StreamingPlayerBar.for_context(ctx)
        self.files = ScriptFiles(self)
        self.projects = ProjectKeeper(self)
        self.sentences = SentenceActions(self)
        self._build_layout()
        self._connect()
        self._keys_and_tips()
        self._script_timer = QTimer(self)
        self._script_timer.setSingleShot(True)
        self._script_timer.setInterval(300)
        self._script_timer.timeout.connect(self._on_script_timer_timeout)
        self._plan_timer = QTimer(self)
        self._plan_timer.setSingleShot(True)
        self._plan_timer.setInterval(250)
        self._plan_timer.timeout.connect(self._on_plan_timer_timeout)
        self._unsynced = self._unsaved = False  # what the closing window held back
        self.setAcceptDrops(True)  # a book or script dropped on the tab opens
        self.book = BookActions(self, self.chapters)
        self.refresh_availability()
        self._show_other_voice(None)
        self._set_busy(False)
        QTimer.singleShot(0, self._on_first_show)

    def _build_layout(self) -> None:
        script_bar = QHBoxLayout()
        for button in (self.open_button, self.new_button, self.lexicon_button):
            script_bar.addWidget(button)
        script_bar.addStretch(1)
        script_bar.addWidget(self.char_count)
        script = QVBoxLayout()
        script.setContentsMargins(0, 0, 0, 0)
        script.addLayout(script_bar)
        book = QSplitter()
        book.addWidget(self.chapters)
        book.addWidget(self.editor)
        book.setStretchFactor(0, 2)
        book.setStretchFactor(1, 3)
        script.addWidget(book, 1)
        script.addWidget(self.preflight)
        script_widget = QWidget()
        script_widget.setLayout(script)
        actions = QHBoxLayout()
        actions.addWidget(self.generate_button, 1)
        actions.addWidget(self.stop_button)
        # The voice panel scrolls on a short screen; Generate and Export stay in sight.
        voice_scroll = QScrollArea()
        voice_scroll.setWidgetResizable(True)
        voice_scroll.setFrameShape(QFrame.Shape.NoFrame)
        voice_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        voice_scroll.setMinimumWidth(self.voice_panel.minimumSizeHint().width() + 16)
        # Proof-listening is a setting of how takes are made: it scrolls with the voice, so the
        # side column stays short enough for a small screen.
        voice_page = QWidget()
        voice_layout = QVBoxLayout(voice_page)
        voice_layout.setContentsMargins(0, 0, 0, 0)
        voice_layout.addWidget(self.voice_panel)
        voice_layout.addWidget(self.proof)
        voice_layout.addWidget(self.proof_remake)
        voice_layout.addStretch(1)
        voice_scroll.setWidget(voice_page)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        # The cast beside the voice, not under it: the sentence table keeps its height.
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(voice_scroll, "Voice")
        self.side_tabs.addTab(self.cast_panel, "Cast")
        side.addWidget(self.side_tabs, 1)
        side.addWidget(self.live)
        side.addLayout(actions)
        side.addWidget(self.export_button)
        side.addWidget(self.other_voice)
        side.addWidget(self.remake_button)
        side.addWidget(self.status)
        side_scroll = QWidget()
        side_scroll.setLayout(side)
        top = QSplitter()
        top.addWidget(script_widget)
        top.addWidget(side_scroll)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        bottom = QWidget()
        lower = QVBoxLayout(bottom)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.addWidget(self.chunks, 1)
        lower.addWidget(self.player_bar)
        # The waveform stays short; the bar itself grows for its message line (a cap on the bar
        # made a two-line "no audio device" message push the waveform over the buttons).
        if self.player_bar.waveform is not None:
            self.player_bar.waveform.setMaximumHeight(64)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)

    def _keys_and_tips(self) -> None:
        # Tab leaves the script (a tab character is never wanted in a script).
        self.editor.setTabChangesFocus(True)
        self.new_button.setToolTip("Start a new, empty script (the open one stays in History)")
        self.lexicon_button.setToolTip("Say words your way: names, acronyms, jargon")
        self.live.setToolTip("Hear each sentence as soon as it is made")
        keys = self.tab_actions = TabActions(self)
        keys.add("open", "Open script…", self.open_button, _OPEN_TIP)
        keys.add("run", "Generate", self.generate_button, _GENERATE_TIP)
        keys.add("stop", "Stop", self.stop_button, "Stop making audio; finished sentences stay")
        keys.add("export", "Export…", self.export_button, _EXPORT_TIP)
        keys.add("play", "Play or pause", self._on_play_key)

    def _on_play_key(self) -> None:
        spawn(self.player_bar.toggle(), owner=self)

    def _connect(self) -> None:
        self.editor.textChanged.connect(self._on_editor_text_changed)
        self.open_button.clicked.connect(self.files.ask_open)
        self.new_button.clicked.connect(self._on_new_clicked)
        self.lexicon_button.clicked.connect(self._on_lexicon_clicked)
        self.generate_button.clicked.connect(self._on_generate_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.export_button.clicked.connect(self.files.ask_export)
        self.remake_button.clicked.connect(self._on_remake_clicked)
        self.voice_panel.changed.connect(self._on_voice_panel_changed)
        self.voice_panel.new_voice_requested.connect(self._on_new_voice_requested)
        vm = self.vm
        vm.project_changed.connect(self._on_vm_project_changed)
        vm.chunk_changed.connect(self._on_vm_chunk_changed)
        vm.plan_changed.connect(self._on_vm_plan_changed)
        vm.busy_changed.connect(self._set_busy)
        vm.message.connect(self._on_vm_message)
        self.cast_panel.cast_changed.connect(self._on_cast_changed)
        self.proof.toggled.connect(self._on_proof_toggled)
        self.proof_remake.toggled.connect(self._on_proof_remake_toggled)

    # -- availability and busy state ---------------------------------------------------------

    def refresh_availability(self) -> None:
        need = provider_need(self.ctx, Capability.SPEECH, "Narration")
        self.banner.show_need(need)
        self._usable = need is None
        if self._status_cause == "setup":
            self._clear_status()  # Settings changed; the preflight says if it still applies
        if self._usable and self.voice_panel.loaded and self.voice_panel.status.styleSheet():
            run_soon(self.voice_panel.reload, owner=self)  # its lists failed: try again
        for widget in (self.voice_panel, self.open_button, self.chunks, self.lexicon_button):
            widget.setEnabled(self._usable)
        self._set_busy(self.vm.busy)

    @Slot(bool)
    def _set_busy(self, busy: bool) -> None:
        blocked = bool(self.vm.plan and self.vm.plan.blocked)
        self.generate_button.setEnabled(self._usable and not busy and not blocked)
        why = self.vm.plan.blocked if self.vm.plan else None
        self.generate_button.setToolTip(why or with_key(_GENERATE_TIP, "run"))
        self.stop_button.setEnabled(busy)
        self.export_button.setEnabled(self._usable and not busy)
        self.remake_button.setEnabled(self._usable and not busy and not blocked)
        self.voice_panel.setEnabled(self._usable and not busy)
        self.chunks.set_busy(busy)
        self.chapters.setEnabled(self._usable and not busy)

    # -- the script --------------------------------------------------------------------------

    def set_script(self, text: str, *, title: str | None = None) -> None:
        """Start a new project with ``text`` (e.g. a transcript sent by "Read back")."""
        self.new_project(text, title=title or "")

    @Slot()
    def _on_editor_text_changed(self) -> None:
        text = self.editor.toPlainText()
        self.editor.setExtraSelections([])  # the sentence mark belongs to the text before
        self.char_count.setText(f"{len(text):,} characters")
        if self._status_cause == "empty" and text.strip():
            self._clear_status()
        self._script_timer.start()

    @Slot()
    def _on_script_timer_timeout(self) -> None:
        if shiboken6.isValid(self.editor):
            run_soon(self.sync_script, owner=self)

    def hold_saves(self) -> None:
        """The window closes: nothing saves on a timer any more; ``save_pending`` saves."""
        self._unsynced = self._unsynced or self._script_timer.isActive()
        self._unsaved = self.vm.hold_save() or self._unsaved
        self._script_timer.stop()
        self._plan_timer.stop()

    async def save_pending(self) -> None:
        """Save what was typed or changed and not saved yet (the window is closing)."""
        self.hold_saves()
        if self._unsynced:
            await self.vm.set_script(self.editor.toPlainText())
        if self._unsynced or self._unsaved:
            self.vm.hold_save()
            if self.vm.project.script.strip():
                await self.vm.save()
        self._unsynced = self._unsaved = False

    async def sync_script(self) -> None:
        """Give the editor's text to the project now (Generate does this first)."""
        self._script_timer.stop()
        await self.vm.set_script(self.editor.toPlainText())
        self._plan_timer.start()

    @Slot()
    def _on_vm_project_changed(self) -> None:
        self.chunks.model.set_project(self.vm.project)
        self.chunks.refresh()
        project = self.vm.project
        problems = project.cast_problems
        self.cast_panel.show_cast(project.cast, problems[0] if problems else None)
        self._show_proof()
        # The editor's count, also when its text was set with signals held (a project shown);
        # sentences are counted in the preflight line, which has the room.
        self.char_count.setText(f"{len(self.editor.toPlainText()):,} characters")
        self.book.schedule()

    def _show_proof(self) -> None:
        settings = self.vm.project.settings
        for box, on in (
            (self.proof, self.vm.narration.proofs(self.vm.project)),
            (self.proof_remake, settings.proof_remake),
        ):
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)
        self.proof_remake.setEnabled(self.proof.isChecked())

    @Slot(bool)
    def _on_proof_toggled(self, on: bool) -> None:
        project = self.vm.project
        project.settings = dataclasses.replace(project.settings, proof=on)
        self.proof_remake.setEnabled(on)
        self.vm.schedule_save()

    @Slot(bool)
    def _on_proof_remake_toggled(self, on: bool) -> None:
        project = self.vm.project
        project.settings = dataclasses.replace(project.settings, proof_remake=on)
        self.vm.schedule_save()

    @Slot(object)
    def _on_vm_chunk_changed(self, chunk: Chunk) -> None:
        self.chunks.model.mark(chunk)
        self.book.schedule(only_if_shown=True)

    # -- preflight ---------------------------------------------------------------------------

    @Slot()
    def _on_voice_panel_changed(self) -> None:
        self.vm.set_settings(self.voice_panel.settings(self.vm.project.settings))
        self._show_proof()
        self._plan_timer.start()

    @Slot()
    def _on_plan_timer_timeout(self) -> None:
        if self.isVisible():  # a hidden tab's preflight is made when it is shown
            run_soon(self.refresh_preflight, owner=self)

    def replan(self) -> None:
        """Make the preflight again shortly (several changes in a row make it once)."""
        self._plan_timer.start()

    async def refresh_preflight(self) -> NarrationPlan | None:
        if not self._usable:
            return None
        return await self.vm.refresh_plan()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._plan_timer.start()

    @Slot(object)
    def _on_vm_plan_changed(self, plan: NarrationPlan | None) -> None:
        if plan is None:
            self.preflight.setText("")
        elif plan.blocked:
            self.preflight.setText(f"{plan.text()}\nBlocked: {plan.blocked}")
            self.preflight.setStyleSheet(_ERROR)
        else:
            notes = [w for w in (*plan.warnings, plan.warning) if w]
            self.preflight.setText("\n".join([plan.text(), *notes]))
            self.preflight.setStyleSheet(_WARN if notes else "")
        self._show_other_voice(plan)
        self._set_busy(self.vm.busy)
        if plan is not None:
            self.book.schedule()

    def _show_other_voice(self, plan: NarrationPlan | None) -> None:
        n = plan.other_voice if plan is not None else 0
        if n:
            have, them = ("s have takes", "them") if n != 1 else (" has a take", "it")
            self.other_voice.setText(
                f"{n} sentence{have} in another voice; Generate keeps {them} as made."
            )
            assert plan is not None
            self.remake_button.setText(f"Remake all in this voice ({plan.other_voice_cost})")
        self.other_voice.setVisible(bool(n))
        self.remake_button.setVisible(bool(n))

    # -- generating --------------------------------------------------------------------------

    @asyncSlot()
    async def _on_generate_clicked(self) -> None:
        await self.generate()

    async def generate(self) -> None:
        """Generate every sentence that needs audio (the Generate button)."""
        await self.sync_script()
        self.vm.set_settings(self.voice_panel.settings(self.vm.project.settings))
        if not self.vm.project.chunks:
            self._on_vm_message(
                "There is nothing to narrate: the script is empty. Paste or open a script.", True
            )
            self._status_cause = "empty"
            return
        plan = await self.refresh_preflight()
        if plan is not None and not await messages.agree_to_unknown_cost(
            self, self.ctx, plan.preflight
        ):
            return
        await self.vm.generate(preview=self.preview_sink)

    @asyncSlot()
    async def _on_remake_clicked(self) -> None:
        await self.remake_in_this_voice()

    async def remake_in_this_voice(self) -> None:
        """Make every unlocked sentence in the voice chosen now (Remake all in this voice)."""
        await self.sync_script()
        self.vm.set_settings(self.voice_panel.settings(self.vm.project.settings))
        project = self.vm.project
        chunks = [*project.needing_audio(), *self.vm.narration.other_voice(project)]
        chunks.sort(key=project.index)
        if chunks:
            await self.vm.generate(chunks, preview=self.preview_sink)

    def preview_sink(self) -> AudioSink | None:
        if not self.live.isChecked():
            return None
        return PlayerSink(
            self.player_bar.player,
            on_open=self.player_bar.show_stream,
            on_error=self._on_preview_error,
            on_full=self._on_preview_full,
        )

    def _on_preview_full(self, seconds: float) -> None:
        self.player_bar.message.setText(
            f"The preview holds the first {seconds / 60:.0f} minutes; the rest is still made. "
            "Play any sentence from the list, or export to hear it all."
        )
        self.player_bar.message.setVisible(True)

    def _on_preview_error(self, error: StudioError) -> None:
        # Under the player, where it stays while the job's own messages come and go.
        text = messages.describe(error).text
        self.player_bar.message.setText(f"No preview: {text} The audio is still made.")
        self.player_bar.message.setVisible(True)

    @asyncSlot()
    async def _on_stop_clicked(self) -> None:
        self.vm.stop()

    @asyncSlot(object)
    async def _on_cast_changed(self, cast: Cast) -> None:
        await self.set_cast(cast)

    async def set_cast(self, cast: Cast) -> None:
        """Use ``cast`` (the cast panel): roles re-read, its providers and voices checked."""
        await self.sync_script()
        self.vm.set_cast(cast)
        try:
            await check_cast(self.ctx, cast)
        except InputError as exc:
            self.cast_panel.set_problem(exc.message)
        except StudioError as exc:  # a provider the cast names cannot be used now
            self.cast_panel.set_problem(exc.message)
        self._show_proof()
        self._plan_timer.start()

    @Slot(str, bool)
    def _on_vm_message(self, text: str, error: bool) -> None:
        self.say(text, error)

    def say(self, text: str, error: bool = False) -> None:
        """Show ``text`` on the status line (red when ``error``); the chunk list catches up."""
        cause, self.vm.last_error = self.vm.last_error, None
        setup = (ConfigurationError, AuthenticationError)
        self._status_cause = "setup" if error and isinstance(cause, setup) else ""
        self.status.setText(text)
        self.status.setStyleSheet(_ERROR if error else "")
        self.status.setVisible(bool(text))  # an empty line takes no room on a small screen
        self.chunks.model.flush()
        self.chunks.refresh()

    def show_status(self, text: str) -> None:
        self._status_cause = ""
        self.status.setText(text)
        self.status.setStyleSheet("")
        self.status.setVisible(bool(text))

    def _clear_status(self) -> None:
        self._status_cause = ""
        self.status.setText("")
        self.status.setStyleSheet("")
        self.status.setVisible(False)

    # -- projects (ui/narration/projects.py) ----------------------------------------------------

    @property
    def usable(self) -> bool:
        """The provider chosen can be used (key and model in place)."""
        return self._usable

    def new_project(
        self, script: str = "", *, title: str = "", settings: Any = None
    ) -> NarrationProject:
        """A fresh project (the open one stays saved and in History)."""
        return self.projects.new(script, title=title, settings=settings)

    async def show_project(self, project: NarrationProject) -> None:
        """Put a saved project in the tab: its script, voice and chunks with their takes."""
        await self.projects.show(project)

    async def hand_over(self, project_id: str) -> bool:
        """History is about to change ``project_id`` on disk; see ProjectKeeper.hand_over."""
        return await self.projects.hand_over(project_id)

    async def take_back(self, project_id: str) -> None:
        """History changed ``project_id`` on disk: show it as saved (with the new take)."""
        await self.projects.take_back(project_id)

    async def load_item(self, item: HistoryItem) -> NarrationProject | None:
        """A narration (its project, or a take or export of it) or a spoken text, to tweak."""
        return await self.projects.load_item(item)

    def open_item(self, item: HistoryItem) -> asyncio.Task[None]:
        """Restore a narration (or one spoken text) from History into the editor."""
        return spawn(self.projects.load_item(item), owner=self)

    def _on_first_show(self) -> None:
        run_soon(self.projects.restore_last, owner=self)

    # -- files -------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._usable and self.files.dropped(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self.files.dropped(event)
        if path is not None:
            event.acceptProposedAction()
            run_soon(lambda: self.files.open(path), owner=self)

    async def open_script(self, path: Path) -> bool:
        """Open a script, book, document or subtitle file (ui/narration/files.py)."""
        return await self.files.open(path)

    async def export_to(self, path: Path, fmt: AudioFormat | None = None) -> ExportOutcome | None:
        """Export the current takes (ui/narration/files.py)."""
        return await self.files.export(path, fmt)

    def _on_new_clicked(self) -> None:
        self.new_project()

    # -- pronunciation -----------------------------------------------------------------------

    def _on_lexicon_clicked(self) -> None:
        from audio_studio.ui.narration.lexicon import LexiconDialog

        dialog = LexiconDialog(self.vm.project.settings.lexicon, self)
        dialog.finished.connect(lambda result: self._lexicon_closed(dialog, result))
        dialog.open()

    def _lexicon_closed(self, dialog: Any, result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            self.set_lexicon(dialog.lexicon)
        dialog.deleteLater()

    def set_lexicon(self, lexicon: Any) -> None:
        settings = dataclasses.replace(self.vm.project.settings, lexicon=lexicon)
        self.vm.set_settings(settings)
        self._on_vm_project_changed()
        self._plan_timer.start()

    # -- voices of one's own -----------------------------------------------------------------

    def _on_new_voice_requested(self, provider_id: str) -> None:
        self.open_clone_dialog(provider_id)

    def open_clone_dialog(self, provider_id: str) -> QWidget:
        from audio_studio.ui.narration.clone_voice import CloneVoiceDialog

        dialog = CloneVoiceDialog(
            self.ctx, self.vm.narration, self.recordings, self.controller, provider_id, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.voice_cloned.connect(self._on_voice_cloned)
        dialog.show()
        return dialog

    def _on_voice_cloned(self, voice: Voice) -> None:
        self.voice_panel.add_voice(voice)
