"""Sound tab: sound effects (variations grid, audition) and music beds (long async jobs)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.models import Capability
from audio_studio.core.services.studio import StudioService
from audio_studio.ui.bridge import JobController
from audio_studio.ui.tabs.base import NeedsBanner, provider_need


class SoundTab(QWidget):
    def __init__(
        self, service: StudioService, controller: JobController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.controller = controller
        self.sub_tabs = QTabWidget()
        self.effects = _EffectsPage()
        self.music = _MusicPage()
        self.sub_tabs.addTab(self.effects, "Effects")
        self.sub_tabs.addTab(self.music, "Music")
        layout = QVBoxLayout(self)
        layout.addWidget(self.sub_tabs)
        self.refresh_availability()

    def refresh_availability(self) -> None:
        sfx_need = provider_need(self.service, Capability.SFX, "Sound effects")
        self.effects.banner.show_need(sfx_need)
        self.effects.set_enabled(sfx_need is None)
        music_need = provider_need(self.service, Capability.MUSIC, "Music")
        self.music.banner.show_need(music_need)
        self.music.set_enabled(music_need is None)


class _EffectsPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.banner = NeedsBanner()
        self.provider = QComboBox()
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("e.g. heavy wooden door slam, reverb tail")
        self.preset = QComboBox()
        self.duration = QDoubleSpinBox()
        self.duration.setRange(0.1, 30.0)
        self.duration.setValue(1.0)
        self.duration.setSuffix(" s")
        self.loop = QCheckBox("Seamless loop")
        self.variations = QSpinBox()
        self.variations.setRange(1, 8)
        self.variations.setValue(6)
        self.generate_button = QPushButton("Generate")
        self.export_button = QPushButton("Export starred…")
        form = QFormLayout()
        form.addRow("Provider", self.provider)
        form.addRow("Prompt", self.prompt)
        form.addRow("Preset", self.preset)
        form.addRow("Duration", self.duration)
        form.addRow(self.loop)
        form.addRow("Variations", self.variations)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        grid = QGridLayout()
        self.tiles: list[QFrame] = []
        for n in range(8):
            tile = QFrame()
            tile.setFrameShape(QFrame.Shape.StyledPanel)
            tile.setMinimumSize(160, 90)
            inner = QVBoxLayout(tile)
            inner.addWidget(QLabel(f"{n + 1}"))
            self.tiles.append(tile)
            grid.addWidget(tile, n // 4, n % 4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addLayout(grid, 1)

    def set_enabled(self, enabled: bool) -> None:
        for w in (
            self.provider,
            self.prompt,
            self.preset,
            self.duration,
            self.loop,
            self.variations,
            self.generate_button,
            self.export_button,
            *self.tiles,
        ):
            w.setEnabled(enabled)


class _MusicPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.banner = NeedsBanner()
        self.provider = QComboBox()
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("e.g. calm lo-fi piano bed, 80 bpm")
        self.lyrics = QPlainTextEdit()
        self.lyrics.setPlaceholderText("Lyrics (optional)")
        self.lyrics.setMaximumHeight(80)
        self.instrumental = QCheckBox("Instrumental")
        self.duration = QDoubleSpinBox()
        self.duration.setRange(5, 600)
        self.duration.setValue(30)
        self.duration.setSuffix(" s")
        self.generate_button = QPushButton("Generate")
        self.jobs = QTableWidget(0, 5)
        self.jobs.setHorizontalHeaderLabels(["Prompt", "Provider", "Status", "Elapsed", "Queue"])
        self.jobs.verticalHeader().setVisible(False)
        form = QFormLayout()
        form.addRow("Provider", self.provider)
        form.addRow("Prompt", self.prompt)
        form.addRow("Lyrics", self.lyrics)
        form.addRow(self.instrumental)
        form.addRow("Duration", self.duration)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.generate_button)
        layout.addWidget(self.jobs, 1)

    def set_enabled(self, enabled: bool) -> None:
        for w in (
            self.provider,
            self.prompt,
            self.lyrics,
            self.instrumental,
            self.duration,
            self.generate_button,
            self.jobs,
        ):
            w.setEnabled(enabled)
