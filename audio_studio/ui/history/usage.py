"""History → Usage: per provider and month, what was used and what it cost, with a small chart."""

from __future__ import annotations

import time
from collections import defaultdict

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.costs import FREE_PROVIDERS
from audio_studio.core.errors import StudioError
from audio_studio.core.library import Library
from audio_studio.core.store.usage import MonthUsage
from audio_studio.ui import messages
from audio_studio.ui.tasks import asyncSlot

HEADERS = ("Month", "Provider", "Items", "Requests", "Characters", "Audio (min)", "Cost",
           "Cost unknown")  # fmt: skip
PALETTE = ("#4c6ef5", "#f08c00", "#2f9e44", "#e64980", "#7048e8", "#1098ad", "#868e96")


class CostChart(QWidget):
    """Cost per month as stacked bars, one colour per provider."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.months: list[str] = []
        self.costs: dict[str, dict[str, float]] = {}  # month -> provider -> usd
        self.providers: list[str] = []

    def set_usage(self, rows: list[MonthUsage]) -> None:
        self.months = sorted({r.month for r in rows})[-6:]
        self.providers = sorted({r.provider for r in rows})
        self.costs = defaultdict(dict)
        for r in rows:
            if r.month in self.months:
                self.costs[r.month][r.provider] = r.cost_usd
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_color = self.palette().text().color()
        if not self.months:
            painter.setPen(text_color)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No paid use yet.")
            return
        top = max((sum(self.costs[m].values()) for m in self.months), default=0.0) or 1.0
        legend_h, label_h = 18, 18
        area_h = self.height() - legend_h - label_h - 6
        width = min(160.0, self.width() / max(1, len(self.months)))
        for i, month in enumerate(self.months):
            x = i * width + width * 0.2
            y = legend_h + area_h
            for j, provider in enumerate(self.providers):
                value = self.costs[month].get(provider, 0.0)
                h = area_h * value / top
                painter.fillRect(
                    QRectF(x, y - h, width * 0.6, h), QColor(PALETTE[j % len(PALETTE)])
                )
                y -= h
            painter.setPen(text_color)
            total = sum(self.costs[month].values())
            painter.drawText(
                QRectF(i * width, legend_h + area_h + 2, width, label_h),
                Qt.AlignmentFlag.AlignCenter,
                f"{month}  ${total:,.2f}",
            )
        x = 4.0
        for j, provider in enumerate(self.providers):
            painter.fillRect(QRectF(x, 4, 10, 10), QColor(PALETTE[j % len(PALETTE)]))
            painter.setPen(text_color)
            painter.drawText(
                QRectF(x + 14, 0, 120, legend_h), Qt.AlignmentFlag.AlignVCenter, provider
            )
            x += 24 + painter.fontMetrics().horizontalAdvance(provider)


class UsageView(QWidget):
    def __init__(self, ctx: StudioContext, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.library = library
        self.rows: list[MonthUsage] = []
        self.chart = CostChart()
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setTabKeyNavigation(False)  # one Tab stop
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.quota = QLabel("Provider quotas appear here when a provider reports one.")
        self.quota.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Count the spending again from History")
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        note = QLabel(
            "Estimated from the studio's price table where a provider does not report cost. "
            "Monthly budgets are set in Settings → Budgets and checked before every job."
        )
        note.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(note, 1)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.chart)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.quota)

    async def refresh(self) -> None:
        try:
            self.rows = await self.library.usage()
        except StudioError as exc:
            self.quota.setText(messages.status_text(exc))
            return
        self.chart.set_usage(self.rows)
        self.table.setRowCount(len(self.rows))
        for r, u in enumerate(self.rows):
            values = (
                u.month,
                u.provider,
                f"{u.items:,}",
                f"{u.requests:,}",
                f"{u.characters:,}",
                f"{u.audio_seconds / 60:,.1f}",
                "free" if u.provider in FREE_PROVIDERS else f"${u.cost_usd:,.2f}",
                f"{u.unknown_cost_items:,}" if u.unknown_cost_items else "",
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        await self.refresh_quotas()

    async def refresh_quotas(self) -> None:
        """Ask the providers that report a quota (ElevenLabs' subscription) and have a key."""
        lines = []
        for spec in self.ctx.registry.specs():
            if spec.info.local or not await self.ctx.has_api_key(spec.info.id):
                continue
            try:
                provider = await self.ctx.provider(spec.info.id)
            except StudioError:
                continue
            ask = getattr(provider, "quota", None)
            if ask is None:
                continue
            try:
                quota = await ask()
            except StudioError as exc:
                lines.append(f"{spec.info.name}: {exc.message}")
                continue
            resets = (
                f", resets {time.strftime('%Y-%m-%d', time.localtime(quota.resets_at))}"
                if quota.resets_at
                else ""
            )
            lines.append(
                f"{spec.info.name} ({quota.tier}): {quota.used:,} of {quota.limit:,} "
                f"credits used, {quota.remaining:,} left{resets}"
            )
        if lines:
            self.quota.setText("\n".join(lines))

    @asyncSlot()
    async def _on_refresh_clicked(self) -> None:
        await self.refresh()
