"""Coroutines started from Qt are cancelled when their widget is destroyed, never after."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QLabel

from audio_studio.ui.tasks import asyncSlot, spawn


class Label(QLabel):
    @asyncSlot()
    async def fill_later(self) -> None:
        await asyncio.sleep(0.2)
        self.setText("filled")  # would raise RuntimeError if the label were gone


def test_a_destroyed_widget_cancels_its_tasks(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    label = Label()
    task = label.fill_later()
    label.deleteLater()
    qtbot.waitUntil(task.done)
    assert task.cancelled()


def test_a_new_object_does_not_inherit_a_dead_ones_tasks(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    for _ in range(20):  # addresses are reused quickly; keys must not be
        old = QLabel()
        spawn(asyncio.sleep(10), owner=old)
        old.deleteLater()
        new = QLabel()
        task = spawn(asyncio.sleep(0.05), owner=new)
        qtbot.waitUntil(task.done)
        assert not task.cancelled()
        new.deleteLater()


def test_extra_signal_arguments_are_dropped(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    seen = []

    class Box(QLabel):
        @asyncSlot(int)
        async def take(self) -> None:
            seen.append("ran")

    box = Box()
    qtbot.addWidget(box)
    qtbot.waitUntil(box.take(5).done)
    assert seen == ["ran"]
