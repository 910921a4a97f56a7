"""The offline engine's parameter panel: every sfxr parameter, editable, each with a lock.

A locked parameter keeps its value through Randomise, presets and Mutate (bfxr's locks). The
panel holds the "current" sound: selecting a tile loads its recipe here for tweaking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QWidget,
)

from audio_studio.core.providers.local.sfxr import RANGES, SAMPLE_RATES, SfxParams, Wave

# Shown in sfxr's order, grouped by what a designer reaches for.
_LABELS = {
    "attack": "Attack",
    "sustain": "Sustain",
    "punch": "Punch",
    "decay": "Decay",
    "base_freq": "Frequency",
    "freq_limit": "Min. frequency",
    "freq_slide": "Slide",
    "freq_delta_slide": "Delta slide",
    "vibrato_depth": "Vibrato depth",
    "vibrato_speed": "Vibrato speed",
    "arp_mult": "Arpeggio jump",
    "arp_speed": "Arpeggio speed",
    "duty": "Duty cycle",
    "duty_sweep": "Duty sweep",
    "retrigger": "Retrigger",
    "flanger_offset": "Flanger offset",
    "flanger_sweep": "Flanger sweep",
    "lpf_cutoff": "Low-pass cutoff",
    "lpf_sweep": "Low-pass sweep",
    "lpf_resonance": "Low-pass resonance",
    "hpf_cutoff": "High-pass cutoff",
    "hpf_sweep": "High-pass sweep",
    "gain": "Gain",
}
LOCK_TIP = "Lock: keep this value when randomising, drawing a preset or mutating"


class ParamPanel(QWidget):
    """Editable sfxr parameters with locks.

    Signals:
        changed(): a value was edited by the user.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paramPanel")
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.locks: dict[str, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        grid.addWidget(QLabel("<b>Parameter</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Lock</b>"), 0, 2)
        self.wave = QComboBox()
        for wave in Wave:
            self.wave.addItem(wave.value.capitalize(), wave.value)
        self.wave.setMaximumWidth(90)
        self.rate = QComboBox()
        self.rate.setMaximumWidth(90)
        for rate in SAMPLE_RATES:
            self.rate.addItem(f"{rate / 1000:g} kHz", rate)
        row = 1
        for name, widget, label in (
            ("wave", self.wave, "Wave"),
            ("sample_rate", self.rate, "Sample rate"),
        ):
            self._add_row(grid, row, name, label, widget)
            row += 1
        for name, (lo, hi) in RANGES.items():
            spin = QDoubleSpinBox()
            spin.setRange(lo, hi)
            spin.setDecimals(3)
            spin.setSingleStep(0.01)
            spin.setKeyboardTracking(False)
            spin.setMaximumWidth(90)
            spin.setAccessibleName(_LABELS.get(name, name))
            spin.valueChanged.connect(lambda _v, n=name: self._on_spin_value_changed(n))
            self.spins[name] = spin
            self._add_row(grid, row, name, _LABELS.get(name, name), spin)
            row += 1
        self.wave.currentIndexChanged.connect(self._on_value_changed)
        self.rate.currentIndexChanged.connect(self._on_value_changed)
        self._loading = False
        # A spin box shows 3 decimals; the recipe's exact floats are kept until a value is
        # edited, so a tile loaded here renders (and locks) bit for bit.
        self._exact: dict[str, float] = {}
        self.set_values(SfxParams().to_dict())

    def _add_row(self, grid: QGridLayout, row: int, name: str, label: str, field: QWidget) -> None:
        lock = QCheckBox()
        lock.setToolTip(LOCK_TIP)
        lock.setAccessibleName(f"Lock {label}")
        self.locks[name] = lock
        text = QLabel(label)
        text.setBuddy(field)
        grid.addWidget(text, row, 0)
        grid.addWidget(field, row, 1)
        grid.addWidget(lock, row, 2, Qt.AlignmentFlag.AlignCenter)

    # -- values ------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The panel's parameters, as ``SfxParams.to_dict()`` gives them."""
        data: dict[str, Any] = {
            name: self._exact.get(name, spin.value()) for name, spin in self.spins.items()
        }
        data["wave"] = self.wave.currentData()
        data["sample_rate"] = self.rate.currentData()
        return data

    def params(self) -> SfxParams:
        return SfxParams.from_mapping(self.values())

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Show a recipe's (or bare) parameters; locks are left as they are."""
        inner = values.get("sfxr", values)
        params = SfxParams.from_mapping(inner) if isinstance(inner, Mapping) else SfxParams()
        self._loading = True
        try:
            for name, spin in self.spins.items():
                spin.setValue(getattr(params, name))
                self._exact[name] = getattr(params, name)
            self.wave.setCurrentIndex(self.wave.findData(params.wave.value))
            self.rate.setCurrentIndex(self.rate.findData(params.sample_rate))
        finally:
            self._loading = False

    def locked(self) -> frozenset[str]:
        return frozenset(name for name, box in self.locks.items() if box.isChecked())

    def set_locked(self, names: Iterable[str]) -> None:
        wanted = set(names)
        for name, box in self.locks.items():
            box.setChecked(name in wanted)

    def _on_spin_value_changed(self, name: str) -> None:
        if not self._loading:
            self._exact.pop(name, None)  # edited: the shown value is the value now
            self.changed.emit()

    @Slot()
    def _on_value_changed(self) -> None:
        if not self._loading:
            self.changed.emit()
