"""One tile of the effects grid: number, waveform, stats, loop-seam check, star / reject / more.

The tile's buttons never take the keyboard focus, so the audition keys (1–9, Space, L, S, X, M)
keep working after a click; the tile itself takes focus when clicked.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.sound.variations import REJECTED_TAG, Measured, seam_line, stats_line
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui.widgets.waveform import WaveformView

# Set once on the grid that holds the tiles: a style sheet per tile costs ~1 ms each to polish.
TILE_STYLE = """
EffectTile { border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }
EffectTile[selected="true"] { border: 2px solid palette(highlight); }
EffectTile[playing="true"] { background: palette(alternate-base); }
EffectTile[rejected="true"] { background: palette(window); }
QLabel#tileNumber { font-weight: bold; }
QLabel#tileSeam[click="true"] { color: #c0392b; font-weight: bold; }
QLabel#tileError { color: #c0392b; }
"""


class EffectTile(QFrame):
    """A variation in the grid.

    Signals:
        clicked(object): the tile was clicked (the tile itself).
        double_clicked(object): play it.
        star_toggled(object, bool)
        reject_toggled(object, bool)
        more_requested(object): "more like this".
    """

    clicked = Signal(object)
    double_clicked = Signal(object)
    star_toggled = Signal(object, bool)
    reject_toggled = Signal(object, bool)
    more_requested = Signal(object)

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setMinimumSize(190, 150)
        self.item: HistoryItem | None = None
        self.measured: Measured | None = None
        self.failed = False
        self.number_label = QLabel()
        self.number_label.setObjectName("tileNumber")
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setMinimumWidth(20)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.star_button = self._button("☆", "Star (S): keep it for the pack")
        self.star_button.setCheckable(True)
        self.reject_button = self._button("✕", "Reject (X): dim it and leave it out of packs")
        self.reject_button.setCheckable(True)
        self.more_button = self._button(
            "More",
            "More like this (M): offline, small changes to this sound; in the cloud, the same "
            "prompt and settings asked again",
        )
        self.waveform = WaveformView()
        self.waveform.setMinimumHeight(48)
        self.waveform.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.waveform.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.status = QLabel("Waiting…")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.stats = QLabel()
        self.stats.setWordWrap(True)
        self.seam = QLabel()
        self.seam.setObjectName("tileSeam")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.number_label)
        top.addWidget(self.title, 1)
        for button in (self.star_button, self.reject_button, self.more_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.waveform, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.stats)
        layout.addWidget(self.seam)
        self.star_button.toggled.connect(self._on_star_button_toggled)
        self.reject_button.toggled.connect(self._on_reject_button_toggled)
        self.more_button.clicked.connect(self._on_more_button_clicked)
        self.set_number(number)
        self.set_pending()

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setFixedHeight(24)
        button.setMaximumWidth(28 if len(text) == 1 else 52)
        return button

    # -- state -------------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        record = self.item.file() if self.item is not None else None
        return record.path if record is not None else None

    @property
    def ready(self) -> bool:
        return self.item is not None and self.measured is not None

    @property
    def starred(self) -> bool:
        return self.star_button.isChecked()

    @property
    def rejected(self) -> bool:
        return self.reject_button.isChecked()

    def set_number(self, number: int) -> None:
        self.number = number
        self.number_label.setText(str(number))
        self.setAccessibleName(f"Variation {number}")

    def set_pending(self, text: str = "Generating…") -> None:
        self.failed = False
        self.status.setText(text)
        self.status.setObjectName("")
        self._repolish(self.status)
        self._enable(False)

    def set_failed(self, text: str) -> None:
        """Show why this variation was not made (a refused prompt, a timeout…)."""
        self.failed = True
        self.status.setObjectName("tileError")
        self.status.setText(text)
        self.status.setToolTip(text)
        self._repolish(self.status)
        self._enable(False)

    def set_result(self, item: HistoryItem, measured: Measured) -> None:
        self.item, self.measured, self.failed = item, measured, False
        stats = measured.stats
        self.title.setText(_title(item))
        seed = item.params.get("seed")
        self.title.setToolTip(f"{item.prompt or item.title} (seed {seed})" if seed else item.title)
        self.waveform.set_summary(measured.summary)
        # A locked value can cut a sound to nothing (a minimum frequency above the frequency).
        empty = stats.duration_s < 0.02 or stats.is_silent
        self.status.setText("Almost no sound: check the locked values." if empty else "")
        self.stats.setText(stats_line(stats))
        self.stats.setToolTip(
            f"Peak {stats.peak_dbfs:.2f} dBFS, RMS {stats.rms_dbfs:.1f} dBFS, "
            f"{stats.clipped_samples} clipped samples, History #{item.id}"
        )
        self.seam.setText(seam_line(stats))
        self.seam.setToolTip(
            f"The end jumps by {stats.seam_jump:.2f} (full scale 1.0) back to the start: "
            "a click when it loops."
            if stats.loop_click
            else "The end runs into the start without a jump: it loops cleanly."
        )
        self.seam.setProperty("click", stats.loop_click)
        self._repolish(self.seam)
        for button, on in ((self.star_button, item.starred), (self.reject_button, _rejected(item))):
            button.blockSignals(True)
            button.setChecked(on)
            button.blockSignals(False)
        self._refresh_marks()
        self._enable(True)

    def reset(self, number: int) -> None:
        """Empty again for the next batch (cheaper than a new tile: no new widgets to polish)."""
        self.item, self.measured = None, None
        self.title.clear()
        self.title.setToolTip("")
        self.waveform.set_summary(None)
        self.stats.clear()
        self.stats.setToolTip("")
        self.seam.clear()
        self.seam.setToolTip("")
        self.seam.setProperty("click", False)
        self._repolish(self.seam)
        for button in (self.star_button, self.reject_button):
            button.blockSignals(True)
            button.setChecked(False)
            button.blockSignals(False)
        self._refresh_marks()
        self.set_selected(False)
        self.set_playing(False)
        self.status.setToolTip("")
        self.set_number(number)
        self.set_pending()

    def set_item(self, item: HistoryItem) -> None:
        """Keep a newer copy of the row (after star/reject) without re-measuring."""
        self.item = item

    def set_selected(self, on: bool) -> None:
        self._set_flag("selected", on)

    def set_playing(self, on: bool) -> None:
        self._set_flag("playing", on)
        if not on:
            self.waveform.set_position(0.0)

    def set_looping(self, on: bool) -> None:
        """While looping, the seam line is what matters: say it louder."""
        text = self.seam.text().removeprefix("⟳ ")
        self.seam.setText(f"⟳ {text}" if on and text else text)

    def _set_flag(self, name: str, on: bool) -> None:
        if bool(self.property(name)) != on:
            self.setProperty(name, on)
            self._repolish(self)

    def _refresh_marks(self) -> None:
        self.star_button.setText("★" if self.starred else "☆")
        self._set_flag("rejected", self.rejected)
        self.waveform.setEnabled(not self.rejected)

    def _enable(self, on: bool) -> None:
        for button in (self.star_button, self.reject_button, self.more_button):
            button.setEnabled(on)
        self.status.setVisible(bool(self.status.text()))

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    # -- input -------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit(self)
        super().mouseDoubleClickEvent(event)

    @Slot(bool)
    def _on_star_button_toggled(self, on: bool) -> None:
        if on and self.rejected:
            self.reject_button.setChecked(False)
        self._refresh_marks()
        self.star_toggled.emit(self, on)

    @Slot(bool)
    def _on_reject_button_toggled(self, on: bool) -> None:
        if on and self.starred:
            self.star_button.blockSignals(True)
            self.star_button.setChecked(False)  # the service unstars a rejected row itself
            self.star_button.blockSignals(False)
        self._refresh_marks()
        self.reject_toggled.emit(self, on)

    @Slot()
    def _on_more_button_clicked(self) -> None:
        self.more_requested.emit(self)


def _rejected(item: HistoryItem) -> bool:
    return REJECTED_TAG in item.tags


def _title(item: HistoryItem) -> str:
    p = item.params
    if p.get("engine") == "sfxr":
        return str(p.get("preset") or "mutation")
    return (item.prompt or item.title)[:40]
