"""What the sentence table asks of the Narration tab: a sentence edited in place or shown in
the script, new takes, another take chosen or played, a role, a lock, removed takes cleared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextEdit

from audio_studio.core.errors import StudioError
from audio_studio.core.narration.project import Chunk
from audio_studio.ui.tasks import asyncSlot

__all__ = ["SentenceActions", "qt_pos"]


class SentenceActions(QObject):
    """Answers the sentence table (``tab.chunks``) of the Narration tab ``tab``."""

    def __init__(self, tab: Any) -> None:
        super().__init__(tab)
        self.tab = tab
        chunks = tab.chunks
        chunks.model.text_edited.connect(self._on_chunk_text_edited)
        chunks.regenerate_requested.connect(self._on_regenerate_requested)
        chunks.lock_requested.connect(self._on_lock_requested)
        chunks.take_chosen.connect(self._on_take_chosen)
        chunks.play_requested.connect(self._on_play_requested)
        chunks.retry_requested.connect(self._on_retry_requested)
        chunks.offline_requested.connect(self._on_offline_requested)
        chunks.selected.connect(self._on_chunk_selected)
        chunks.clear_removed_requested.connect(self._on_clear_removed_requested)
        chunks.role_requested.connect(self._on_role_requested)

    # -- the words ---------------------------------------------------------------------------

    @Slot(object, str)
    def _on_chunk_text_edited(self, chunk: Chunk, text: str) -> None:
        self.edit(chunk, text)

    def edit(self, chunk: Chunk, text: str) -> None:
        """Replace one sentence's words in the editor (undoable); it is then remade."""
        editor = self.tab.editor
        script = editor.toPlainText()
        if script != self.tab.vm.project.script:
            return  # the editor is ahead of the project; it will be split again shortly
        cursor = QTextCursor(editor.document())
        cursor.setPosition(qt_pos(script, chunk.start))
        cursor.setPosition(qt_pos(script, chunk.end), QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text.strip())

    @Slot(object)
    def _on_chunk_selected(self, chunk: Chunk | None) -> None:
        editor = self.tab.editor
        script = editor.toPlainText()
        if chunk is None or script != self.tab.vm.project.script:
            return
        # Marked, not selected: a key typed next (Space, say) must not replace the sentence.
        mark = QTextEdit.ExtraSelection()
        mark.cursor = QTextCursor(editor.document())
        mark.cursor.setPosition(qt_pos(script, chunk.start))
        mark.cursor.setPosition(qt_pos(script, chunk.end), QTextCursor.MoveMode.KeepAnchor)
        mark.format.setBackground(self.tab.palette().highlight().color().lighter(170))
        editor.setExtraSelections([mark])
        cursor = editor.textCursor()
        cursor.setPosition(qt_pos(script, chunk.start))
        editor.setTextCursor(cursor)
        editor.centerCursor()

    # -- takes -------------------------------------------------------------------------------

    @asyncSlot(list)
    async def _on_regenerate_requested(self, chunks: list[Chunk]) -> None:
        await self.tab.vm.generate(chunks, force=True, preview=self.tab.preview_sink)

    @asyncSlot(list)
    async def _on_retry_requested(self, chunks: list[Chunk]) -> None:
        await self.tab.vm.generate(chunks, preview=self.tab.preview_sink)

    @asyncSlot(list)
    async def _on_offline_requested(self, chunks: list[Chunk]) -> None:
        await self.tab.vm.generate(chunks, offline=True, preview=self.tab.preview_sink)

    @asyncSlot(object, int)
    async def _on_take_chosen(self, chunk: Chunk, index: int) -> None:
        await self.choose_take(chunk, index)

    async def choose_take(self, chunk: Chunk, index: int) -> None:
        """Use take ``index`` of ``chunk`` (kept with the project) and play it."""
        self.tab.vm.project.choose_take(chunk, index)
        self._changed([chunk])
        await self.play_take(chunk)

    @asyncSlot(object)
    async def _on_play_requested(self, chunk: Chunk) -> None:
        await self.play_take(chunk)

    async def play_take(self, chunk: Chunk) -> None:
        take = chunk.take
        if take is None:
            return
        bar = self.tab.player_bar
        self.tab.book.follow([])  # a take, not the export: nothing to follow
        try:
            await bar.load_file(Path(take.path))
        except StudioError:
            return  # the bar shows why
        await bar.toggle()

    # -- roles, locks, removed sentences -----------------------------------------------------

    @Slot(list, object)
    def _on_role_requested(self, chunks: list[Chunk], role: str | None) -> None:
        self.tab.vm.set_role(chunks, role)
        self.tab.chunks.model.flush()
        self.tab.chunks.refresh()
        self.tab.replan()

    @Slot(list, bool)
    def _on_lock_requested(self, chunks: list[Chunk], locked: bool) -> None:
        for chunk in chunks:
            self.tab.vm.project.set_locked(chunk, locked)
        self._changed(chunks)

    @Slot()
    def _on_clear_removed_requested(self) -> None:
        count = self.tab.vm.project.clear_removed()
        self.tab.chunks.refresh()
        self.tab.vm.schedule_save()
        self.tab.say(
            f"Cleared the takes of {count} sentence{'s' if count != 1 else ''} "
            "no longer in the script."
        )

    def _changed(self, chunks: list[Chunk]) -> None:
        """``chunks`` changed here: their rows redrawn, the project saved shortly."""
        model = self.tab.chunks.model
        for chunk in chunks:
            model.mark(chunk)
        model.flush()
        self.tab.chunks.refresh()
        self.tab.vm.schedule_save()


def qt_pos(text: str, index: int) -> int:
    """A Python string index as a Qt text position (UTF-16 code units)."""
    head = text[:index]
    return len(head) + sum(1 for c in head if ord(c) > 0xFFFF)
