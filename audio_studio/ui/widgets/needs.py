"""Pieces every tab shares: the banner that says what a tab still needs, and capability checks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from audio_studio.core.context import StudioContext
from audio_studio.core.models import Capability

OFFLINE_HINT = "pip install 'audio-studio[offline]' (the README's run command does this)"


class NeedsBanner(QLabel):
    """A line at the top of a tab that says what it needs before its controls can be used."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("needsBanner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet(
            "#needsBanner { background: palette(alternate-base); border: 1px solid palette(mid);"
            " border-radius: 4px; padding: 6px; }"
        )
        self.hide()

    def show_need(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))


def provider_need(ctx: StudioContext, capability: Capability, what: str) -> str | None:
    """None when a provider for ``capability`` can run here; else what to do about it."""
    if ctx.registry.usable(capability):
        return None
    cloud = [s.info.name for s in ctx.registry.for_capability(capability) if not s.info.local]
    local_missing = [
        reason
        for s in ctx.registry.for_capability(capability)
        if s.info.local and (reason := s.unavailable(capability))
    ]
    parts = [f"{what} needs a provider that can do it."]
    if local_missing:
        parts.append(local_missing[0])
    else:
        parts.append(f"Install the offline engines with {OFFLINE_HINT}.")
    if cloud:
        parts.append(f"Or add a key for {', '.join(cloud)} in Settings → Providers.")
    return " ".join(parts)
