"""The grid of variation tiles and their audition: play by number, stop, loop with a seam check.

Keys (handled by the Effects page only when no text field has the focus): 1–9 play a tile,
Space stops, L loops the selected tile (its seam line says whether the loop clicks).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from audio_studio.core.audio.player import PlayerState
from audio_studio.core.context import StudioContext
from audio_studio.core.errors import StudioError
from audio_studio.core.sound.variations import Variation, measure
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui import messages
from audio_studio.ui.sound.tile import TILE_STYLE, EffectTile
from audio_studio.ui.widgets.player_bar import PlayerBar

log = logging.getLogger(__name__)

TILE_WIDTH = 210  # a tile's minimum width plus spacing: the grid fits as many as it can
HINT = (
    "1–9 play · Space stop · L loop (seam check) · S star · X reject · M more like this · "
    "double-click plays"
)


class TileGrid(QWidget):
    """Tiles in rows as wide as the page, one shared player, which tile is selected and playing.

    Signals:
        tile_added(object): a new EffectTile, for the page to connect.
        tile_ready(object): an EffectTile now shows its audio.
        selection_changed(object): the selected EffectTile, or None.
    """

    tile_added = Signal(object)
    tile_ready = Signal(object)
    selection_changed = Signal(object)

    def __init__(self, ctx: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # keys reach the page through it
        self.tiles: list[EffectTile] = []
        self.selected: EffectTile | None = None
        self.playing: EffectTile | None = None
        self._loaded: Path | None = None
        self._columns = 3
        self._inner = QWidget()
        self._inner.setObjectName("tileGrid")
        self._inner.setStyleSheet(TILE_STYLE)
        self._grid = QGridLayout(self._inner)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._grid.setSpacing(8)
        self.empty_label = QLabel(
            "Variations appear here as they arrive. Pick a preset or describe a sound, "
            "then Generate."
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._grid.addWidget(self.empty_label, 0, 0, 1, 4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._inner)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.player_bar = PlayerBar.for_context(ctx, show_waveform=False)
        self.player_bar.position_changed.connect(self._on_player_position_changed)
        self.player_bar.state_changed.connect(self._on_player_state_changed)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)  # drawn greyed: a hint, not a control
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.player_bar)
        layout.addWidget(self.hint)

    # -- tiles -------------------------------------------------------------------------------

    def make_room(self, count: int, keep: EffectTile | None = None) -> list[EffectTile]:
        """Drop the tiles that are not starred (they stay in History), then add ``count``."""
        # The dropped tiles are emptied and reused, and the grid is laid out once: new tiles
        # (and deleting old ones) cost Qt ~25 ms of polish and layout per batch.
        dropped = [t for t in self.tiles if not t.starred and t is not keep]
        for tile in dropped[count:]:
            self.remove(tile, reflow=False)
        reused = dropped[:count]
        for tile in reused:
            if tile is self.playing:
                self.stop_now()
            if tile is self.selected:
                self.select(None)
        kept = [t for t in self.tiles if t not in reused]
        self.tiles = kept + reused
        for n, tile in enumerate(self.tiles):
            if tile in reused:
                tile.reset(n + 1)
        added = [self.add_tile(reflow=False) for _ in range(count - len(reused))]
        self._reflow()
        return reused + added

    def add_tile(self, *, reflow: bool = True) -> EffectTile:
        tile = EffectTile(len(self.tiles) + 1)
        self.tiles.append(tile)
        if reflow:
            self._reflow()
        self.tile_added.emit(tile)
        return tile

    def remove(self, tile: EffectTile, *, reflow: bool = True) -> None:
        if tile is self.playing:
            self.stop_now()
        if tile is self.selected:
            self.select(None)
        self.tiles.remove(tile)
        self._grid.removeWidget(tile)
        tile.deleteLater()
        if reflow:
            self._reflow()

    def clear(self) -> None:
        for tile in list(self.tiles):
            self.remove(tile)

    def _reflow(self) -> None:
        columns = self._columns
        for n, tile in enumerate(self.tiles):
            tile.set_number(n + 1)
            self._grid.addWidget(tile, n // columns, n % columns)
        self.empty_label.setVisible(not self.tiles)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        columns = max(1, min(4, (self.width() - 24) // TILE_WIDTH))
        if columns != self._columns:
            self._columns = columns
            for tile in self.tiles:
                self._grid.removeWidget(tile)
            self._reflow()

    def ready_tiles(self) -> list[EffectTile]:
        return [t for t in self.tiles if t.ready]

    def tile(self, number: int) -> EffectTile | None:
        return self.tiles[number - 1] if 1 <= number <= len(self.tiles) else None

    def select(self, tile: EffectTile | None) -> None:
        if tile is self.selected:
            return
        if self.selected is not None:
            self.selected.set_selected(False)
        self.selected = tile
        if tile is not None:
            tile.set_selected(True)
        self.selection_changed.emit(tile)

    # -- filling tiles -----------------------------------------------------------------------

    def settle(self, tiles: list[EffectTile], text: str) -> None:
        """Say why tiles of a batch that ended early were not made."""
        for tile in tiles:
            if tile in self.tiles and not tile.ready and not tile.failed:
                tile.set_failed(text)

    async def fill(self, tile: EffectTile, variation: Variation) -> None:
        """Show a variation that landed: measured off the GUI thread, or why it failed."""
        if variation.error is not None or variation.outcome is None:
            if tile in self.tiles:
                tile.set_failed(_why(variation.error))
            return
        await self._show(tile, variation.outcome.item, variation.outcome.path)

    async def show_item(self, item: HistoryItem) -> EffectTile:
        """Put a History effect on a tile (or select the tile that shows it already)."""
        for tile in self.tiles:
            if tile.item is not None and tile.item.id == item.id:
                self.select(tile)
                return tile
        tile = self.add_tile()
        record = item.file()
        if record is None:
            tile.set_failed("This History item has no audio file.")
        else:
            await self._show(tile, item, record.path)
            self.select(tile)
        return tile

    async def _show(self, tile: EffectTile, item: HistoryItem, path: Path) -> None:
        try:
            measured = await asyncio.to_thread(measure, path)
        except StudioError as exc:
            if tile in self.tiles:
                tile.set_failed(_why(exc))
            return
        if tile in self.tiles:  # it may have been dropped while it was measured
            tile.set_result(item, measured)
            self.tile_ready.emit(tile)
            if self.selected is None:
                self.select(tile)

    # -- audition ----------------------------------------------------------------------------

    async def play(self, tile: EffectTile, *, loop: bool = False) -> None:
        """Play ``tile`` from its start (looping when asked); a tile still generating is skipped."""
        path = tile.path
        self.select(tile)
        if path is None or not tile.ready:
            return
        bar = self.player_bar
        try:
            if self._loaded != path:
                await bar.load_file(path)
                self._loaded = path
            await asyncio.to_thread(bar.player.stop)
        except StudioError as exc:  # shown in the bar already
            log.info("cannot audition %s: %s", path, exc.message)
            return
        bar.player.looping = loop
        bar.loop_button.setChecked(loop)
        self._mark_playing(tile, loop)
        await bar.toggle()

    async def stop(self) -> None:
        await self.player_bar.stop()
        self._mark_playing(None, False)

    def stop_now(self) -> None:
        self.player_bar.player.stop()
        self._mark_playing(None, False)

    async def toggle_loop(self) -> None:
        """L: loop the selected tile, or stop looping it."""
        tile = self.selected or self.playing
        if tile is None:
            return
        player = self.player_bar.player
        if tile is self.playing and player.looping and player.state is PlayerState.PLAYING:
            player.looping = False
            self.player_bar.loop_button.setChecked(False)
            tile.set_looping(False)
            return
        await self.play(tile, loop=True)

    def _mark_playing(self, tile: EffectTile | None, loop: bool) -> None:
        if self.playing is not None and self.playing is not tile:
            self.playing.set_playing(False)
            self.playing.set_looping(False)
        self.playing = tile
        if tile is not None:
            tile.set_playing(True)
            tile.set_looping(loop)

    @Slot(float)
    def _on_player_position_changed(self, seconds: float) -> None:
        if self.playing is not None:
            self.playing.waveform.set_position(seconds)

    @Slot(str)
    def _on_player_state_changed(self, state: str) -> None:
        if state == PlayerState.STOPPED.value and self.playing is not None:
            self._mark_playing(None, False)


def _why(error: BaseException | None) -> str:
    """A tile's failure line: a StudioError's own message names the provider already."""
    if isinstance(error, StudioError):
        return error.message
    return messages.describe(error or Exception()).text
