"""A job of unknown cost on a provider with a budget: the window asks first, once."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from audio_studio.core.models import Capability
from audio_studio.core.preflight import preflight
from audio_studio.core.settings import Budget
from audio_studio.ui import messages


def answer(qloop, ctx, parent: QWidget, button: QMessageBox.StandardButton, check) -> bool:  # type: ignore[no-untyped-def]
    task = asyncio.ensure_future(messages.agree_to_unknown_cost(parent, ctx, check), loop=qloop)
    box = None
    while box is None:
        QCoreApplication.processEvents()
        boxes = [b for b in parent.findChildren(QMessageBox) if b.isVisible()]
        box = boxes[0] if boxes else None
    assert "unknown" in box.text()
    box.button(button).click()
    while not task.done():
        QCoreApplication.processEvents()
    return task.result()


def test_the_window_asks_before_an_unknown_cost(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    check = preflight("imarouter", Capability.SPEECH, 0.0, Budget(monthly_usd=5), characters=9)
    assert check.confirm
    assert answer(qloop, service.context, parent, QMessageBox.StandardButton.No, check) is False
    assert not service.context.unknown_cost_ok("imarouter")
    assert answer(qloop, service.context, parent, QMessageBox.StandardButton.Yes, check) is True
    assert service.context.unknown_cost_ok("imarouter")
    # Agreed: the next check needs no question, and the job is let through.
    again = asyncio.ensure_future(
        messages.agree_to_unknown_cost(parent, service.context, check), loop=qloop
    )
    while not again.done():
        QCoreApplication.processEvents()
    assert again.result() is True


def test_the_budgets_page_keeps_elevenlabs_in_credits(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    from audio_studio.core.models import HistoryKind, Usage
    from audio_studio.core.store.history import HistoryEntry
    from audio_studio.ui.dialogs.budgets_page import BudgetsPage
    from tests.support.qt import run

    service.history.add(HistoryEntry(kind=HistoryKind.SFX, provider="elevenlabs",
                                     usage=Usage(credits=1240)))  # fmt: skip
    page = BudgetsPage(service)
    qtbot.addWidget(page)
    amount, _, _ = page.rows["elevenlabs"]
    assert amount.suffix() == " credits" and page.rows["openai"][0].prefix() == "$ "
    amount.setValue(30_000)
    page.rows["openai"][0].setValue(20)
    settings = page.apply_to(service.settings)
    assert settings.budget("elevenlabs") == Budget(monthly_credits=30_000)
    assert settings.budget("openai").monthly_usd == 20 and settings.budget("openai").active
    run(qloop, page.load())
    row = [i.id for i in page.providers].index("elevenlabs")
    assert page.table.item(row, 4).text() == "1,240 credits"
