"""Settings → Audio: the microphone and speakers the studio uses, and the way to Device doctor."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from audio_studio.core.settings import Settings
from audio_studio.ui.tasks import asyncSlot

if TYPE_CHECKING:
    from audio_studio.core.studio import Studio
    from audio_studio.ui.dialogs.device_doctor import DeviceDoctor


class AudioPage(QWidget):
    """Device choices are stored by name, so they survive the device list changing order."""

    def __init__(self, studio: Studio) -> None:
        super().__init__()
        self.studio = studio
        self._settings = studio.settings
        self.doctor: DeviceDoctor | None = None
        self.input = QComboBox()
        self.output = QComboBox()
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Look for devices again (after plugging one in)")
        self.doctor_button = QPushButton("Device doctor…")
        self.doctor_button.setToolTip("Test the microphone and speakers; see what to check")
        self.refresh_button.clicked.connect(self._on_refresh_button_clicked)
        self.doctor_button.clicked.connect(self._on_doctor_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.doctor_button)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.addRow("Microphone", self.input)
        form.addRow("Speakers", self.output)
        form.addRow(buttons)
        form.addRow(self.problem)

    async def load(self, *, refresh: bool = False) -> None:
        backend = self.studio.audio_backend
        devices = await asyncio.to_thread(backend.refresh if refresh else backend.devices)
        self.problem.setText(devices.problem or "")
        for combo, choices, chosen in (
            (self.input, devices.inputs, self.input.currentData() or self._settings.input_device),
            (
                self.output,
                devices.outputs,
                self.output.currentData() or self._settings.output_device,
            ),
        ):
            combo.clear()
            combo.addItem("System default", None)
            for dev in choices:
                combo.addItem(f"{dev.label} · {dev.default_samplerate:.0f} Hz", dev.name)
            if chosen:
                index = combo.findData(chosen)
                if index < 0:  # a device that is gone keeps its place, marked as missing
                    combo.addItem(f"{chosen} (not connected)", chosen)
                    index = combo.count() - 1
                combo.setCurrentIndex(index)

    def apply_to(self, settings: Settings) -> Settings:
        return dataclasses.replace(
            settings, input_device=self.input.currentData(), output_device=self.output.currentData()
        )

    @asyncSlot()
    async def _on_refresh_button_clicked(self) -> None:
        await self.load(refresh=True)

    @asyncSlot()
    async def _on_doctor_button_clicked(self) -> None:
        await self.open_doctor()

    async def open_doctor(self) -> DeviceDoctor:
        from audio_studio.ui.dialogs.device_doctor import DeviceDoctor

        if self.doctor is None:
            self.doctor = DeviceDoctor(self.studio, self)
        self.doctor.show()
        await self.doctor.load()
        return self.doctor
