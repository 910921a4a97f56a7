"""Sound tab: sound effects (variations grid, audition, packs) and music beds (long async jobs)."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from audio_studio.core.context import StudioContext
from audio_studio.core.models import Capability, HistoryKind
from audio_studio.core.sound import MusicService, SoundService
from audio_studio.core.sound.variations import spec_from_item
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui.bridge import JobController
from audio_studio.ui.sound.effects import EffectsPage
from audio_studio.ui.sound.music import MusicPage
from audio_studio.ui.tasks import spawn
from audio_studio.ui.widgets.needs import provider_need
from audio_studio.ui.widgets.shortcuts import TabActions, with_key


class SoundTab(QWidget):
    """Two pages, Effects and Music; ``open_item`` brings a History item back for tweaking."""

    def __init__(
        self,
        ctx: StudioContext,
        sound: SoundService,
        music: MusicService,
        controller: JobController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.sub_tabs = QTabWidget()
        self.effects = EffectsPage(ctx, sound, controller)
        self.music = MusicPage(ctx, music, controller)
        self.sub_tabs.addTab(self.effects, "Effects")
        self.sub_tabs.addTab(self.music, "Music")
        layout = QVBoxLayout(self)
        layout.addWidget(self.sub_tabs)
        self.tab_actions = self._main_actions()
        self.refresh_availability()

    def _main_actions(self) -> TabActions:
        """The keys every tab shares (shortcuts.py): Generate on the page shown, Stop and
        Export on the effects (Space there auditions the chosen tile)."""
        keys = TabActions(self)
        keys.add("run", "Generate", self._generate)
        keys.add("stop", "Stop", self.effects.stop_button, "Stop making effects")
        keys.add("export", "Export starred…", self.effects.judging.export_button)
        self.effects.generate_button.setToolTip(
            with_key("Make the variations described on the left", "run")
        )
        self.music.generate_button.setToolTip(with_key("Start a music job on the provider", "run"))
        return keys

    def _generate(self) -> None:
        page = self.sub_tabs.currentWidget()
        button = getattr(page, "generate_button", None)
        if button is not None:
            button.click()

    def refresh_availability(self) -> None:
        """Called after Settings close: providers, keys and engines may have changed."""
        sfx_need = provider_need(self.ctx, Capability.SFX, "Sound effects")
        self.effects.banner.show_need(sfx_need)
        self.effects.refresh_providers()
        self.effects.set_enabled(sfx_need is None)
        self.effects.setup_done()
        music_need = provider_need(self.ctx, Capability.MUSIC, "Music")
        self.music.banner.show_need(music_need)
        self.music.refresh_providers()
        self.music.set_enabled(music_need is None)
        self.music.setup_done()

    def open_item(self, item: HistoryItem) -> asyncio.Task[object] | None:
        """Load an effect (its prompt or recipe, onto a tile and the panel) or a music item.

        The form is filled at once; an effect's tile is measured in the background (the task
        is returned for callers that want to wait). Other kinds are ignored.
        """
        if item.kind is HistoryKind.MUSIC:
            self.sub_tabs.setCurrentWidget(self.music)
            self.music.open_music(item)
            return spawn(self.music.refresh_jobs(), owner=self)
        if item.kind is not HistoryKind.SFX:
            return None
        self.sub_tabs.setCurrentWidget(self.effects)
        page = self.effects
        spec = spec_from_item(item)
        index = page.provider.findData(item.provider)
        if index >= 0:
            page.provider.setCurrentIndex(index)
        request = spec.request
        page.prompt.setText(request.prompt)
        page.duration.setValue(request.duration_s or 0.0)
        if request.prompt_influence is not None:
            page.influence.setValue(request.prompt_influence)
        page.loop.setChecked(request.loop)
        page.model.setText(request.model or "")
        preset = page.preset.findData(request.preset or "")
        page.preset.setCurrentIndex(max(0, preset))
        if spec.base is not None:
            page.params.set_values(spec.base)
        return spawn(page.add_item(item), owner=self)
