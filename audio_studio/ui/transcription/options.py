"""Transcription options: provider, model, and only the options that model offers (SttFeatures).

Signals:
    changed(): the provider, the model or an option changed (the tab refreshes its estimate).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import StudioError
from audio_studio.core.models import Capability, TranscriptionRequest
from audio_studio.core.providers.base import ModelInfo, ProviderInfo, SttFeatures

log = logging.getLogger(__name__)

LANGUAGES = (
    ("en", "English"), ("de", "German"), ("fr", "French"), ("es", "Spanish"),
    ("it", "Italian"), ("pt", "Portuguese"), ("nl", "Dutch"), ("pl", "Polish"),
    ("sv", "Swedish"), ("da", "Danish"), ("no", "Norwegian"), ("fi", "Finnish"),
    ("cs", "Czech"), ("ro", "Romanian"), ("hu", "Hungarian"), ("el", "Greek"),
    ("tr", "Turkish"), ("ru", "Russian"), ("uk", "Ukrainian"), ("ar", "Arabic"),
    ("he", "Hebrew"), ("hi", "Hindi"), ("ja", "Japanese"), ("ko", "Korean"),
    ("zh", "Chinese"), ("vi", "Vietnamese"), ("id", "Indonesian"),
)  # fmt: skip


class SttOptions(QWidget):
    changed = Signal()

    def __init__(self, ctx: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.provider = QComboBox()
        self.provider.setObjectName("sttProvider")
        self.model = QComboBox()
        self.model.setObjectName("sttModel")
        self.model.setEditable(True)
        self.model.setToolTip("A model the provider offers; you may type another name")
        self.language = QComboBox()
        for combo in (self.provider, self.model, self.language):
            # Long names are shown whole in the open list; the closed box fits a narrow column.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("Names and words to spell right, e.g. Nyquist, PySide")
        self.word_times = QCheckBox("Word timestamps")
        self.word_times.setChecked(True)
        self.diarize = QCheckBox("Tell speakers apart")
        self.speakers = QSpinBox()
        self.speakers.setRange(0, 32)
        self.speakers.setSpecialValueText("Any number")
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.hint.setObjectName("sttHint")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Provider", self.provider)
        form.addRow("Model", self.model)
        form.addRow("Language", self.language)
        form.addRow("Vocabulary", self.prompt)
        form.addRow(self.word_times)
        form.addRow(self.diarize)
        form.addRow("Speakers", self.speakers)
        form.addRow(self.hint)
        self._form = form
        self._fill_providers()
        self.provider.currentIndexChanged.connect(self._on_provider_current_index_changed)
        self.model.currentTextChanged.connect(self._on_model_current_text_changed)
        self.diarize.toggled.connect(self._on_diarize_toggled)
        for signal in (self.language.currentIndexChanged, self.speakers.valueChanged):
            signal.connect(self._on_option_changed)
        self._on_provider_current_index_changed(self.provider.currentIndex())

    # -- what the user chose -----------------------------------------------------------------

    def provider_id(self) -> str:
        return str(self.provider.currentData() or "local")

    def info(self) -> ProviderInfo:
        """The chosen provider (a stand-in without capabilities when none is available)."""
        if self.provider.count() == 0:
            return ProviderInfo("local", "No provider", frozenset())
        return self.ctx.registry.spec(self.provider_id()).info

    def model_id(self) -> str | None:
        text = self.model.currentText().strip()
        return text or None

    def features(self) -> SttFeatures:
        return self.info().stt_features(self.model_id())

    def request(self, audio: Path) -> TranscriptionRequest:
        """A request for ``audio`` with the options shown (hidden options are not sent)."""
        f = self.features()
        offline = self._offline_speakers()
        diarize = (f.diarize or offline) and self.diarize.isChecked()
        counted = f.num_speakers or offline
        return TranscriptionRequest(
            audio=audio,
            model=self.model_id(),
            language=self.language.currentData() if f.language else None,
            prompt=(self.prompt.text().strip() or None) if f.prompt else None,
            word_timestamps=f.word_timestamps and self.word_times.isChecked(),
            diarize=diarize,
            num_speakers=(self.speakers.value() or None) if diarize and counted else None,
        )

    def _offline_speakers(self) -> bool:
        """No model of this provider labels speakers: the studio tells them apart itself."""
        return not any(m.stt and m.stt.diarize for m in self.info().models) and not (
            self.features().diarize
        )

    def select(self, provider_id: str, model: str | None = None) -> None:
        index = self.provider.findData(provider_id)
        if index >= 0:
            self.provider.setCurrentIndex(index)
        if model:
            self.model.setCurrentText(model)

    # -- filling -----------------------------------------------------------------------------

    def _fill_providers(self) -> None:
        usable = self.ctx.registry.usable(Capability.TRANSCRIPTION)
        # The offline engine first: it needs no key and works for everyone.
        usable.sort(key=lambda s: (not s.info.local, s.info.name.lower()))
        for spec in usable:
            self.provider.addItem(spec.info.name, spec.info.id)
        chosen = self.provider.findData(self.ctx.settings.transcription_provider)
        self.provider.setCurrentIndex(max(0, chosen))

    def _fill_models(self, models: list[ModelInfo], default: str | None) -> None:
        self.model.blockSignals(True)
        self.model.clear()
        for m in models:
            self.model.addItem(m.id, m.id)
            tip = m.description or m.name
            self.model.setItemData(self.model.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.model.setCurrentText(default or (models[0].id if models else ""))
        self.model.blockSignals(False)

    async def refresh_models(self) -> None:
        """Ask the provider for its models (the offline engine: the ones installed)."""
        info = self.info()
        if not info.local:
            return
        try:
            provider = await self.ctx.provider(info.id, Capability.TRANSCRIPTION)
            found = [
                m for m in await provider.list_models() if m.capability is Capability.TRANSCRIPTION
            ]
        except StudioError as exc:
            log.info("could not list %s models: %s", info.id, exc.message)
            return
        ids = [m.id for m in found]
        shown = [self.model.itemData(i) for i in range(self.model.count())]
        if found and self.provider_id() == info.id and ids != shown:
            current = self.model_id()
            self._fill_models(found, current if current in ids else ids[0])
            self._update_features()

    def _fill_languages(self, features: SttFeatures) -> None:
        # A language the last model forced (English-only Whisper) is not the user's choice.
        forced = self.language.count() == 1
        current = None if forced else self.language.currentData()
        self.language.blockSignals(True)
        self.language.clear()
        allowed = set(features.languages)
        if len(allowed) != 1:
            self.language.addItem("Detect automatically", None)
        for code, name in LANGUAGES:
            if not allowed or code in allowed:
                self.language.addItem(f"{name} ({code})", code)
        index = self.language.findData(current)
        self.language.setCurrentIndex(max(0, index))
        self.language.blockSignals(False)

    def _update_features(self) -> None:
        f = self.features()
        info = self.info()
        offline = self._offline_speakers()
        can_diarize = True  # offline speaker detection works after any recogniser
        self.speakers.setMaximum(10 if offline else 32)
        self._fill_languages(f)
        for widget, shown in (
            (self.language, f.language),
            (self.prompt, f.prompt),
            (self.word_times, f.word_timestamps),
            (self.diarize, can_diarize),
            (self.speakers, (f.num_speakers or offline) and self.diarize.isChecked()),
        ):
            self._form.setRowVisible(widget, bool(shown))
        notes = []
        if not f.timestamps:
            notes.append(
                f"{self.model_id()} answers with text only: no times, so playback cannot follow "
                "and subtitles get rough timing."
            )
        elif not f.word_timestamps:
            notes.append("Segment times only (no word times).")
        if f.languages and len(f.languages) == 1:
            notes.append(f"This model understands {dict(LANGUAGES).get(f.languages[0])} only.")
        limit, seconds = info.upload_limits(self.model_id())
        if limit and not info.local:
            size = f"{limit / 1e9:.0f} GB" if limit >= 1e9 else f"{limit / 1e6:.0f} MB"
            cap = f" or {seconds / 60:.0f} minutes" if seconds else ""
            notes.append(f"Files over {size}{cap} are sent in parts, in parallel.")
        self.hint.setText(" ".join(notes))
        self.hint.setVisible(bool(notes))

    # -- slots -------------------------------------------------------------------------------

    @Slot(int)
    def _on_provider_current_index_changed(self, _index: int) -> None:
        info = self.info()
        models = list(info.models_for(Capability.TRANSCRIPTION))
        chosen = self.ctx.settings.provider(info.id).model
        default = info.default_models.get(Capability.TRANSCRIPTION)
        if chosen and not any(m.id == chosen for m in models):
            chosen = None  # a speech model set for this provider in Settings
        self._fill_models(models, chosen or default)
        self.diarize.setChecked(False)
        self._update_features()
        self.changed.emit()

    @Slot(str)
    def _on_model_current_text_changed(self, _text: str) -> None:
        if (
            self.diarize.isChecked()
            and not self.features().diarize
            and not self._offline_speakers()
        ):
            self.diarize.setChecked(False)
        self._update_features()
        self.changed.emit()

    @Slot(bool)
    def _on_diarize_toggled(self, on: bool) -> None:
        if on and not self.features().diarize and not self._offline_speakers():
            # This model does not label speakers; the provider's model that does is chosen.
            other = next((m.id for m in self.info().models if m.stt and m.stt.diarize), None)
            if other:
                self.model.setCurrentText(other)
        self._update_features()
        self.changed.emit()

    @Slot()
    def _on_option_changed(self) -> None:
        self.changed.emit()
