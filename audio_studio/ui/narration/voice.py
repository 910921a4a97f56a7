"""The voice panel: provider, model, voice, speed, export format, style and voice settings.

Everything it offers comes from the provider: its models and voices (fetched for cloud
providers, with a spinner and the error inline when that fails; the installed voices for the
offline engine), its speed range, whether the model takes a style prompt, and its own voice
settings (ElevenLabs' sliders). Choosing a style preset never overwrites instructions the user
has edited. The last item of the voice list starts "New voice from a sample…" where the
provider clones voices.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import StudioError
from audio_studio.core.models import AudioFormat, Capability, Voice
from audio_studio.core.narration import NarrationService
from audio_studio.core.narration.options import (
    EXPORT_FORMATS,
    STYLE_PRESETS,
    speed_range,
    takes_instructions,
    voice_knobs,
)
from audio_studio.core.narration.project import NarrationSettings
from audio_studio.core.providers.base import ModelInfo
from audio_studio.ui import messages
from audio_studio.ui.tasks import asyncSlot

NEW_VOICE = "__new_voice__"


class VoicePanel(QWidget):
    """Pickers fed by provider capabilities.

    Signals:
        changed(): any choice changed (the tab refreshes its preflight line).
        new_voice_requested(str): "New voice from a sample…" was chosen (provider id).
    """

    changed = Signal()
    new_voice_requested = Signal(str)

    def __init__(
        self, ctx: StudioContext, narration: NarrationService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.narration = narration
        self.models: list[ModelInfo] = []
        self.voices: list[Voice] = []
        self._wanted_voice: str | None = None
        self._loads = 0  # which load is current; older answers are dropped
        self.loaded = False  # a load has started (restoring a session need not start another)
        self._preset_text = ""  # the last preset put in the box, to tell edits apart
        self.provider = QComboBox()
        self.model = QComboBox()
        self.voice = QComboBox()
        self.voice.setMinimumContentsLength(18)
        self.status = QLabel()  # "Loading voices…" or the error, inline
        self.status.setWordWrap(True)
        self.speed = QDoubleSpinBox()
        self.speed.setDecimals(2)
        self.speed.setSingleStep(0.05)
        self.speed.setValue(1.0)
        self.format = QComboBox()
        for fmt in EXPORT_FORMATS:
            self.format.addItem(fmt.value.upper(), fmt.value)
        self.words = QCheckBox("Numbers as words")
        self.words.setChecked(True)
        self.words.setToolTip(
            "Numbers, money, times and abbreviations are sent as words: “$3.50” as “three dollars "
            "and fifty cents”. The offline voice always gets "
            "words; some cloud models read numbers well themselves."
        )
        self.preset = QComboBox()
        self.preset.addItem("Style preset…", "")
        for name in STYLE_PRESETS:
            self.preset.addItem(name, name)
        self.instructions = QPlainTextEdit()
        self.instructions.setPlaceholderText("How the voice should sound (tone, pacing, emotion)")
        self.instructions.setMaximumHeight(90)
        self.instructions.setTabChangesFocus(True)
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        self.knobs: dict[str, QSlider | QCheckBox] = {}
        self.form = QFormLayout()
        self.form.addRow("Provider", self.provider)
        self.form.addRow("Model", self.model)
        self.form.addRow("Voice", self.voice)
        self.form.addRow("", self.status)
        self.form.addRow("Speed", self.speed)
        self.form.addRow("Export as", self.format)
        self.form.addRow("", self.words)
        self.form.addRow("Style", self.preset)
        self.form.addRow(self.instructions)
        self.form.addRow(self.preset_note)
        self.knob_form = QFormLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addLayout(self.knob_form)
        for info in ctx.registry.infos(Capability.SPEECH):
            usable = any(s.info.id == info.id for s in ctx.registry.usable(Capability.SPEECH))
            if usable:
                self.provider.addItem(info.name, info.id)
        default = self.provider.findData(ctx.settings.speech_provider or "local")
        self.provider.setCurrentIndex(max(0, default))
        self.provider.activated.connect(self._on_provider_activated)
        self.model.activated.connect(self._on_model_activated)
        self.voice.activated.connect(self._on_voice_activated)
        self.speed.valueChanged.connect(self._on_anything_changed)
        self.format.activated.connect(self._on_anything_changed)
        self.words.toggled.connect(self._on_anything_changed)
        self.instructions.textChanged.connect(self._on_anything_changed)
        self.preset.activated.connect(self._on_preset_activated)
        self._show_style()

    # -- reading and setting -----------------------------------------------------------------

    @property
    def provider_id(self) -> str:
        return str(self.provider.currentData() or "local")

    def settings(self, base: NarrationSettings | None = None) -> NarrationSettings:
        """The project's voice settings as chosen here (other fields from ``base``)."""
        voice_id = self.voice.currentData()
        voice = next((v for v in self.voices if v.id == voice_id), None)
        info = self.ctx.registry.spec(self.provider_id).info
        instructions = self.instructions.toPlainText().strip() or None
        if not takes_instructions(info, self.model.currentData(), self.models):
            instructions = None
        values: dict[str, Any] = {}
        for name, widget in self.knobs.items():
            values[name] = (
                widget.isChecked() if isinstance(widget, QCheckBox) else widget.value() / 100
            )
        return dataclasses.replace(
            base or NarrationSettings(),
            provider=self.provider_id,
            model=self.model.currentData() or None,
            voice=voice_id if voice_id and voice_id != NEW_VOICE else self._wanted_voice,
            voice_name=voice.name if voice else None,
            cloned_voice=bool(voice and voice.cloned),
            speed=round(self.speed.value(), 2),
            instructions=instructions,
            voice_settings=values,
            export_format=AudioFormat(self.format.currentData() or "wav"),
            normalize_text=self.words.isChecked() or info.local,
        )

    async def apply(self, settings: NarrationSettings) -> None:
        """Show ``settings`` (a project opened or restored) and load that provider's lists."""
        index = self.provider.findData(settings.provider)
        if index < 0:
            return
        self.provider.setCurrentIndex(index)
        self._wanted_voice = settings.voice
        self.speed.setValue(settings.speed)
        self.format.setCurrentIndex(max(0, self.format.findData(settings.export_format.value)))
        self.words.blockSignals(True)
        self.words.setChecked(settings.normalize_text)
        self.words.blockSignals(False)
        self.instructions.blockSignals(True)
        self.instructions.setPlainText(settings.instructions or "")
        self.instructions.blockSignals(False)
        await self.load(model=settings.model, knobs=dict(settings.voice_settings))

    # -- loading -----------------------------------------------------------------------------

    async def load(self, *, model: str | None = None, knobs: dict[str, Any] | None = None) -> None:
        """Fill models and voices for the chosen provider (fetched lists for cloud ones)."""
        self._loads += 1
        self.loaded = True
        token, pid = self._loads, self.provider_id
        spec = self.ctx.registry.spec(pid)
        info = spec.info
        lo, hi = speed_range(pid)
        self.speed.setRange(lo, hi)
        # The offline engine reads digits badly: it always gets words, so no choice to make.
        self.words.setEnabled(not info.local)
        if info.local:
            self.words.blockSignals(True)
            self.words.setChecked(True)
            self.words.blockSignals(False)
        self.models = list(info.models_for(Capability.SPEECH))
        self._fill_models(model or info.default_models.get(Capability.SPEECH))
        self._build_knobs(pid, knobs or {})
        self.voice.clear()
        self.voice.setEnabled(False)
        self.status.setText("Loading voices…")
        problems: list[str] = []
        try:
            provider = await self.ctx.provider(pid, Capability.SPEECH)
            models, voices = await asyncio.gather(
                self._models(provider, info.local), self._voices(provider, pid, problems)
            )
        except StudioError as exc:
            models, voices = self.models, []
            problems.append(messages.describe(exc).text)
        if token != self._loads:
            return  # the user picked another provider meanwhile
        if models:
            self.models = models
            self._fill_models(model or self.model.currentData())
        self.voices = voices
        self._fill_voices(pid)
        self.status.setText(" ".join(problems))
        self.status.setStyleSheet("color: #b42828;" if problems else "")
        self._show_style()
        self.changed.emit()

    async def reload(self) -> None:
        """Fetch the lists again, keeping the choices (Settings gave a key or a base URL)."""
        voice = self.voice.currentData()
        if voice and voice != NEW_VOICE:
            self._wanted_voice = voice
        knobs = {
            name: (w.isChecked() if isinstance(w, QCheckBox) else w.value() / 100)
            for name, w in self.knobs.items()
        }
        await self.load(model=self.model.currentData(), knobs=knobs)

    async def _models(self, provider: Any, local: bool) -> list[ModelInfo]:
        if local:
            return [m for m in await provider.list_models() if m.capability is Capability.SPEECH]
        try:
            fetched = await provider.list_models()
        except StudioError:
            return self.models  # the static list is good enough; voices report the problem
        speech = [m for m in fetched if m.capability is Capability.SPEECH]
        return speech or self.models

    async def _voices(self, provider: Any, pid: str, problems: list[str]) -> list[Voice]:
        try:
            voices: list[Voice] = list(await provider.list_voices())
        except StudioError as exc:
            problems.append(f"Voices could not be listed: {messages.describe(exc).text}")
            voices = []
        known = {v.id for v in voices}
        voices += [v for v in await self.narration.cloned_voices(pid) if v.id not in known]
        return voices

    def _fill_models(self, wanted: str | None) -> None:
        self.model.clear()
        for m in self.models:
            self.model.addItem(m.name or m.id, m.id)
        if wanted and self.model.findData(wanted) < 0:
            self.model.addItem(wanted, wanted)
        self.model.setCurrentIndex(max(0, self.model.findData(wanted)))

    def _fill_voices(self, pid: str) -> None:
        info = self.ctx.registry.spec(pid).info
        self.voice.clear()
        for v in self.voices:
            label = v.name + (" (cloned)" if v.cloned else "")
            if v.language:
                label += f" · {v.language}"
            self.voice.addItem(label, v.id)
        wanted = self._wanted_voice or self.ctx.settings.provider(pid).voice or info.default_voice
        if wanted and self.voice.findData(wanted) < 0:
            self.voice.addItem(wanted, wanted)  # a voice the list did not name: keep it
        if info.can(Capability.VOICE_CLONE):
            self.voice.insertSeparator(self.voice.count())
            self.voice.addItem("New voice from a sample…", NEW_VOICE)
        self.voice.setCurrentIndex(max(0, self.voice.findData(wanted)))
        self.voice.setEnabled(True)

    def add_voice(self, voice: Voice) -> None:
        """A new voice (just cloned) joins the list and is chosen."""
        self.voices.insert(0, voice)
        self._wanted_voice = voice.id
        self._fill_voices(self.provider_id)
        self.changed.emit()

    def _build_knobs(self, pid: str, values: dict[str, Any]) -> None:
        while self.knob_form.rowCount():
            self.knob_form.removeRow(0)
        self.knobs = {}
        for knob in voice_knobs(pid):
            value = values.get(knob.name, knob.default)
            widget: QSlider | QCheckBox
            if isinstance(knob.default, bool):
                widget = QCheckBox()
                widget.setChecked(bool(value))
                widget.toggled.connect(self._on_anything_changed)
            else:
                widget = QSlider(Qt.Orientation.Horizontal)
                widget.setRange(int(knob.minimum * 100), int(knob.maximum * 100))
                widget.setValue(round(float(value) * 100))
                widget.valueChanged.connect(self._on_anything_changed)
            widget.setToolTip(knob.help)
            widget.setAccessibleName(knob.label)
            self.knobs[knob.name] = widget
            self.knob_form.addRow(knob.label, widget)

    def _show_style(self) -> None:
        pid = self.provider_id if self.provider.count() else "local"
        info = self.ctx.registry.spec(pid).info if self.provider.count() else None
        on = bool(info and takes_instructions(info, self.model.currentData(), self.models))
        for widget in (self.preset, self.instructions, self.preset_note):
            widget.setVisible(on)
        self.form.setRowVisible(self.preset, on)

    # -- slots -------------------------------------------------------------------------------

    @asyncSlot(int)
    async def _on_provider_activated(self, _index: int) -> None:
        await self.choose_provider(self.provider_id)

    async def choose_provider(self, provider_id: str) -> None:
        self.provider.setCurrentIndex(max(0, self.provider.findData(provider_id)))
        self._wanted_voice = None
        await self.load()

    @Slot(int)
    def _on_model_activated(self, _index: int) -> None:
        self._show_style()
        self.changed.emit()

    @Slot(int)
    def _on_voice_activated(self, _index: int) -> None:
        if self.voice.currentData() == NEW_VOICE:
            back = self.voice.findData(self._wanted_voice) if self._wanted_voice else 0
            self.voice.setCurrentIndex(max(0, back))
            self.new_voice_requested.emit(self.provider_id)
            return
        self._wanted_voice = self.voice.currentData()
        self.changed.emit()

    @Slot()
    def _on_anything_changed(self) -> None:
        self.changed.emit()

    @Slot(int)
    def _on_preset_activated(self, _index: int) -> None:
        self.choose_preset(str(self.preset.currentData() or ""))

    def choose_preset(self, name: str) -> bool:
        """Put preset ``name`` in the instructions unless the user edited them (then say so)."""
        text = STYLE_PRESETS.get(name)
        if text is None:
            return False
        current = self.instructions.toPlainText().strip()
        if current and current != self._preset_text.strip():
            self.preset_note.setText(
                f"Your own instructions were kept. Clear the box to use “{name}”."
            )
            return False
        self._preset_text = text
        self.instructions.setPlainText(text)
        self.preset_note.setText("")
        return True
