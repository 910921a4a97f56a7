"""Opening things in the Narration tab: scripts, projects, the pronunciation list, export.

What it opens: a script file, a project from History or from the last session, a new project,
the pronunciation list, and the export file dialog.

A mixin of NarrationTab (it uses the tab's widgets and view-model); kept apart so the tab
module stays about its widgets and their wiring.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from audio_studio.core.errors import InputError, StudioError
from audio_studio.core.models import AudioFormat, HistoryKind, Voice
from audio_studio.core.services.narration_export import ExportOutcome
from audio_studio.core.services.narration_project import NarrationProject, NarrationSettings
from audio_studio.core.services.narration_store import project_title
from audio_studio.core.store.history import HistoryItem
from audio_studio.core.text import markdown_to_text
from audio_studio.ui import messages
from audio_studio.ui.tabs.narration_vm import run_soon
from audio_studio.ui.tasks import asyncSlot

if TYPE_CHECKING:
    from audio_studio.ui.tabs.narration import NarrationTab

log = logging.getLogger(__name__)

SCRIPT_FILTER = "Scripts (*.txt *.md *.markdown);;All files (*)"


class NarrationOpener:
    """Open, restore and export for NarrationTab."""

    # -- projects ----------------------------------------------------------------------------

    def new_project(
        self: NarrationTab, script: str = "", *, title: str = "", settings: Any = None
    ) -> NarrationProject:
        """A fresh project (the open one stays saved and in History)."""
        if self.vm.busy:
            self._on_vm_message("Stop the running job before starting another script.", True)
            return self.vm.project
        base = settings or self.voice_panel.settings(self.vm.project.settings)
        project = NarrationProject(
            title=title,
            settings=dataclasses.replace(base),
            max_chars=self.vm.narration.max_chars(base.provider, base.model),
        )
        self.vm.use(project)
        self.editor.setPlainText(script)  # split shortly, off the GUI thread
        return project

    async def show_project(self: NarrationTab, project: NarrationProject) -> None:
        """Put a saved project in the tab: its script, voice and chunks with their takes."""
        if self.vm.busy:
            self._on_vm_message("Stop the running job before opening another narration.", True)
            return
        self.vm.use(project)
        self.editor.blockSignals(True)
        self.editor.setPlainText(project.script)
        self.editor.blockSignals(False)
        self._on_vm_project_changed()
        if self.voice_panel.provider.findData(project.settings.provider) >= 0:
            await self.voice_panel.apply(project.settings)
        await self.refresh_preflight()

    # -- History changing the open project -----------------------------------------------------

    async def hand_over(self: NarrationTab, project_id: str) -> bool:
        """History is about to change ``project_id`` on disk (a take made again): if it is
        open here, save what the tab holds first; True if it is open.

        Raises:
            InputError: this tab is making audio for it right now.
        """
        if self.vm.project.id != project_id:
            return False
        if self.vm.busy:
            raise InputError(
                "The Narration tab is making this narration right now; make the take again "
                "there, or when it has finished."
            )
        await self.sync_script()
        await self.vm.save()
        return True

    async def take_back(self: NarrationTab, project_id: str) -> None:
        """History changed ``project_id`` on disk: show it as saved (with the new take)."""
        if self.vm.project.id != project_id or self.vm.busy:
            return
        try:
            fresh = await self.vm.narration.load(project_id)
        except StudioError as exc:
            self._on_vm_message(messages.describe(exc).text, True)
            return
        await self.show_project(fresh)

    def _on_first_show(self: NarrationTab) -> None:
        run_soon(self.restore_last, owner=self)

    async def restore_last(self: NarrationTab) -> None:
        """Reopen the narration worked on last (the studio keeps it between sessions)."""
        if not self._usable:
            return
        if self.editor.toPlainText().strip() or self.vm.project.chunks:
            if not self.voice_panel.loaded:
                await self.voice_panel.load()
            return  # something was already put here (Read back, History)
        try:
            project = await self.vm.narration.latest()
        except StudioError as exc:
            self._on_vm_message(messages.describe(exc).text, True)
            project = None
        if project is None or self.editor.toPlainText().strip() or self.vm.project.chunks:
            if not self.voice_panel.loaded:
                await self.voice_panel.load()
            return
        await self.show_project(project)

    async def load_item(self: NarrationTab, item: HistoryItem) -> NarrationProject | None:
        """A narration (its project, or a take or export of it) or a spoken text, to tweak."""
        if item.kind in (HistoryKind.NARRATION, HistoryKind.TAKE):
            try:
                project = await asyncio.to_thread(self.vm.narration.projects.for_item, item)
            except StudioError as exc:
                self._on_vm_message(messages.describe(exc).text, True)
                return None
            if project is not None:
                await self.show_project(project)
                return project
        if item.kind not in (HistoryKind.SPEECH, HistoryKind.NARRATION, HistoryKind.TAKE):
            self._on_vm_message(f"A {item.kind.value} cannot be opened as a narration.", True)
            return None
        settings = NarrationSettings(
            provider=item.provider or "local",
            model=item.model,
            voice=item.voice,
            speed=float(item.params.get("speed", 1.0) or 1.0),
            instructions=item.params.get("instructions") or None,
            voice_settings=dict(item.params.get("settings") or {}),
        )
        project = self.new_project(item.input_text, title=item.title, settings=settings)
        await self.sync_script()
        if self.voice_panel.provider.findData(settings.provider) >= 0:
            await self.voice_panel.apply(settings)
        return project

    # -- files -------------------------------------------------------------------------------

    @asyncSlot()
    async def _on_open_clicked(self: NarrationTab) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a script", "", SCRIPT_FILTER)
        if path:
            await self.open_script(Path(path))

    async def open_script(self: NarrationTab, path: Path) -> bool:
        """Open a .txt or .md script as a new project (Markdown loses its markup)."""
        try:
            raw = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            self._on_vm_message(f"Cannot open {path.name} ({why}).", True)
            return False
        text = markdown_to_text(raw) if path.suffix.lower() in (".md", ".markdown") else raw
        self.new_project(text, title=path.stem)
        await self.sync_script()
        return True

    def _on_new_clicked(self: NarrationTab) -> None:
        self.new_project()

    @asyncSlot()
    async def _on_export_clicked(self: NarrationTab) -> None:
        project = self.vm.project
        fmt = self.voice_panel.settings().export_format
        start = self.service.settings.output_dir or str(self.service.paths.default_output_dir)
        name = (project.title or project_title(project.script, 40)).replace("/", "-")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export narration", str(Path(start) / f"{name}.{fmt.extension}"),
            f"{fmt.value.upper()} (*.{fmt.extension})",
        )  # fmt: skip
        if path:
            await self.export_to(Path(path))

    async def export_to(
        self: NarrationTab, path: Path, fmt: AudioFormat | None = None
    ) -> ExportOutcome | None:
        """Export the current takes (refused, with what to do, when some are missing)."""
        await self.sync_script()
        if fmt is not None:
            self.voice_panel.format.setCurrentIndex(self.voice_panel.format.findData(fmt.value))
        self.vm.set_settings(self.voice_panel.settings(self.vm.project.settings))
        try:
            from audio_studio.core.services.narration_export import check_exportable

            check_exportable(self.vm.project)
        except InputError as exc:
            self._on_vm_message(exc.message, True)
            return None
        outcome = await self.vm.export(path)
        if outcome is not None:
            await self.player_bar.load_file(outcome.path)
        return outcome

    # -- pronunciation -----------------------------------------------------------------------

    def _on_lexicon_clicked(self: NarrationTab) -> None:
        from audio_studio.ui.dialogs.lexicon import LexiconDialog

        dialog = LexiconDialog(self.vm.project.settings.lexicon, self)
        dialog.finished.connect(lambda result: self._lexicon_closed(dialog, result))
        dialog.open()

    def _lexicon_closed(self: NarrationTab, dialog: Any, result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            self.set_lexicon(dialog.lexicon)
        dialog.deleteLater()

    def set_lexicon(self: NarrationTab, lexicon: Any) -> None:
        settings = dataclasses.replace(self.vm.project.settings, lexicon=lexicon)
        self.vm.set_settings(settings)
        self._on_vm_project_changed()
        self._plan_timer.start()

    # -- voices of one's own -----------------------------------------------------------------

    def _on_new_voice_requested(self: NarrationTab, provider_id: str) -> None:
        self.open_clone_dialog(provider_id)

    def open_clone_dialog(self: NarrationTab, provider_id: str) -> QWidget:
        from audio_studio.ui.dialogs.clone_voice import CloneVoiceDialog

        dialog = CloneVoiceDialog(self.service, self.controller, provider_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.voice_cloned.connect(self._on_voice_cloned)
        dialog.show()
        return dialog

    def _on_voice_cloned(self: NarrationTab, voice: Voice) -> None:
        self.voice_panel.add_voice(voice)
