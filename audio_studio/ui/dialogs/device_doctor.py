"""Tools → Device doctor: devices and their rates, a 5 s meter test, record-then-play, and hints.

Every test runs the studio's own Recorder and Player on the studio's backend, so what works
here works in the tabs; when something fails the dialog says what to check on this system.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import sys
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.audio.backend import DeviceInfo, DeviceList, supported_rates
from audio_studio.core.audio.codec import decode
from audio_studio.core.audio.player import Player
from audio_studio.core.audio.recorder import Recorder
from audio_studio.core.errors import StudioError
from audio_studio.ui import messages
from audio_studio.ui.tasks import asyncSlot
from audio_studio.ui.widgets.level_meter import LevelMeter

if TYPE_CHECKING:
    from audio_studio.core.studio import Studio

log = logging.getLogger(__name__)

_HINTS = {
    "linux": (
        "Linux",
        [
            "<b>Sound server</b>: PulseAudio or PipeWire must be running (<code>pactl info</code>"
            " answers), and the ALSA plugin for it installed (Debian/Ubuntu: libasound2-plugins)."
            " Pick the <i>default</i> or <i>pulse</i> device rather than a raw <i>hw:</i> one.",
            "<b>Permissions</b>: in a Flatpak or Snap the studio needs the audio permission "
            "(Flatpak: <code>--socket=pulseaudio</code>; Snap: <code>snap connect "
            "audio-studio:audio-record</code>). Raw ALSA devices need the <i>audio</i> group.",
            "<b>Muted or wrong input</b>: open the mixer (pavucontrol → Input Devices) and check "
            "the microphone is not muted and its level moves when you speak.",
            "<b>Exclusive use</b>: a program holding a raw <i>hw:</i> device blocks everyone "
            "else; close it, or use the sound server's device.",
            "<b>Sample rate</b>: if a rate is refused, record at the device's own rate "
            "(48000 or 44100 Hz); the studio falls back to it by itself.",
        ],
    ),
    "darwin": (
        "macOS",
        [
            "<b>Permissions</b>: System Settings → Privacy &amp; Security → Microphone: allow "
            "Audio Studio (macOS asks once; a refusal stays until you change it there).",
            "<b>Exclusive use</b>: apps that take the device in hog mode (some DAWs) block it; "
            "quit them.",
            "<b>Sample rate</b>: Audio MIDI Setup shows the device's format; 48000 or 44100 Hz "
            "work best. USB headsets can offer only 16000 Hz for the microphone.",
        ],
    ),
    "win32": (
        "Windows",
        [
            "<b>Permissions</b>: Settings → Privacy &amp; security → Microphone: turn on "
            "<i>Let desktop apps access your microphone</i>. Some antivirus tools block it too.",
            "<b>Exclusive use</b>: Sound control panel → device → Properties → Advanced: another "
            "program may hold it in exclusive mode; close it or untick <i>Allow applications "
            "to take exclusive control</i>.",
            "<b>Sample rate</b>: the same Advanced tab sets the default format; choose "
            "48000 Hz. Bluetooth headsets in call mode record at 16000 Hz only.",
        ],
    ),
}


def hints_html(platform: str = sys.platform) -> str:
    """What to check per system; the one the studio runs on comes first."""
    key = next((k for k in _HINTS if platform.startswith(k)), "linux")
    order = [key, *(k for k in _HINTS if k != key)]
    parts = []
    for name in order:
        title, items = _HINTS[name]
        here = " (this computer)" if name == key else ""
        parts.append(f"<h4>{title}{here}</h4><ul>{''.join(f'<li>{i}</li>' for i in items)}</ul>")
    return "".join(parts)


class DeviceDoctor(QDialog):
    """Lists devices, probes rates, and tests the microphone and the speakers for real."""

    def __init__(self, studio: Studio, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Device doctor")
        self.setObjectName("deviceDoctor")
        self.resize(760, 620)
        self.studio = studio
        self.devices = DeviceList(())
        self._take_peak = -math.inf
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Device", "Host API", "In", "Out", "Rate"])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Look for devices again (after plugging one in)")
        self.probe_button = QPushButton("Probe rates")
        self.rates = QLabel("Select a device and probe the sample rates it accepts.")
        self.rates.setWordWrap(True)
        self.input = QComboBox()
        self.output = QComboBox()
        self.meter = LevelMeter()
        self.meter_button = QPushButton("Test microphone (5 s)")
        self.loop_button = QPushButton("Record 3 s, then play it")
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.hints = QTextBrowser()
        self.hints.setHtml(hints_html())
        self.refresh_button.clicked.connect(self._on_refresh_button_clicked)
        self.probe_button.clicked.connect(self._on_probe_button_clicked)
        self.meter_button.clicked.connect(self._on_meter_button_clicked)
        self.loop_button.clicked.connect(self._on_loop_button_clicked)
        self.meter.clip_reset.connect(self._on_meter_clip_reset)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addWidget(self.probe_button)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow("Microphone", self.input)
        form.addRow("Speakers", self.output)
        form.addRow("Level", self.meter)
        tests = QHBoxLayout()
        tests.addWidget(self.meter_button)
        tests.addWidget(self.loop_button)
        tests.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 2)
        layout.addLayout(row)
        layout.addWidget(self.rates)
        layout.addLayout(form)
        layout.addLayout(tests)
        layout.addWidget(self.result)
        layout.addWidget(QLabel("What to check when a device fails:"))
        layout.addWidget(self.hints, 2)
        layout.addWidget(buttons)

    # -- devices -----------------------------------------------------------------------------

    async def load(self, *, refresh: bool = False) -> None:
        backend = self.studio.audio_backend
        self.devices = await asyncio.to_thread(backend.refresh if refresh else backend.devices)
        problem = self.devices.problem or await asyncio.to_thread(lambda: backend.problem)
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        self.table.setRowCount(len(self.devices.devices))
        for row, dev in enumerate(self.devices.devices):
            marks = [m for m, on in (("default in", dev.is_default_input),
                                     ("default out", dev.is_default_output)) if on]  # fmt: skip
            name = f"{dev.name} ({', '.join(marks)})" if marks else dev.name
            for col, text in enumerate(
                (name, dev.host_api, str(dev.max_input_channels), str(dev.max_output_channels),
                 f"{dev.default_samplerate:.0f} Hz")
            ):  # fmt: skip
                self.table.setItem(row, col, QTableWidgetItem(text))
        settings = self.studio.settings
        for combo, pool, chosen in (
            (self.input, self.devices.inputs, settings.input_device),
            (self.output, self.devices.outputs, settings.output_device),
        ):
            combo.clear()
            combo.addItem("System default", None)
            for dev in pool:
                combo.addItem(dev.label, dev.name)
            index = combo.findData(chosen) if chosen else 0
            combo.setCurrentIndex(max(0, index))
        if self.devices.devices:
            self.table.selectRow(0)
        usable = bool(self.devices.devices) and not problem
        for button in (self.probe_button, self.meter_button, self.loop_button):
            button.setEnabled(usable)

    def selected_device(self) -> DeviceInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.devices.devices[rows[0].row()]

    async def probe_rates(self) -> str:
        device = self.selected_device()
        if device is None:
            return ""
        backend = self.studio.audio_backend
        parts = []
        for kind, channels in (("input", device.max_input_channels),
                               ("output", device.max_output_channels)):  # fmt: skip
            if channels:
                found = await asyncio.to_thread(supported_rates, backend, device, kind)
                listed = ", ".join(f"{r}" for r in found) or "none of the usual rates"
                parts.append(f"{kind.capitalize()}: {listed}")
        text = f"{device.name} accepts (Hz) — " + "; ".join(parts)
        self.rates.setText(text)
        return text

    # -- tests -------------------------------------------------------------------------------

    async def meter_test(self, seconds: float = 5.0) -> str:
        """Record ``seconds`` from the chosen microphone, the meter moving; returns the verdict."""
        with tempfile.TemporaryDirectory(prefix="doctor-") as folder:
            try:
                recorder = await self._record(Path(folder) / "meter.wav", seconds)
            except StudioError as exc:
                return self._fail(exc)
            take = recorder.take()
        peak = self._take_peak
        if take.error is not None:
            return self._fail(take.error)
        if peak < -60:
            verdict = (
                f"{take.device} delivered only silence (peak {peak:.0f} dBFS). Check that it is not"
                " muted, that the studio may use it, and that it is the microphone you speak into."
            )
        elif take.clipped_samples:
            verdict = f"{take.device} works but clipped: turn its input gain down a little."
        else:
            verdict = f"{take.device} works: peak {peak:.1f} dBFS at {take.sample_rate} Hz."
        if take.overflows:
            verdict += f" It overflowed {take.overflows} time(s): the computer was too busy."
        self.result.setText(verdict)
        return verdict

    async def record_then_play(self, seconds: float = 3.0) -> str:
        """Record ``seconds``, then play the take on the chosen speakers; returns the verdict."""
        with tempfile.TemporaryDirectory(prefix="doctor-") as folder:
            try:
                recorder = await self._record(Path(folder) / "loop.wav", seconds)
                take = recorder.take()
                if take.error is not None:
                    return self._fail(take.error)
                audio = await asyncio.to_thread(decode, take.path)
                player = Player(self.studio.audio_backend, device=self.output.currentData())
                await asyncio.to_thread(player.load, audio)
                self.result.setText(f"Playing back {take.duration_s:.1f} s…")
                await asyncio.to_thread(player.play)
                await player.wait()
                await asyncio.to_thread(player.stop)
                if player.error is not None:
                    return self._fail(player.error)
            except StudioError as exc:
                return self._fail(exc)
        verdict = (
            f"Recorded {take.duration_s:.1f} s from {take.device} (peak {self._take_peak:.1f} "
            "dBFS) and played it back. Heard nothing? Check the speakers' volume and the output "
            "device above."
        )
        self.result.setText(verdict)
        return verdict

    async def _record(self, path: Path, seconds: float) -> Recorder:
        recorder = Recorder(self.studio.audio_backend, path, device=self.input.currentData())
        self._take_peak = -math.inf
        self.result.setText("Starting the microphone…")
        await asyncio.to_thread(recorder.start)
        self.meter.reset()
        self.meter.set_source(recorder.levels)
        self.meter.start()
        try:
            await asyncio.to_thread(recorder.wait_live, 5.0)
            self.result.setText(f"Listening for {seconds:.0f} s… speak now.")
            loop = asyncio.get_running_loop()
            end = loop.time() + seconds
            while loop.time() < end and recorder.error is None:
                await asyncio.sleep(0.05)
                self._take_peak = max(self._take_peak, self.meter.hold_db)
        finally:
            self.meter.stop()
            self.meter.set_source(None)
            await asyncio.to_thread(recorder.stop)
        return recorder

    def _fail(self, error: BaseException) -> str:
        text = f"{messages.status_text(error)} See “What to check” below."
        self.result.setText(text)
        log.info("device doctor: %s", error)
        return text

    # -- slots -------------------------------------------------------------------------------

    @asyncSlot()
    async def _on_refresh_button_clicked(self) -> None:
        await self.load(refresh=True)

    @asyncSlot()
    async def _on_probe_button_clicked(self) -> None:
        await self.probe_rates()

    @asyncSlot()
    async def _on_meter_button_clicked(self) -> None:
        await self._exclusive(self.meter_test())

    @asyncSlot()
    async def _on_loop_button_clicked(self) -> None:
        await self._exclusive(self.record_then_play())

    @Slot()
    def _on_meter_clip_reset(self) -> None:
        self.meter.clipped = False

    async def _exclusive(self, work: Coroutine[Any, Any, str]) -> None:
        """One test at a time; the buttons are off while it runs."""
        buttons = (self.meter_button, self.loop_button, self.refresh_button)
        for button in buttons:
            button.setEnabled(False)
        try:
            await work
        finally:
            for button in buttons:
                button.setEnabled(True)

    def done(self, result: int) -> None:
        self.meter.stop()
        with contextlib.suppress(RuntimeError):
            super().done(result)
