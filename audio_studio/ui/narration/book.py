"""What the chapter list does in the Narration tab: the counts (off the GUI thread), Generate
ticked, Export audiobook, and read-along of an exported file while it plays."""

from __future__ import annotations

import asyncio
import bisect
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QFileDialog

from audio_studio.core.errors import InputError
from audio_studio.core.narration.audiobook import book_export_timeline, script_timeline
from audio_studio.core.narration.book_captions import Timed
from audio_studio.core.narration.book_export import BookOutcome
from audio_studio.core.narration.chapters import chapter_chunks, chapter_spans, chapter_stats
from audio_studio.core.narration.export import check_exportable
from audio_studio.core.narration.project import Chunk
from audio_studio.core.narration.store import project_title
from audio_studio.ui.narration.chapters import ChapterPanel
from audio_studio.ui.narration.view_model import run_soon
from audio_studio.ui.tasks import asyncSlot, spawn

__all__ = ["BookActions"]

_M4B = "Audiobook (*.m4b)"
_FOLDER = "A folder of chapter files (*)"


def _is_folder(path: str) -> bool:
    """A chosen path that names a folder (one that exists, or typed with a trailing slash):
    one file per chapter goes in it."""
    return path.endswith(("/", "\\")) or Path(path).is_dir()


class BookActions(QObject):
    """The chapter panel's work for ``tab`` (a NarrationTab: its view-model, sentence list,
    player bar, voice panel and status line)."""

    def __init__(self, tab: Any, panel: ChapterPanel) -> None:
        super().__init__(tab)
        self.tab = tab
        self.panel = panel
        self.read_along: list[Timed] = []  # the exported file in the player, by sentence
        self._reading = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)  # while takes arrive: the counts at most 2.5 times a second
        self._timer.timeout.connect(self._on_timer_timeout)
        panel.chapter_activated.connect(self._on_chapter_activated)
        panel.generate_requested.connect(self._on_generate_requested)
        panel.export_requested.connect(self._on_export_requested)
        tab.player_bar.position_changed.connect(self._on_player_position_changed)

    # -- the counts --------------------------------------------------------------------------

    def schedule(self, *, only_if_shown: bool = False) -> None:
        """Count again shortly (the project or its takes changed)."""
        if only_if_shown and (not self.panel.isVisible() or self._timer.isActive()):
            return
        self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        run_soon(self.update, owner=self.tab)

    def refresh_now(self) -> None:
        """Count on this thread and show (small projects, tests)."""
        project = self.tab.vm.project
        book = project.book is not None and bool(project.book.chapters)
        self.panel.setVisible(book)
        if book:
            self.panel.set_chapters(chapter_stats(project), self.tab.vm.plan)

    async def update(self) -> None:
        """The chapter list, counted in a worker thread (a long book has thousands of
        sentences to count); hidden when the project has no chapters."""
        project = self.tab.vm.project
        if project.book is None or not project.book.chapters:
            self.panel.hide()
            return
        stats = await asyncio.to_thread(chapter_stats, project)
        if project is self.tab.vm.project and shiboken6.isValid(self.panel):
            self.panel.show()
            self.panel.set_chapters(stats, self.tab.vm.plan)

    def ticked_chunks(self) -> list[Chunk]:
        project = self.tab.vm.project
        chosen = set(self.panel.chosen())
        return [
            c
            for span in chapter_spans(project)
            if span.index in chosen
            for c in chapter_chunks(project, span)
        ]

    @Slot(int)
    def _on_chapter_activated(self, index: int) -> None:
        project = self.tab.vm.project
        spans = chapter_spans(project)
        if 0 <= index < len(spans):
            self.tab.chunks.select(project.chunks[spans[index].first])

    # -- generate and export -----------------------------------------------------------------

    @asyncSlot()
    async def _on_generate_requested(self) -> None:
        await self.generate_ticked()

    async def generate_ticked(self) -> None:
        """Generate the ticked chapters' sentences that need audio."""
        tab = self.tab
        await tab.sync_script()
        tab.vm.set_settings(tab.voice_panel.settings(tab.vm.project.settings))
        chunks = [c for c in self.ticked_chunks() if c.needs_audio and not c.locked]
        if not chunks:
            tab.say("The ticked chapters are made; tick others, or export.", False)
            return
        await tab.vm.generate(chunks, preview=tab.preview_sink)
        await self.update()

    def exports_audiobook(self) -> bool:
        """The main Export makes the audiobook: the project is a book of more than one chapter
        (a creator exporting a book expects chapters, not one long file)."""
        project = self.tab.vm.project
        return project.book is not None and len(chapter_spans(project)) > 1

    @Slot()
    def _on_export_requested(self) -> None:
        self.ask_export()

    def ask_export(self) -> None:
        """Ask where to write the audiobook (an M4B, or a folder of chapter files), then export
        the ticked chapters with the panel's captions beside. For plain slots only (the panel's
        Export, the tab's): a modal dialog inside a task would stop every other task meanwhile."""
        tab = self.tab
        project = tab.vm.project
        start = tab.folders.start(
            "audiobook", tab.ctx.settings.output_dir or tab.ctx.paths.default_output_dir
        )
        name = (project.title or project_title(project.script, 40)).replace("/", "-")
        path, chosen_filter = QFileDialog.getSaveFileName(
            tab, "Export audiobook", str(start / f"{name}.m4b"),
            f"{_M4B};;{_FOLDER}",
        )  # fmt: skip
        if path:
            tab.folders.remember("audiobook", path)
            folder = chosen_filter == _FOLDER or _is_folder(path)
            spawn(self.export_book(Path(path), folder=folder), owner=tab)

    async def export_book(self, path: Path, *, folder: bool = False) -> BookOutcome | None:
        """Export the ticked chapters as an M4B (or, ``folder``, one file per chapter)."""
        tab = self.tab
        await tab.sync_script()
        chosen = self.panel.chosen()
        if not folder and path.suffix.lower() != ".m4b":
            path = path.with_suffix(".m4b")
        elif folder and path.suffix.lower() == ".m4b":
            path = path.with_suffix("")  # the folder option with the offered name: a folder
        try:
            check_exportable(tab.vm.project, self.ticked_chunks())
        except InputError as exc:
            tab.say(exc.message, True)
            return None
        captions = self.panel.captions.currentData() or None
        outcome: BookOutcome | None = await tab.vm.export_book(path, chosen, captions)
        if outcome is not None and not folder:
            project = tab.vm.project
            await tab.player_bar.load_file(outcome.path)
            pause = tab.vm.narration.paragraph_pause(project)
            self.follow(book_export_timeline(project, pause, chosen))
        return outcome

    # -- read-along --------------------------------------------------------------------------

    def follow(self, timeline: list[Timed]) -> None:
        """The file now in the player is laid out as ``timeline`` ([]: nothing to follow)."""
        self.read_along = timeline
        self._reading = ""

    def follow_export(self) -> None:
        """The one-file export of the project is in the player."""
        project = self.tab.vm.project
        self.follow(script_timeline(project, self.tab.vm.narration.paragraph_pause(project)))

    @Slot(float)
    def _on_player_position_changed(self, seconds: float) -> None:
        """The sentence being heard in the exported file is shown selected."""
        timeline = self.read_along
        if not timeline:
            return
        i = bisect.bisect_right([t.start_s for t in timeline], seconds) - 1
        if i < 0 or timeline[i].chunk == self._reading:
            return
        self._reading = timeline[i].chunk
        chunk = self.tab.vm.project.find(self._reading)
        if chunk is not None:
            self.tab.chunks.select(chunk)
