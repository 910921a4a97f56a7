"""History's detail pane: play an item, see exactly how it was made, and act on it."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.costs import FREE_PROVIDERS
from audio_studio.core.errors import StudioError
from audio_studio.core.store.history import HistoryItem
from audio_studio.ui import messages
from audio_studio.ui.tasks import asyncSlot, spawn
from audio_studio.ui.widgets.folders import RecentFolders
from audio_studio.ui.widgets.player_bar import PlayerBar

# Kinds whose items can be made again from their parameters (see core/library/service.py).
RERUNNABLE = {"speech", "sfx", "transcript", "music", "narration", "take"}


def describe_item(item: HistoryItem) -> str:
    """The provenance of an item as readable lines: who made it, how, when, at what cost."""
    created = datetime.fromisoformat(item.created_at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    lines = [
        f"{item.kind.value.capitalize()} · {item.status.value} · made {created}",
        f"Provider: {item.provider or '—'}    Model: {item.model or '—'}    "
        f"Voice: {item.voice or '—'}",
    ]
    if item.params.get("cloned_voice"):
        lines.append("Made with a cloned voice (consent is stored with the voice).")
    if item.provider is not None:  # made by a provider call (not a recording or an import)
        lines.append(latency_line(item))
    usage = item.usage
    if item.provider in FREE_PROVIDERS:
        cost = "free (made on this computer)" if item.provider == "local" else "free"
    else:
        cost = "unknown" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
    used = [f"{usage.characters:,} characters"] if usage.characters else []
    if usage.audio_seconds:
        used.append(f"{usage.audio_seconds:,.1f} s of audio")
    if usage.credits:
        used.append(f"{usage.credits:,.0f} credits")
    lines.append(f"Cost: {cost}" + (f" ({', '.join(used)})" if used else ""))
    if item.duration_s:
        lines.append(f"Duration: {item.duration_s:.2f} s")
    if item.error:
        lines.append(f"Error: {item.error}")
    return "\n".join(lines)


def latency_line(item: HistoryItem) -> str:
    """All four times (first byte, total, upload, queue); "—" where one does not apply.

    A transcript sent in parts sums its requests' upload and first-byte times (each part's
    own are in its Parameters).
    """
    latency = item.latency
    first = "first byte" if item.kind.value == "transcript" else "first audio"
    parts = item.params.get("parts")
    summed = f" (summed over {len(parts)} parts)" if isinstance(parts, list) and parts else ""
    figures = [
        f"{name} {_ms(value)}"
        for name, value in (
            (first, latency.ttfb_ms),
            ("total", latency.total_ms),
            ("upload", latency.upload_ms),
            ("queue", latency.queue_ms),
        )
    ]
    return "Latency: " + ", ".join(figures) + summed


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if value < 10_000 else f"{value / 1000:.1f} s"


class HistoryDetail(QWidget):
    """The selected item.

    Signals:
        changed(object): the item was renamed, starred or tagged (the new HistoryItem).
        rerun_requested(object), open_requested(object), delete_requested(object): actions the
            tab carries out (as jobs, or through the window).
    """

    changed = Signal(object)
    rerun_requested = Signal(object)
    open_requested = Signal(object)
    delete_requested = Signal(object)

    def __init__(self, ctx: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item: HistoryItem | None = None
        self.player: PlayerBar | None = None

        self.title = QLineEdit()
        self.title.setPlaceholderText("Title")
        self.title.editingFinished.connect(self._on_title_editing_finished)
        self.star = QPushButton("☆")
        self.star.setCheckable(True)
        self.star.setToolTip("Star: keep it when old files are cleaned up")
        self.star.toggled.connect(self._on_star_toggled)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("Tags, separated by spaces")
        self.tags.editingFinished.connect(self._on_tags_editing_finished)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.player_box = QVBoxLayout()
        self.pages = QTabWidget()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.params = QPlainTextEdit()
        self.params.setReadOnly(True)
        self.files = QPlainTextEdit()
        self.files.setReadOnly(True)
        self.pages.addTab(self.text, "Text")
        self.pages.addTab(self.params, "Parameters")
        self.pages.addTab(self.files, "Files")
        # A narration's takes and exports, a recording's transcripts, a sound's variations:
        # rows the table folds under their first row, one double-click away from here.
        self.related = QListWidget()
        self.related.itemActivated.connect(self._on_related_activated)
        self.pages.addTab(self.related, "Related")
        self.buttons = {
            name: QPushButton(label)
            for name, label in (
                ("rerun", "Make again"),
                ("open", "Open in its tab"),
                ("reveal", "Show in folder"),
                ("export", "Export…"),
                ("copy", "Copy text"),
                ("delete", "Delete…"),
            )
        }
        self.buttons["rerun"].setToolTip(
            "Run the same request again with every parameter as it was"
        )
        self.buttons["open"].setToolTip(
            "Load it into its tab to change something and make it again"
        )
        for name, tip in (
            ("reveal", "Show the audio file in the file manager"),
            ("export", "Save a copy of the file where you choose"),
            ("copy", "Copy the script, prompt or transcript text"),
            ("delete", "Delete this item (Undo brings it back for a while)"),
        ):
            self.buttons[name].setToolTip(tip)
        self.buttons["rerun"].clicked.connect(lambda: self.rerun_requested.emit(self.item))
        self.buttons["open"].clicked.connect(lambda: self.open_requested.emit(self.item))
        self.buttons["delete"].clicked.connect(lambda: self.delete_requested.emit(self.item))
        self.buttons["reveal"].clicked.connect(self._on_reveal_clicked)
        self.buttons["export"].clicked.connect(self._on_export_clicked)
        self.buttons["copy"].clicked.connect(self._on_copy_clicked)
        self.note = QLabel()
        self.note.setWordWrap(True)

        header = QHBoxLayout()
        header.addWidget(self.star)
        header.addWidget(self.title, 1)
        actions = QHBoxLayout()
        for button in self.buttons.values():
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tags)
        layout.addWidget(self.summary)
        layout.addLayout(self.player_box)
        layout.addLayout(actions)
        layout.addWidget(self.note)
        layout.addWidget(self.pages, 1)
        self.show_item(None)

    # -- showing -----------------------------------------------------------------------------

    def show_item(self, item: HistoryItem | None) -> None:
        self.item = item
        for widget in (self.title, self.tags, self.star, *self.buttons.values()):
            widget.setEnabled(item is not None)
        self.note.clear()
        if item is None:
            self.title.clear()
            self.tags.clear()
            self.summary.setText("Select an item to see how it was made.")
            for page in (self.text, self.params, self.files):
                page.clear()
            self.related.clear()
            self.pages.setTabText(self.pages.indexOf(self.related), "Related")
            self._show_player(None)
            return
        self.title.setText(item.title)
        self.tags.setText(" ".join(item.tags))
        self.star.blockSignals(True)
        self.star.setChecked(item.starred)
        self.star.setText("★" if item.starred else "☆")
        self.star.blockSignals(False)
        self.summary.setText(describe_item(item))
        self.text.setPlainText(item.input_text or item.prompt or item.transcript)
        self.params.setPlainText(
            json.dumps(dict(item.params), indent=2, sort_keys=True, default=str)
        )
        self.files.setPlainText(
            "\n".join(
                f"{f.role}: {f.path}  ({f.format}, {f.size_bytes:,} bytes)" for f in item.files
            )
            or "No files (removed by a clean-up, or none were made)."
        )
        self.buttons["rerun"].setEnabled(item.kind.value in RERUNNABLE)
        audio = self.audio_path()
        self.buttons["reveal"].setEnabled(audio is not None)
        self.buttons["export"].setEnabled(audio is not None)
        self._show_player(audio)
        self.related.clear()
        self.pages.setTabText(self.pages.indexOf(self.related), "Related")
        spawn(self._load_related(item), owner=self)

    async def _load_related(self, item: HistoryItem) -> None:
        """The item's parent and children, each a line that opens it here."""
        history = self.ctx.history
        try:
            children = await asyncio.to_thread(history.children, item.id)
            parent = (
                await asyncio.to_thread(history.get, item.parent_id) if item.parent_id else None
            )
        except StudioError as exc:
            self.note.setText(messages.status_text(exc))
            return
        if self.item is None or self.item.id != item.id:
            return  # another item was selected meanwhile
        self.related.clear()
        rows = ([("Part of", parent)] if parent is not None else []) + [
            ("", child) for child in children
        ]
        for label, other in rows:
            when = other.created_at[:16].replace("T", " ")
            length = f" · {other.duration_s:.1f} s" if other.duration_s else ""
            prefix = f"{label}: " if label else ""
            line = QListWidgetItem(f"{prefix}{other.kind.value} · {other.title}{length} · {when}")
            line.setData(Qt.ItemDataRole.UserRole, other)
            self.related.addItem(line)
        index = self.pages.indexOf(self.related)
        self.pages.setTabText(index, f"Related ({len(rows)})" if rows else "Related")

    @Slot(QListWidgetItem)
    def _on_related_activated(self, line: QListWidgetItem) -> None:
        other = line.data(Qt.ItemDataRole.UserRole)
        if isinstance(other, HistoryItem):
            self.show_item(other)

    def audio_path(self) -> Path | None:
        if self.item is None:
            return None
        record = self.item.file("audio") or self.item.file("export")
        return record.path if record is not None and record.path.exists() else None

    def _show_player(self, audio: Path | None) -> None:
        if audio is None:
            if self.player is not None:
                self.player.hide()
            return
        if self.player is None:
            self.player = PlayerBar.for_context(self.ctx)
            self.player_box.addWidget(self.player)
        self.player.show()
        spawn(self._load_player(audio), owner=self)

    async def _load_player(self, audio: Path) -> None:
        if self.player is None:
            return
        try:
            await self.player.load_file(audio)
        except StudioError as exc:
            self.note.setText(messages.status_text(exc))

    # -- editing -----------------------------------------------------------------------------

    async def save(self, **fields: object) -> None:
        item = self.item
        if item is None:
            return
        try:
            await asyncio.to_thread(self.ctx.history.update, item.id, **fields)
            fresh = await asyncio.to_thread(self.ctx.history.get, item.id)
        except StudioError as exc:
            self.note.setText(messages.status_text(exc))
            return
        if fresh is not None and self.item is not None and fresh.id == self.item.id:
            self.item = fresh
            self.changed.emit(fresh)

    @asyncSlot()
    async def _on_title_editing_finished(self) -> None:
        if self.item is not None and self.title.text().strip() != self.item.title:
            await self.save(title=self.title.text().strip())

    @asyncSlot(bool)
    async def _on_star_toggled(self, on: bool) -> None:
        self.star.setText("★" if on else "☆")
        await self.save(starred=on)

    @asyncSlot()
    async def _on_tags_editing_finished(self) -> None:
        if self.item is not None and self.tags.text().split() != list(self.item.tags):
            await self.save(tags=tuple(self.tags.text().replace(",", " ").split()))

    # -- files ------------------------------------------------------------------------------

    @Slot()
    def _on_reveal_clicked(self) -> None:
        audio = self.audio_path()
        if audio is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(audio.parent)))

    @Slot()
    def _on_export_clicked(self) -> None:
        # A plain slot: a modal dialog inside a task would stop every other task meanwhile.
        audio = self.audio_path()
        if audio is None or self.item is None:
            return
        name = "".join(c if c.isalnum() or c in " -_" else "_" for c in self.item.title).strip()
        folders = RecentFolders(self.ctx)
        start = folders.start(
            "copy", self.ctx.settings.output_dir or self.ctx.paths.default_output_dir
        )
        suggested = start / f"{name or 'audio'}{audio.suffix}"
        target, _ = QFileDialog.getSaveFileName(self, "Export a copy", str(suggested))
        if target:
            folders.remember("copy", target)
            spawn(self.export_copy(Path(target)), owner=self)

    async def export_copy(self, target: Path) -> Path:
        """Save a copy: the same bytes, or converted when the name asks for another format."""
        audio = self.audio_path()
        assert audio is not None
        try:
            if target.suffix.lower() == audio.suffix.lower():
                await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
                await asyncio.to_thread(shutil.copyfile, audio, target)
            else:
                from audio_studio.core.audio import codec

                data = await asyncio.to_thread(codec.decode, audio)
                tags = {"title": self.item.title} if self.item else {}
                await asyncio.to_thread(codec.write, data, target, tags=tags)
        except (StudioError, OSError) as exc:
            self.note.setText(
                messages.status_text(exc)
                if isinstance(exc, StudioError)
                else f"Could not write {target}: {exc.strerror or exc}"
            )
            raise
        self.note.setText(f"Exported to {target}")
        return target

    @Slot()
    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.note.setText("Text copied.")
