"""The transcript viewer: read along with playback, click to seek, correct, search, rename speakers.

Signals:
    seek_requested(float): the user clicked a segment (its start, in seconds).
    edited(): the transcript changed (text, a speaker, undo or redo).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.models import Transcript
from audio_studio.ui.transcription.delegate import SegmentDelegate
from audio_studio.ui.transcription.transcript_model import TranscriptModel

_USER_SCROLL_HOLD_MS = 4000  # after the user scrolls, following playback waits this long


class TranscriptView(QWidget):
    seek_requested = Signal(float)
    edited = Signal()
    speaker_renamed = Signal(object, str, str)  # the transcript before, old name, new name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TranscriptModel(self)
        self.list = QListView()
        self.list.setObjectName("transcriptList")
        self.list.setAccessibleName("Transcript")
        self.list.setModel(self.model)
        self.delegate = SegmentDelegate(self.list, self.list)
        self.list.setItemDelegate(self.delegate)
        self.list.setUniformItemSizes(False)
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        # Lay out a few hundred rows at a time: a two-hour transcript opens at once.
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setBatchSize(200)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        self.search = QLineEdit()
        self.search.setObjectName("transcriptSearch")
        self.search.setPlaceholderText("Search in this transcript")
        self.search.setClearButtonEnabled(True)
        self.matches = QLabel("")
        self.matches.setMinimumWidth(80)
        self.previous_match = QToolButton()
        self.previous_match.setText("↑")
        self.previous_match.setToolTip("Previous line with a match")
        self.next_match = QToolButton()
        self.next_match.setText("↓")
        self.next_match.setToolTip("Next line with a match (Enter in the search box)")
        self.follow = QCheckBox("Follow playback")
        self.follow.setChecked(True)
        self.speakers_button = QToolButton()
        self.speakers_button.setText("Speakers")
        self.speakers_button.setToolTip("Rename a speaker everywhere in this transcript")
        self.speakers_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.speakers_menu = QMenu(self.speakers_button)
        self.speakers_button.setMenu(self.speakers_menu)
        self.info = QLabel("")
        self.info.setObjectName("transcriptInfo")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notices = QLabel("")
        self.notices.setObjectName("transcriptNotices")
        self.notices.setWordWrap(True)
        self.notices.setStyleSheet(
            "#transcriptNotices { background: #fff4cc; color: #4a3b00; border: 1px solid #e6cf73;"
            " border-radius: 4px; padding: 4px; }"
        )
        self.notices.hide()
        self.placeholder = QLabel(
            "Record, open or drop audio files, and the transcript appears here. Click a line "
            "to play from there; double-click it to correct it."
        )
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.undo_action = self.model.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.model.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.matches)
        bar.addWidget(self.previous_match)
        bar.addWidget(self.next_match)
        bar.addWidget(self.speakers_button)
        bar.addWidget(self.follow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.info)
        layout.addWidget(self.notices)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(self.list, 1)
        self.list.hide()

        self._held_until = 0.0
        self._clock = QTimer(self)  # running: the user scrolled recently
        self._clock.setSingleShot(True)
        self._programmatic_scroll = False
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.next_match.clicked.connect(self._on_next_match_clicked)
        self.previous_match.clicked.connect(self._on_previous_match_clicked)
        self.list.clicked.connect(self._on_list_clicked)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu_requested)
        self.list.verticalScrollBar().valueChanged.connect(self._on_scroll_value_changed)
        self.model.matches_changed.connect(self._on_model_matches_changed)
        self.model.edited.connect(self._on_model_edited)
        self.model.dataChanged.connect(self._on_model_data_changed)
        self.speakers_menu.aboutToShow.connect(self._on_speakers_menu_about_to_show)
        self._refresh_speakers()

    # -- content -----------------------------------------------------------------------------

    def set_transcript(self, transcript: Transcript | None, *, placeholder: str = "") -> None:
        """Show ``transcript`` (None: the placeholder, with ``placeholder`` as its text)."""
        self.model.set_transcript(transcript or Transcript(()))
        has = transcript is not None
        self.list.setVisible(has)
        self.placeholder.setVisible(not has)
        if placeholder:
            self.placeholder.setText(placeholder)
        self.info.setText(describe(transcript) if transcript is not None else "")
        notes = transcript.notices if transcript is not None else ()
        self.notices.setText("\n".join(notes))
        self.notices.setVisible(bool(notes))
        self._refresh_speakers()
        self.list.scrollToTop()

    def transcript(self) -> Transcript:
        return self.model.transcript()

    def set_text(self, row: int, text: str) -> bool:
        return self.model.set_text(row, text)

    def rename_speaker(self, old: str, new: str) -> bool:
        return self.model.rename_speaker(old, new)

    # -- playback ----------------------------------------------------------------------------

    def set_position(self, seconds: float) -> None:
        """The player is at ``seconds``: mark the segment playing, keep it in view."""
        row = self.model.row_at(seconds)
        if not self.model.set_current(row) or row < 0 or not self.follow.isChecked():
            return
        if self.list.state() == QAbstractItemView.State.EditingState:
            return  # never move the text someone is typing in
        if self._clock.isActive():
            return  # the user scrolled a moment ago: let them read
        self._programmatic_scroll = True
        self.list.scrollTo(self.model.index(row), QAbstractItemView.ScrollHint.EnsureVisible)
        self._programmatic_scroll = False

    # -- search ------------------------------------------------------------------------------

    def find(self, term: str) -> int:
        """Search for ``term``; returns how many times it occurs and shows the first."""
        self.search.setText(term)
        return self.model.set_search(term)

    def step_match(self, forward: bool = True) -> int:
        """Go to the next (or previous) segment with a match; returns its row (-1: none)."""
        rows = self.model.match_rows()
        if not rows:
            return -1
        here = self.list.currentIndex().row()
        if forward:
            row = next((r for r in rows if r > here), rows[0])
        else:
            row = next((r for r in reversed(rows) if r < here), rows[-1])
        index = self.model.index(row)
        self.list.setCurrentIndex(index)
        self.model.set_focus(row)
        self.list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.matches.setText(f"{rows.index(row) + 1} of {len(rows)} lines")
        return row

    # -- slots -------------------------------------------------------------------------------

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        self.model.set_search(text)

    @Slot()
    def _on_search_return_pressed(self) -> None:
        self.step_match(True)

    @Slot()
    def _on_next_match_clicked(self) -> None:
        self.step_match(True)

    @Slot()
    def _on_previous_match_clicked(self) -> None:
        self.step_match(False)

    @Slot(int)
    def _on_model_matches_changed(self, count: int) -> None:
        term = self.search.text().strip()
        self.matches.setText("" if not term else f"{count} match{'es' if count != 1 else ''}")

    @Slot(QModelIndex)
    def _on_list_clicked(self, index: QModelIndex) -> None:
        self.seek_requested.emit(self.model.segment(index.row()).start)

    @Slot(int)
    def _on_scroll_value_changed(self, _value: int) -> None:
        if not self._programmatic_scroll:
            self._clock.start(_USER_SCROLL_HOLD_MS)

    @Slot(QModelIndex, QModelIndex, list)
    def _on_model_data_changed(self, first: QModelIndex, _last: QModelIndex, roles: list) -> None:  # type: ignore[type-arg]
        if not roles or Qt.ItemDataRole.DisplayRole in roles:
            # Corrected text may take more or fewer lines: lay the rows out again.
            self.delegate.sizeHintChanged.emit(first)

    @Slot()
    def _on_model_edited(self) -> None:
        self._refresh_speakers()
        self.edited.emit()

    @Slot(QPoint)
    def _on_list_context_menu_requested(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        if not index.isValid():
            return
        seg = self.model.segment(index.row())
        menu = QMenu(self)
        edit = menu.addAction("Correct the text")
        edit.triggered.connect(lambda: self.list.edit(index))
        if seg.speaker:
            rename = menu.addAction(f"Rename speaker “{seg.speaker}”…")
            rename.triggered.connect(lambda: self.ask_rename(seg.speaker or ""))
        menu.addSeparator()
        menu.addAction(self.undo_action)
        menu.addAction(self.redo_action)
        menu.popup(self.list.viewport().mapToGlobal(pos))

    @Slot()
    def _on_speakers_menu_about_to_show(self) -> None:
        self.speakers_menu.clear()
        for name in self.model.speakers():
            action = QAction(f"Rename “{name}”…", self.speakers_menu)
            action.triggered.connect(lambda _=False, n=name: self.ask_rename(n))
            self.speakers_menu.addAction(action)

    def ask_rename(self, old: str) -> None:
        new, ok = QInputDialog.getText(
            self,
            "Rename speaker",
            f"New name for “{old}” (everywhere in this transcript; the name of another "
            "speaker joins the two):",
            text=old,
        )
        if ok:
            before = self.transcript()
            if self.rename_speaker(old, new):
                self.speaker_renamed.emit(before, old, new.strip())

    def _refresh_speakers(self) -> None:
        self.speakers_button.setVisible(bool(self.model.speakers()))


def describe(t: Transcript) -> str:
    """One line about a transcript: language, confidence, length, speakers, what made it."""
    parts = []
    if t.language:
        sure = f" ({t.language_probability:.0%} sure)" if t.language_probability else ""
        parts.append(f"Language: {t.language}{sure}")
    sure_of = [s.confidence for s in t.segments if s.confidence is not None]
    if sure_of:
        parts.append(f"confidence {sum(sure_of) / len(sure_of):.0%}")
    parts.append(f"{len(t.segments)} segment{'s' if len(t.segments) != 1 else ''}")
    if t.speakers:
        parts.append(f"{len(t.speakers)} speaker{'s' if len(t.speakers) != 1 else ''}")
    if t.provider:
        parts.append(" ".join(x for x in (t.provider, t.model) if x))
    return " · ".join(parts)
