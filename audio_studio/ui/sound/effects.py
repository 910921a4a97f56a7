"""The Effects page: ask for variations, audition them in the grid, star, reject, export a pack.

The form's values become an EffectSpec; a batch runs as one job (the Jobs dock shows it and can
cancel it) and each variation lands on its tile as it arrives. For the offline engine the
parameter panel holds the current sound and its locks: presets, Randomise and Mutate draw
around it, and selecting a tile loads its recipe back into the panel.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import AuthenticationError, ConfigurationError, StudioError
from audio_studio.core.models import Capability, JobKind, SfxRequest
from audio_studio.core.providers.local.sfxr_presets import PRESETS
from audio_studio.core.sound import SoundService
from audio_studio.core.sound.variations import (
    MAX_VARIATIONS,
    EffectSpec,
    Variation,
    cost_line,
    more_like_this,
)
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui import messages
from audio_studio.ui.bridge import JobController
from audio_studio.ui.sound.grid import TileGrid
from audio_studio.ui.sound.judging import Judging
from audio_studio.ui.sound.params import ParamPanel
from audio_studio.ui.sound.tile import EffectTile
from audio_studio.ui.tasks import asyncSlot, spawn
from audio_studio.ui.widgets.needs import NeedsBanner

log = logging.getLogger(__name__)

FROM_PROMPT = ""  # the preset combo's first entry: take the preset from the prompt's words
_DURATIONS = {"local": (0.05, 6.8), "elevenlabs": (0.5, 22.0)}


class EffectsPage(QWidget):
    """Sound effects: the form, the parameter panel and the grid."""

    def __init__(self, ctx: StudioContext, sound: SoundService, controller: JobController) -> None:
        super().__init__()
        self.ctx = ctx
        self.sound = sound
        self.controller = controller
        self.job_id: str | None = None
        self.banner = NeedsBanner()
        self.provider = QComboBox()
        self.provider.setAccessibleName("Effects provider")
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("e.g. heavy wooden door slam, reverb tail")
        self.preset = QComboBox()
        self.preset.addItem("From the prompt (or random)", FROM_PROMPT)
        for name in PRESETS:
            self.preset.addItem(name.capitalize(), name)
        self.duration = QDoubleSpinBox()
        self.duration.setRange(0.0, 30.0)
        self.duration.setSingleStep(0.5)
        self.duration.setSpecialValueText("Auto")
        self.duration.setSuffix(" s")
        self.influence = QDoubleSpinBox()
        self.influence.setRange(0.0, 1.0)
        self.influence.setSingleStep(0.05)
        self.influence.setValue(0.3)
        self.influence.setToolTip("Higher follows the prompt more literally and varies less.")
        self.loop = QCheckBox("Seamless loop")
        self.model = QLineEdit()
        self.model.setPlaceholderText("the provider's default")
        self.model.setToolTip("Self-hosted servers (LocalAI) need the name of an installed model")
        self.variations = QSpinBox()
        self.variations.setRange(1, MAX_VARIATIONS)
        self.variations.setValue(6)
        self.generate_button = QPushButton("Generate")
        self.generate_button.setDefault(True)
        self.randomize_button = QPushButton("Randomise")
        self.randomize_button.setToolTip("Random sounds; locked parameters keep their values")
        self.mutate_button = QPushButton("Mutate")
        self.mutate_button.setToolTip("Small changes to the panel's sound; locks are kept")
        self.render_button = QPushButton("Render panel")
        self.render_button.setToolTip("One tile with exactly the panel's values")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        # Clicked, these buttons must not keep the focus: Space would press them again
        # instead of stopping the audition. Tab still reaches them.
        for button in (
            self.generate_button,
            self.randomize_button,
            self.mutate_button,
            self.render_button,
            self.stop_button,
        ):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.cost = QLabel()
        self.cost.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setup_error = False  # the message is a key, address or budget problem
        self.params = ParamPanel()
        self.grid = TileGrid(ctx)
        self.judging = Judging(ctx, sound, controller, self.grid, self)
        self.judging.message.connect(self.show_message)
        self.judging.more_requested.connect(self._on_judging_more_requested)
        self._build_layout()
        self._cost_timer = QTimer(self)
        self._cost_timer.setSingleShot(True)
        self._cost_timer.setInterval(250)
        self._cost_timer.timeout.connect(self._on_cost_timer_timeout)
        for signal in (
            self.provider.currentIndexChanged,
            self.duration.valueChanged,
            self.variations.valueChanged,
        ):
            signal.connect(self._on_form_changed)
        self.provider.currentIndexChanged.connect(self._on_provider_current_index_changed)
        self.generate_button.clicked.connect(self._on_generate_button_clicked)
        self.randomize_button.clicked.connect(self._on_randomize_button_clicked)
        self.mutate_button.clicked.connect(self._on_mutate_button_clicked)
        self.render_button.clicked.connect(self._on_render_button_clicked)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        self.prompt.returnPressed.connect(self._on_generate_button_clicked)
        self.grid.tile_added.connect(self._on_grid_tile_added)
        self.grid.selection_changed.connect(self._on_grid_selection_changed)
        self.grid.tile_ready.connect(self.judging.refresh_count)
        self.refresh_providers()

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow("Provider", self.provider)
        form.addRow("Prompt", self.prompt)
        form.addRow("Preset", self.preset)
        form.addRow("Duration", self.duration)
        form.addRow("Prompt influence", self.influence)
        form.addRow("Model", self.model)
        form.addRow(self.loop)
        form.addRow("Variations", self.variations)
        self._form = form
        buttons = QHBoxLayout()
        for button in (self.generate_button, self.stop_button):
            buttons.addWidget(button)
        engine_buttons = QHBoxLayout()
        for button in (self.randomize_button, self.mutate_button, self.render_button):
            engine_buttons.addWidget(button)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.params)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.params.sizeHint().width() + 24)
        self.params_box = QGroupBox("Offline engine: parameters and locks")
        box_layout = QVBoxLayout(self.params_box)
        box_layout.addLayout(engine_buttons)
        box_layout.addWidget(scroll, 1)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addLayout(buttons)
        left.addWidget(self.cost)
        left.addWidget(self.message)
        left.addWidget(self.params_box, 100)
        left.addStretch(1)  # takes the room when the panel is hidden (cloud providers)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setMaximumWidth(400)
        right = QVBoxLayout()
        right.addWidget(self.grid, 1)
        right.addLayout(self.judging.export_row())
        body = QHBoxLayout()
        body.addWidget(left_widget)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)

    # -- providers ---------------------------------------------------------------------------

    def refresh_providers(self) -> None:
        current = self.provider.currentData() or self.ctx.settings.sfx_provider or "local"
        self.provider.blockSignals(True)
        self.provider.clear()
        for spec in self.ctx.registry.for_capability(Capability.SFX):
            self.provider.addItem(spec.info.name, spec.info.id)
        index = self.provider.findData(current)
        self.provider.setCurrentIndex(max(0, index))
        self.provider.blockSignals(False)
        self._on_provider_current_index_changed()

    @property
    def provider_id(self) -> str:
        return str(self.provider.currentData() or "local")

    @property
    def procedural(self) -> bool:
        return self.sound.is_procedural(self.provider_id)

    def set_enabled(self, enabled: bool) -> None:
        self.setEnabled(enabled)

    def set_busy(self, busy: bool) -> None:
        for widget in (
            self.generate_button,
            self.randomize_button,
            self.mutate_button,
            self.render_button,
        ):
            widget.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.judging.set_busy(busy)

    # -- building a batch --------------------------------------------------------------------

    def spec(self, mode: str = "generate") -> EffectSpec:
        """The batch the form asks for; ``mode``: generate, randomize, mutate or render."""
        duration = self.duration.value() or None
        request = SfxRequest(
            prompt=self.prompt.text().strip(),
            duration_s=duration,
            prompt_influence=None if self.procedural else round(self.influence.value(), 3),
            loop=self.loop.isChecked() and not self.procedural,
            preset=(self.preset.currentData() or None) if self.procedural else None,
            model=None if self.procedural else (self.model.text().strip() or None),
        )
        spec = EffectSpec(request, count=self.variations.value(), provider_id=self.provider_id)
        if not self.procedural:
            return spec
        spec = dataclasses.replace(spec, locked=self.params.locked(), base=self.params.values())
        if mode == "randomize":
            return dataclasses.replace(spec, request=dataclasses.replace(request, preset="random"))
        if mode == "mutate":
            return dataclasses.replace(spec, mutate_from=self.params.values())
        if mode == "render":
            return dataclasses.replace(spec, count=1, exact=True)
        return spec

    async def generate(self, mode: str = "generate") -> list[Variation]:
        try:
            spec = self.spec(mode)
        except StudioError as exc:
            self.show_message(exc)
            return []
        return await self.run_batch(spec)

    async def more_like(self, tile: EffectTile) -> list[Variation]:
        """ "More like this": mutations of an offline tile; for a cloud one, the same prompt and
        settings asked again (cloud effects take no seed)."""
        if tile.item is None:
            return []
        locked = self.params.locked() if self.procedural else frozenset()
        spec = more_like_this(tile.item, count=self.variations.value(), locked=locked)
        return await self.run_batch(spec, keep=tile)

    async def run_batch(self, spec: EffectSpec, keep: EffectTile | None = None) -> list[Variation]:
        """Check the cost, make room in the grid, run the batch as a job; tiles fill as it goes."""
        if self.job_id is not None:
            return []
        self.show_message(None)
        try:
            await self.sound.validate(spec)
            check = await self.sound.preflight(spec)
        except StudioError as exc:
            self.show_message(exc)
            return []
        self.cost.setText(cost_line(check))
        if check.blocked:
            self.show_message(check.blocked)
            return []
        if not await messages.agree_to_unknown_cost(self, self.sound.ctx, check):
            return []
        tiles = self.grid.make_room(spec.count, keep)
        fills: list[asyncio.Task[None]] = []

        async def work(ctx: object) -> list[Variation]:
            def landed(v: Variation) -> None:
                fills.append(asyncio.ensure_future(self.grid.fill(tiles[v.index], v)))
                ctx.report(len(fills) / spec.count, f"{len(fills)} of {spec.count} landed")  # type: ignore[attr-defined]

            try:
                return await self.sound.variations(spec, on_variation=landed)
            finally:
                if fills:
                    await asyncio.wait(fills)

        what = spec.request.preset or spec.request.prompt[:30] or "effect"
        job = self.controller.submit(
            JobKind.SFX, f"{what} × {spec.count}", work, provider=spec.provider_id
        )
        self.job_id = job.id
        self.set_busy(True)
        self.grid.setFocus()  # ready to audition as the tiles land
        try:
            return await job.result()
        except asyncio.CancelledError:
            if not job.task.cancelled():
                raise
            self.grid.settle(tiles, "Cancelled")
            return []
        except StudioError as exc:
            self.show_message(exc)
            self.grid.settle(tiles, messages.describe(exc).text)
            return []
        except Exception:  # a bug: the runner logged it and told the excepthook
            self.grid.settle(tiles, "Not made: an unexpected error (see the log).")
            return []
        finally:
            self.job_id = None
            self.set_busy(False)

    @Slot(object)
    def _on_judging_more_requested(self, tile: EffectTile) -> None:
        if self.job_id is None:
            spawn(self.more_like(tile), owner=self)

    async def add_item(self, item: HistoryItem) -> EffectTile:
        """Put a History effect on a tile (or select the tile that shows it already)."""
        return await self.grid.show_item(item)

    def show_message(self, error: BaseException | str | None) -> None:
        # A key, address or budget problem goes when Settings close (setup_done).
        self.setup_error = isinstance(error, ConfigurationError | AuthenticationError)
        if error is None:
            self.message.clear()
        elif isinstance(error, str):
            self.message.setText(error)
        else:
            self.message.setText(messages.status_text(error))

    def setup_done(self) -> None:
        """Settings closed: a key or address problem shown may be fixed (Generate says if not)."""
        if self.setup_error:
            self.show_message(None)

    # -- keys --------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Audition keys; they only arrive here when no text field took them first."""
        if not self.judging.handle_key(event):
            super().keyPressEvent(event)

    # -- slots -------------------------------------------------------------------------------

    @Slot()
    def _on_provider_current_index_changed(self) -> None:
        procedural = self.procedural
        self.params_box.setVisible(procedural)
        self.prompt.setPlaceholderText(
            "optional: words pick a preset (laser zap, coin, jump…)"
            if procedural
            else "e.g. heavy wooden door slam, reverb tail"
        )
        self._form.setRowVisible(self.preset, procedural)
        for cloud_only in (self.influence, self.loop, self.model):
            self._form.setRowVisible(cloud_only, not procedural)
        low, high = _DURATIONS.get(self.provider_id, (0.5, 30.0))
        self.duration.setMaximum(high)
        self.duration.setToolTip(f"{low:g}–{high:g} s; Auto lets the engine choose")
        self._on_form_changed()

    @Slot()
    def _on_form_changed(self) -> None:
        self._cost_timer.start()

    @Slot()
    def _on_cost_timer_timeout(self) -> None:
        spawn(self.update_cost(), owner=self)

    async def update_cost(self) -> None:
        try:
            check = await self.sound.preflight(self.spec())
        except StudioError as exc:
            self.cost.setText(exc.message)
            return
        self.cost.setText(cost_line(check))

    @asyncSlot()
    async def _on_generate_button_clicked(self) -> None:
        await self.generate()

    @asyncSlot()
    async def _on_randomize_button_clicked(self) -> None:
        await self.generate("randomize")

    @asyncSlot()
    async def _on_mutate_button_clicked(self) -> None:
        await self.generate("mutate")

    @asyncSlot()
    async def _on_render_button_clicked(self) -> None:
        await self.generate("render")

    @Slot()
    def _on_stop_button_clicked(self) -> None:
        if self.job_id is not None:
            self.controller.cancel(self.job_id)

    @Slot(object)
    def _on_grid_tile_added(self, tile: EffectTile) -> None:
        self.judging.connect_tile(tile)

    @Slot(object)
    def _on_grid_selection_changed(self, tile: EffectTile | None) -> None:
        item = tile.item if tile is not None else None
        if item is not None and item.params.get("engine") == "sfxr" and self.procedural:
            self.params.set_values(item.params)
