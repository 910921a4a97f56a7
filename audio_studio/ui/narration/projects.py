"""Which project the Narration tab holds: a new one, a saved one shown, the last one restored
at start, one loaded from History, and the hand-over when History changes it on disk."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from audio_studio.core.errors import InputError, StudioError
from audio_studio.core.models import HistoryKind
from audio_studio.core.narration.project import NarrationProject, NarrationSettings
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui import messages

__all__ = ["ProjectKeeper"]


class ProjectKeeper:
    """Puts projects in the Narration tab (``tab``) and trades them with History."""

    def __init__(self, tab: Any) -> None:
        self.tab = tab

    def new(self, script: str = "", *, title: str = "", settings: Any = None) -> NarrationProject:
        """A fresh project (the open one stays saved and in History)."""
        if self.tab.vm.busy:
            self.tab.say("Stop the running job before starting another script.", True)
            return self.tab.vm.project
        base = settings or self.tab.voice_panel.settings(self.tab.vm.project.settings)
        project = NarrationProject(
            title=title,
            settings=dataclasses.replace(base),
            max_chars=self.tab.vm.narration.max_chars(base.provider, base.model),
        )
        self.tab.vm.use(project)
        self.tab.editor.setPlainText(script)  # split shortly, off the GUI thread
        return project

    async def show(self, project: NarrationProject) -> None:
        """Put a saved project in the tab: its script, voice and chunks with their takes."""
        if self.tab.vm.busy:
            self.tab.say("Stop the running job before opening another narration.", True)
            return
        self.tab.vm.use(project)
        self.tab.editor.blockSignals(True)
        self.tab.editor.setPlainText(project.script)
        self.tab.editor.blockSignals(False)
        self.tab.vm.project_changed.emit()  # the chunk list and cast panel follow
        if self.tab.voice_panel.provider.findData(project.settings.provider) >= 0:
            await self.tab.voice_panel.apply(project.settings)
        await self.tab.refresh_preflight()

    async def hand_over(self, project_id: str) -> bool:
        """History is about to change ``project_id`` on disk (a take made again): if it is
        open here, save what the tab holds first; True if it is open.

        Raises:
            InputError: this tab is making audio for it right now.
        """
        if self.tab.vm.project.id != project_id:
            return False
        if self.tab.vm.busy:
            raise InputError(
                "The Narration tab is making this narration right now; make the take again "
                "there, or when it has finished."
            )
        await self.tab.sync_script()
        await self.tab.vm.save()
        return True

    async def take_back(self, project_id: str) -> None:
        """History changed ``project_id`` on disk: show it as saved (with the new take)."""
        if self.tab.vm.project.id != project_id or self.tab.vm.busy:
            return
        try:
            fresh = await self.tab.vm.narration.load(project_id)
        except StudioError as exc:
            self.tab.say(messages.describe(exc).text, True)
            return
        await self.show(fresh)

    async def restore_last(self) -> None:
        """Reopen the narration worked on last (the studio keeps it between sessions)."""
        if not self.tab.usable:
            return
        if self.tab.editor.toPlainText().strip() or self.tab.vm.project.chunks:
            if not self.tab.voice_panel.loaded:
                await self.tab.voice_panel.load()
            return  # something was already put here (Read back, History)
        try:
            project = await self.tab.vm.narration.latest()
        except StudioError as exc:
            self.tab.say(messages.describe(exc).text, True)
            project = None
        if project is None or self.tab.editor.toPlainText().strip() or self.tab.vm.project.chunks:
            if not self.tab.voice_panel.loaded:
                await self.tab.voice_panel.load()
            return
        await self.show(project)

    async def load_item(self, item: HistoryItem) -> NarrationProject | None:
        """A narration (its project, or a take or export of it) or a spoken text, to tweak."""
        if item.kind in (HistoryKind.NARRATION, HistoryKind.TAKE):
            try:
                project = await asyncio.to_thread(self.tab.vm.narration.projects.for_item, item)
            except StudioError as exc:
                self.tab.say(messages.describe(exc).text, True)
                return None
            if project is not None:
                await self.show(project)
                return project
        if item.kind not in (HistoryKind.SPEECH, HistoryKind.NARRATION, HistoryKind.TAKE):
            self.tab.say(f"A {item.kind.value} cannot be opened as a narration.", True)
            return None
        settings = NarrationSettings(
            provider=item.provider or "local",
            model=item.model,
            voice=item.voice,
            speed=float(item.params.get("speed", 1.0) or 1.0),
            instructions=item.params.get("instructions") or None,
            voice_settings=dict(item.params.get("settings") or {}),
        )
        project = self.new(item.input_text, title=item.title, settings=settings)
        await self.tab.sync_script()
        if self.tab.voice_panel.provider.findData(settings.provider) >= 0:
            await self.tab.voice_panel.apply(settings)
        return project
