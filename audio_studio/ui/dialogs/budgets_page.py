"""Settings → Budgets: a monthly budget per cloud provider, in the unit it bills (dollars, or
credits for ElevenLabs), with warn and block thresholds."""

from __future__ import annotations

import asyncio
import dataclasses

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.costs import bills_credits
from audio_studio.core.models import frozen_mapping
from audio_studio.core.preflight import month_usage
from audio_studio.core.settings import Budget, Settings
from audio_studio.core.studio import Studio

HEADERS = ("Provider", "Monthly budget", "Warn at", "Stop at", "Spent this month")


class BudgetsPage(QWidget):
    def __init__(self, studio: Studio, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.studio = studio
        self.providers = [s.info for s in studio.registry.specs() if not s.info.local]
        self.table = QTableWidget(len(self.providers), len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.rows: dict[str, tuple[QDoubleSpinBox, QSpinBox, QSpinBox]] = {}
        for row, info in enumerate(self.providers):
            budget = studio.settings.budget(info.id)
            amount = QDoubleSpinBox()
            if bills_credits(info.id):
                amount.setRange(0, 1_000_000_000)
                amount.setDecimals(0)
                amount.setSuffix(" credits")
                amount.setValue(budget.monthly_credits)
            else:
                amount.setRange(0, 1_000_000)
                amount.setPrefix("$ ")
                amount.setValue(budget.monthly_usd)
            amount.setSpecialValueText("no budget")
            amount.setAccessibleName(f"Monthly budget for {info.name}")
            warn, block = QSpinBox(), QSpinBox()
            for box, share in ((warn, budget.warn_at), (block, budget.block_at)):
                box.setRange(1, 1000)
                box.setSuffix(" %")
                box.setValue(round(share * 100))
            self.table.setItem(row, 0, QTableWidgetItem(info.name))
            self.table.setCellWidget(row, 1, amount)
            self.table.setCellWidget(row, 2, warn)
            self.table.setCellWidget(row, 3, block)
            self.table.setItem(row, 4, QTableWidgetItem("…"))
            self.rows[info.id] = (amount, warn, block)
        note = QLabel(
            "Before every job the studio estimates its cost. It warns when a provider's spending "
            "this month would pass “Warn at”, and does not start a job that would pass “Stop at”. "
            "ElevenLabs bills credits, so its budget is in credits. When a job's cost is unknown "
            "and the provider has a budget, the studio asks first (the command line needs --yes). "
            "Offline engines and self-hosted servers cost nothing and have no budget."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)

    async def load(self) -> None:
        for row, info in enumerate(self.providers):
            usd, credits = await asyncio.to_thread(month_usage, self.studio.history, info.id)
            spent = f"{credits:,.0f} credits" if bills_credits(info.id) else f"${usd:,.2f}"
            self.table.setItem(row, 4, QTableWidgetItem(spent))

    def apply_to(self, settings: Settings) -> Settings:
        budgets = dict(settings.budgets)
        for provider_id, (amount, warn, block) in self.rows.items():
            if amount.value() <= 0:
                budgets.pop(provider_id, None)
                continue
            unit = "monthly_credits" if bills_credits(provider_id) else "monthly_usd"
            budgets[provider_id] = Budget(
                warn_at=warn.value() / 100, block_at=block.value() / 100, **{unit: amount.value()}
            )
        return dataclasses.replace(settings, budgets=frozen_mapping(budgets))
