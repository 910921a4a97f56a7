"""Files in and out of the Narration tab: a script, book or subtitles opened or dropped on it,
and the export of its takes (one file, a voice-over on its cues, or a book's audiobook)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog

from audio_studio.core.errors import InputError, StudioError
from audio_studio.core.models import AudioFormat
from audio_studio.core.narration import ExportOutcome
from audio_studio.core.narration.documents import SUFFIXES
from audio_studio.core.narration.project import NarrationProject
from audio_studio.ui import messages
from audio_studio.ui.tasks import spawn

__all__ = ["SCRIPT_FILTER", "ScriptFiles", "export_stem"]

SCRIPT_FILTER = (
    "Scripts and books (*.txt *.md *.markdown *.epub *.pdf *.docx *.html *.htm *.srt *.vtt);;"
    "All files (*)"
)


class ScriptFiles(QObject):
    """Opens and exports for the Narration tab (``tab``). File dialogs open from plain slots:
    a modal dialog inside a task would stop every other task meanwhile."""

    def __init__(self, tab: Any) -> None:
        super().__init__(tab)
        self.tab = tab

    def dropped(self, event: QDragEnterEvent | QDropEvent) -> Path | None:
        """The first file of a drag the tab can open, if any."""
        for url in event.mimeData().urls():
            path = Path(url.toLocalFile()) if url.isLocalFile() else None
            if path is not None and path.suffix.lower() in SUFFIXES:
                return path
        return None

    @Slot()
    def ask_open(self) -> None:
        tab = self.tab
        start = str(tab.folders.start("script"))
        path, _ = QFileDialog.getOpenFileName(tab, "Open a script or book", start, SCRIPT_FILTER)
        if path:
            tab.folders.remember("script", path)
            spawn(self.open(Path(path)), owner=tab)

    async def open(self, path: Path) -> bool:
        """Open a script, book, document or subtitle file as a new project, read and split
        off the GUI thread; one that cannot be read says why, and the open project stays."""
        tab = self.tab
        if tab.vm.busy:
            tab.say("Stop the running job before opening another script.", True)
            return False
        base = tab.voice_panel.settings(tab.vm.project.settings)
        narration = tab.vm.narration
        tab.show_status(f"Opening {path.name}…")
        try:
            project = await narration.open_document(
                path,
                dataclasses.replace(base),
                max_chars=narration.max_chars(base.provider, base.model),
            )
        except StudioError as exc:
            tab.say(messages.describe(exc).text, True)
            return False
        await tab.show_project(project)
        await tab.book.update()
        tab.show_status(f"Opened {path.name}: {len(project.chunks):,} sentences.")
        await tab.vm.save()
        return True

    @Slot()
    def ask_export(self) -> None:
        tab = self.tab
        if tab.book.exports_audiobook():  # a book: its chapters, as the chapter list exports
            tab.book.ask_export()
            return
        project = tab.vm.project
        fmt = tab.voice_panel.settings().export_format
        fallback = tab.ctx.settings.output_dir or str(tab.ctx.paths.default_output_dir)
        start = tab.folders.start("narration-export", fallback)
        path, _ = QFileDialog.getSaveFileName(
            tab, "Export narration", str(start / f"{export_stem(project)}.{fmt.extension}"),
            f"{fmt.value.upper()} (*.{fmt.extension})",
        )  # fmt: skip
        if path:
            tab.folders.remember("narration-export", path)
            spawn(self.export(Path(path)), owner=tab)

    async def export(self, path: Path, fmt: AudioFormat | None = None) -> ExportOutcome | None:
        """Export the current takes (refused, with what to do, when some are missing)."""
        from audio_studio.core.narration.export import check_exportable

        tab = self.tab
        await tab.sync_script()
        panel = tab.voice_panel
        if fmt is not None:
            panel.format.setCurrentIndex(panel.format.findData(fmt.value))
        tab.vm.set_settings(panel.settings(tab.vm.project.settings))
        try:
            check_exportable(tab.vm.project)
        except InputError as exc:
            tab.say(exc.message, True)
            return None
        book = tab.vm.project.book
        if book is not None and book.cues:
            voice = await tab.vm.export_voiceover(path)  # subtitles: lines on their cues
            if voice is not None:
                await tab.player_bar.load_file(voice.path)
            return None
        outcome: ExportOutcome | None = await tab.vm.export(path)
        if outcome is not None:
            await tab.player_bar.load_file(outcome.path)
            tab.book.follow_export()
        return outcome


def export_stem(project: NarrationProject) -> str:
    """The file name an export is offered under: the project's title, else the script's first
    words (never a long cut-off sentence)."""
    words = re.findall(r"[\w'’-]+", project.title or project.script)
    stem = " ".join(words[:8] if project.title else words[:5])
    return re.sub(r'[\\/:*?"<>|]+', "-", stem).strip(" .-") or "Narration"
