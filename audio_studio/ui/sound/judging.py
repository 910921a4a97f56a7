"""Judging the grid: audition keys, star and reject (kept in History), and the pack export.

The Effects page makes variations; this decides what happens to them. It knows the grid, not the
page: messages and "more like this" go back to the page as signals.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from audio_studio.core.errors import StudioError
from audio_studio.core.jobs.runner import JobContext
from audio_studio.core.models import JobKind
from audio_studio.core.sound import SoundService
from audio_studio.core.sound.pack import PackOptions, PackResult
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui.sound.grid import TileGrid
from audio_studio.ui.sound.tile import EffectTile
from audio_studio.ui.tasks import spawn

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext
    from audio_studio.ui.bridge import JobController

log = logging.getLogger(__name__)

_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}


class Judging(QObject):
    """Keys, stars, rejects and export for one grid of effect tiles.

    Signals:
        message(object): a line or a StudioError for the page's message line.
        more_requested(object): the EffectTile to make more like (M, or its button).
    """

    message = Signal(object)
    more_requested = Signal(object)

    def __init__(
        self,
        ctx: StudioContext,
        sound: SoundService,
        controller: JobController,
        grid: TileGrid,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sound = sound
        self.controller = controller
        self.grid = grid
        self.owner = parent
        self.starred_label = QLabel("No starred effects yet.")
        self.export_button = QPushButton("Export starred…")
        self.export_button.setToolTip(
            "Write the starred effects as a folder or zip, named from a template, with a JSON "
            "sidecar of their parameters"
        )
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.last_export: PackResult | None = None

    def export_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.starred_label, 1)
        row.addWidget(self.export_button)
        return row

    def set_busy(self, busy: bool) -> None:
        for tile in self.grid.tiles:
            tile.more_button.setEnabled(not busy and tile.ready)

    def connect_tile(self, tile: EffectTile) -> None:
        tile.clicked.connect(self._on_tile_clicked)
        tile.double_clicked.connect(self._on_tile_double_clicked)
        tile.star_toggled.connect(self._on_tile_star_toggled)
        tile.reject_toggled.connect(self._on_tile_reject_toggled)
        tile.more_requested.connect(self._on_tile_more_requested)
        tile.destroyed.connect(self.refresh_count)

    # -- keys --------------------------------------------------------------------------------

    def handle_key(self, event: QKeyEvent) -> bool:
        """Act on an audition key; False when it is not one (or has Ctrl/Alt/Meta with it)."""
        mods = event.modifiers() & ~(
            Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
        )
        if mods != Qt.KeyboardModifier.NoModifier:
            return False
        grid, key = self.grid, Qt.Key(event.key())
        selected = grid.selected
        if key in _DIGITS:
            tile = grid.tile(_DIGITS[key])
            if tile is not None:
                spawn(grid.play(tile), owner=self)
        elif key == Qt.Key.Key_Space:
            spawn(grid.stop(), owner=self)
        elif key == Qt.Key.Key_L:
            spawn(grid.toggle_loop(), owner=self)
        elif key == Qt.Key.Key_S and selected is not None and selected.ready:
            selected.star_button.toggle()
        elif key == Qt.Key.Key_X and selected is not None and selected.ready:
            selected.reject_button.toggle()
        elif key == Qt.Key.Key_M and selected is not None and selected.ready:
            self.more_requested.emit(selected)
        else:
            return False
        event.accept()
        return True

    # -- star / reject -----------------------------------------------------------------------

    async def star(self, tile: EffectTile, on: bool) -> None:
        item = tile.item
        if item is None:
            return
        try:
            await self.sound.set_starred(item.id, on)
        except StudioError as exc:
            self.message.emit(exc)
            return
        if tile.item is item:
            tile.set_item(_replace(item, starred=on))
        self.refresh_count()
        self.controller.history_changed.emit()

    async def reject(self, tile: EffectTile, on: bool) -> None:
        item = tile.item
        if item is None:
            return
        try:
            updated = await self.sound.set_rejected(item, on)
        except StudioError as exc:
            self.message.emit(exc)
            return
        if tile.item is item:
            tile.set_item(updated)
        self.refresh_count()
        self.controller.history_changed.emit()

    def starred_items(self) -> list[HistoryItem]:
        return [t.item for t in self.grid.tiles if t.ready and t.starred and t.item]

    @Slot()
    def refresh_count(self) -> None:
        count = sum(1 for t in self.grid.tiles if t.ready and t.starred)
        self.starred_label.setText(
            f"{count} starred effect{'s' if count != 1 else ''} for the pack."
            if count
            else "No starred effects yet: star the keepers (S) to export them as a pack."
        )
        self.export_button.setEnabled(count > 0)

    # -- export ------------------------------------------------------------------------------

    async def export_starred(self, options: PackOptions) -> PackResult | None:
        """Export the starred tiles as a pack (a job in the Jobs dock); None if it failed."""
        items = self.starred_items()
        sound = self.sound

        async def work(job: JobContext) -> PackResult:
            return await sound.export_pack(items, options, progress=job.report)

        job = self.controller.submit(
            JobKind.EXPORT, f"Pack of {len(items)} effect{'s' if len(items) != 1 else ''}", work
        )
        try:
            result = await job.result()
        except StudioError as exc:
            self.message.emit(exc)
            return None
        self.last_export = result
        self.message.emit(f"Exported {len(result.names)} file(s) and a sidecar to {result.path}.")
        return result

    async def choose_and_export(self) -> PackResult | None:
        from audio_studio.ui.sound.pack_export import PackExportDialog

        dialog = PackExportDialog(self.ctx, self.starred_items(), self.owner)
        options = await dialog.ask()
        if options is None:
            return None
        return await self.export_starred(options)

    # -- slots -------------------------------------------------------------------------------

    @Slot(object)
    def _on_tile_clicked(self, tile: EffectTile) -> None:
        self.grid.select(tile)

    @Slot(object)
    def _on_tile_double_clicked(self, tile: EffectTile) -> None:
        spawn(self.grid.play(tile), owner=self)

    @Slot(object, bool)
    def _on_tile_star_toggled(self, tile: EffectTile, on: bool) -> None:
        spawn(self.star(tile, on), owner=self)

    @Slot(object, bool)
    def _on_tile_reject_toggled(self, tile: EffectTile, on: bool) -> None:
        spawn(self.reject(tile, on), owner=self)

    @Slot(object)
    def _on_tile_more_requested(self, tile: EffectTile) -> None:
        self.more_requested.emit(tile)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        spawn(self.choose_and_export(), owner=self)


def _replace(item: HistoryItem, **changes: object) -> HistoryItem:
    import dataclasses

    return dataclasses.replace(item, **changes)  # type: ignore[arg-type]
