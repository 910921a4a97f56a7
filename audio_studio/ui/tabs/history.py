"""History tab: everything the studio made, searchable, with how it was made."""

from __future__ import annotations

import json
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from audio_studio.core.errors import StudioError
from audio_studio.core.models import HistoryKind
from audio_studio.core.services.studio import StudioService
from audio_studio.core.store.history import HistoryItem, HistoryQuery
from audio_studio.ui import messages
from audio_studio.ui.bridge import JobController

COLUMNS = ("Kind", "Title", "Provider", "Model / voice", "Duration", "Created", "★")


class HistoryTab(QWidget):
    def __init__(
        self, service: StudioService, controller: JobController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.controller = controller
        self.items: list[HistoryItem] = []

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search scripts, prompts and transcripts")
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox()
        self.kind.addItem("All kinds", None)
        for kind in HistoryKind:
            self.kind.addItem(kind.value.replace("_", " ").capitalize(), kind.value)
        self.starred = QCheckBox("Starred")
        self.count_label = QLabel("")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select an item to see how it was made.")
        self.empty_label = QLabel(
            "Nothing here yet. Narrations, recordings, transcripts, effects and music you make "
            "are kept here with every setting that made them."
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        # Typing restarts a short timer so a search runs once the user pauses.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.search.textChanged.connect(self._debounce.start)
        self.kind.currentIndexChanged.connect(self._debounce.start)
        self.starred.toggled.connect(self._debounce.start)
        controller.history_changed.connect(self._debounce.start)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.kind)
        filters.addWidget(self.starred)
        filters.addWidget(self.count_label)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.empty_label)
        layout.addWidget(split, 1)
        self._debounce.start()  # first load once the loop runs

    def current_query(self) -> HistoryQuery:
        kind = self.kind.currentData()
        return HistoryQuery(
            search=self.search.text().strip() or None,
            kinds=(HistoryKind(kind),) if kind else (),
            starred_only=self.starred.isChecked(),
            limit=500,
        )

    async def refresh(self) -> None:
        query = self.current_query()
        try:
            items = await self.service.history_query(query)
            total = await self.service.history_count(query)
        except StudioError as exc:
            self.count_label.setText(messages.status_text(exc))
            return
        self.items = items
        self._fill(items)
        shown = f"{len(items):,} of {total:,}" if total > len(items) else f"{total:,}"
        self.count_label.setText(f"{shown} item{'s' if total != 1 else ''}")
        self.empty_label.setVisible(total == 0 and query == HistoryQuery(limit=500))

    @asyncSlot()
    async def _on_debounce_timeout(self) -> None:
        await self.refresh()

    def _fill(self, items: list[HistoryItem]) -> None:
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            created = datetime.fromisoformat(item.created_at).astimezone()
            model_voice = " / ".join(x for x in (item.model, item.voice) if x)
            duration = f"{item.duration_s:.1f} s" if item.duration_s else ""
            values = (
                item.kind.value,
                item.title or (item.match or ""),
                item.provider or "",
                model_voice,
                duration,
                created.strftime("%Y-%m-%d %H:%M"),
                "★" if item.starred else "",
            )
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if col == 1 and item.match:
                    cell.setToolTip(item.match)
                self.table.setItem(row, col, cell)

    @Slot()
    def _on_table_selection_changed(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) != 1:
            self.detail.clear()
            return
        item = self.items[rows.pop()]
        lines = [
            f"{item.title}",
            f"Kind: {item.kind.value}    Status: {item.status.value}",
            f"Provider: {item.provider or '—'}    Model: {item.model or '—'}    "
            f"Voice: {item.voice or '—'}",
            f"Created: {item.created_at}",
        ]
        if item.latency.ttfb_ms is not None or item.latency.total_ms is not None:
            lines.append(
                f"Latency: first byte {item.latency.ttfb_ms or 0:.0f} ms, "
                f"total {item.latency.total_ms or 0:.0f} ms"
            )
        if item.usage.cost_usd is not None:
            lines.append(f"Estimated cost: ${item.usage.cost_usd:.4f}")
        if item.error:
            lines.append(f"Error: {item.error}")
        for f in item.files:
            lines.append(f"File ({f.role}): {f.path}")
        if item.params:
            lines.append("Parameters: " + json.dumps(dict(item.params), indent=2, sort_keys=True))
        text = item.input_text or item.prompt or item.transcript
        if text:
            lines.extend(["", text[:5000]])
        self.detail.setPlainText("\n".join(lines))
