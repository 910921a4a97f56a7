"""The chapter list beside the script: tick the chapters to make and export, see their words,
progress, duration and cost, and jump to a chapter's sentences."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.narration.chapters import ChapterStats
from audio_studio.core.narration.plan import NarrationPlan

__all__ = ["ChapterPanel", "clock"]


def clock(seconds: float) -> str:
    """``1:05:09`` or ``4:07``."""
    s = round(seconds)
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02}:{sec:02}" if h else f"{m}:{sec:02}"


class ChapterPanel(QWidget):
    """Chapters with tick boxes; Generate and Export act on the ticked ones.

    Signals:
        chosen_changed: the ticked chapters changed.
        chapter_activated(int): a chapter was double-clicked (0-based): show its sentences.
        generate_requested / export_requested: the panel's buttons.
    """

    chosen_changed = Signal()
    chapter_activated = Signal(int)
    generate_requested = Signal()
    export_requested = Signal()

    COLUMNS = ("Chapter", "Words", "Made", "Time", "Cost")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(list(self.COLUMNS))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.all_button = QPushButton("All")
        self.none_button = QPushButton("None")
        self.generate_button = QPushButton("Generate ticked")
        self.export_button = QPushButton("Export audiobook…")
        self.all_button.setToolTip("Tick every chapter")
        self.none_button.setToolTip("Untick every chapter")
        self.generate_button.setToolTip("Make the sentences of the ticked chapters")
        self.export_button.setToolTip(
            "Write the ticked chapters as an M4B audiobook with chapter marks, or a folder of "
            "one file per chapter"
        )
        self.captions = QComboBox()
        self.captions.setToolTip("Also write captions beside the audiobook")
        for label, value in (("No captions", ""), ("SRT captions", "srt"), ("VTT captions", "vtt")):
            self.captions.addItem(label, value)
        picks = QHBoxLayout()
        picks.addWidget(QLabel("Chapters"))
        picks.addStretch(1)
        picks.addWidget(self.all_button)
        picks.addWidget(self.none_button)
        actions = QHBoxLayout()
        actions.addWidget(self.generate_button)
        actions.addWidget(self.export_button)
        actions.addWidget(self.captions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(picks)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)
        layout.addLayout(actions)
        self._stats: list[ChapterStats] = []
        self._plan: NarrationPlan | None = None
        self._filling = False
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemDoubleClicked.connect(self._on_item_double_clicked)
        self.all_button.clicked.connect(self._on_all_clicked)
        self.none_button.clicked.connect(self._on_none_clicked)
        self.generate_button.clicked.connect(self.generate_requested)
        self.export_button.clicked.connect(self.export_requested)

    # -- filling -----------------------------------------------------------------------------

    def set_chapters(self, stats: list[ChapterStats], plan: NarrationPlan | None) -> None:
        """Show ``stats``; ticks stay on the chapters that were ticked (all, for a new book)."""
        fresh = [s.span.title for s in stats] != [s.span.title for s in self._stats]
        ticked = set(range(len(stats))) if fresh else set(self.chosen())
        self._stats, self._plan = stats, plan
        self._filling = True
        try:
            if fresh or self.tree.topLevelItemCount() != len(stats):
                self.tree.clear()
                self.tree.addTopLevelItems([QTreeWidgetItem() for _ in stats])
            for i, s in enumerate(stats):
                item = self.tree.topLevelItem(i)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    0, Qt.CheckState.Checked if i in ticked else Qt.CheckState.Unchecked
                )
                item.setText(0, f"{s.span.number}. {s.span.title}")
                item.setToolTip(0, s.span.title)
                item.setText(1, f"{s.words:,}")
                item.setText(2, f"{s.made:,} / {s.sentences:,}")
                item.setText(3, clock(s.seconds))
                item.setText(4, self._cost(s))
                for column in range(1, len(self.COLUMNS)):
                    item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
        finally:
            self._filling = False
        self._update_summary()

    def _cost(self, s: ChapterStats) -> str:
        plan = self._plan
        if plan is None or not s.to_make_characters:
            return "—" if s.to_make_characters else "made"
        est = plan.preflight.estimate
        if est.free:
            return "free"
        share = s.to_make_characters / max(1, plan.to_make_characters)
        if est.usd is not None:
            return f"≈ ${est.usd * share:,.2f}"
        if est.credits is not None:
            return f"≈ {est.credits * share:,.0f} cr"
        return "?"

    def _update_summary(self) -> None:
        chosen = [self._stats[i] for i in self.chosen()]
        words = sum(s.words for s in chosen)
        made = sum(s.made for s in chosen)
        total = sum(s.sentences for s in chosen)
        seconds = sum(s.seconds for s in chosen)
        self.summary.setText(
            f"{len(chosen)} of {len(self._stats)} chapters ticked: {words:,} words, "
            f"{made:,} of {total:,} sentences made, about {clock(seconds)} long."
        )
        self.generate_button.setEnabled(bool(chosen))
        self.export_button.setEnabled(bool(chosen) and made == total)

    # -- choice ------------------------------------------------------------------------------

    def chosen(self) -> list[int]:
        """The ticked chapters, 0-based, in order."""
        return [
            i
            for i in range(self.tree.topLevelItemCount())
            if self.tree.topLevelItem(i).checkState(0) == Qt.CheckState.Checked
        ]

    def set_chosen(self, indexes: list[int]) -> None:
        self._filling = True
        try:
            for i in range(self.tree.topLevelItemCount()):
                state = Qt.CheckState.Checked if i in indexes else Qt.CheckState.Unchecked
                self.tree.topLevelItem(i).setCheckState(0, state)
        finally:
            self._filling = False
        self._update_summary()
        self.chosen_changed.emit()

    @Slot(QTreeWidgetItem, int)
    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        self._update_summary()
        self.chosen_changed.emit()

    @Slot(QTreeWidgetItem, int)
    def _on_item_double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        self.chapter_activated.emit(self.tree.indexOfTopLevelItem(item))

    @Slot()
    def _on_all_clicked(self) -> None:
        self.set_chosen(list(range(len(self._stats))))

    @Slot()
    def _on_none_clicked(self) -> None:
        self.set_chosen([])
