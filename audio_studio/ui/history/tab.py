"""History tab: everything the studio made, searchable, with how it was made and what it cost."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import StudioError
from audio_studio.core.jobs.runner import JobContext
from audio_studio.core.library import Deletion, Library
from audio_studio.core.models import HistoryKind, JobKind
from audio_studio.core.store.history import HistoryItem, HistoryQuery
from audio_studio.ui import messages
from audio_studio.ui.bridge import JobController
from audio_studio.ui.history.detail import HistoryDetail
from audio_studio.ui.history.maintenance import MaintenanceView
from audio_studio.ui.history.model import (
    COST,
    CREATED,
    DURATION,
    KIND,
    MATCH,
    STAR,
    TAGS,
    TITLE,
    HistoryTableModel,
    MatchDelegate,
)
from audio_studio.ui.history.usage import UsageView
from audio_studio.ui.tasks import asyncSlot, spawn
from audio_studio.ui.widgets.shortcuts import TabActions, with_key

# (label, days back); None = any time.
PERIODS = (("Any time", None), ("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30),
           ("Last 365 days", 365))  # fmt: skip


class HistoryTab(QWidget):
    """The library, its usage report and its upkeep.

    Signals:
        open_in_tab(object): a HistoryItem to load into its own tab (routed by the window).
    """

    open_in_tab = Signal(object)

    def __init__(
        self,
        ctx: StudioContext,
        library: Library,
        controller: JobController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.library = library
        self.controller = controller
        # Returns the Narration tab if it is built (set by the window; tabs are built lazily).
        self.narration_tab: Callable[[], Any] | None = None
        self.model = HistoryTableModel(library)
        self.deleted: Deletion | None = None
        self.providers_task: asyncio.Task[None] | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search scripts, prompts and transcripts")
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox()
        self.kind.addItem("All kinds", None)
        for kind in HistoryKind:
            self.kind.addItem(kind.value.replace("_", " ").capitalize(), kind.value)
        self.provider = QComboBox()
        self.provider.addItem("All providers", None)
        self.period = QComboBox()
        for label, days in PERIODS:
            self.period.addItem(label, days)
        self.starred = QCheckBox("Starred")
        self.count_label = QLabel("")
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # one Tab stop; arrows move between rows
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(MATCH, MatchDelegate(self.table))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MATCH, QHeaderView.ResizeMode.Stretch)
        for column, width in ((STAR, 28), (KIND, 90), (DURATION, 70), (COST, 64), (CREATED, 130)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        self.table.setColumnHidden(MATCH, True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.detail = HistoryDetail(ctx)
        self.detail.changed.connect(self.model.replace_item)
        self.detail.rerun_requested.connect(self._on_detail_rerun_requested)
        self.detail.open_requested.connect(self.open_in_tab.emit)
        self.detail.delete_requested.connect(self._on_detail_delete_requested)
        self.empty_label = QLabel(
            "Nothing here yet. Narrations, recordings, transcripts, effects and music you make "
            "are kept here with every setting that made them."
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.undo_label = QLabel()
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self._on_undo_clicked)
        self.undo_bar = QWidget()
        undo_row = QHBoxLayout(self.undo_bar)
        undo_row.setContentsMargins(0, 0, 0, 0)
        undo_row.addWidget(self.undo_label, 1)
        undo_row.addWidget(self.undo_button)
        self.undo_bar.hide()

        # Typing restarts a short timer so a search runs once the user pauses.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.search.textChanged.connect(self._debounce.start)
        for combo in (self.kind, self.provider, self.period):
            combo.currentIndexChanged.connect(self._debounce.start)
        self.starred.toggled.connect(self._debounce.start)
        controller.history_changed.connect(self._debounce.start)
        controller.job_finished.connect(self._on_controller_job_finished)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        for widget in (self.kind, self.provider, self.period, self.starred, self.count_label):
            filters.addWidget(widget)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.addLayout(filters)
        page_layout.addWidget(self.undo_bar)
        page_layout.addWidget(self.empty_label)
        page_layout.addWidget(split, 1)
        self.usage = UsageView(ctx, self.library)
        self.maintenance = MaintenanceView(ctx, self.library, controller)
        self.pages = QTabWidget()
        self.pages.addTab(page, "Library")
        self.pages.addTab(self.usage, "Usage")
        self.pages.addTab(self.maintenance, "Upkeep")
        self.pages.currentChanged.connect(self._on_pages_current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.undo_button.setToolTip("Bring back what was just deleted")
        self.tab_actions = TabActions(self)
        self.tab_actions.add("find", "Find in History", self._find)
        self.search.setToolTip(with_key("Search scripts, prompts and transcripts", "find"))
        self._debounce.start()  # first load once the loop runs

    def _find(self) -> None:
        self.pages.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()

    # -- the query ---------------------------------------------------------------------------

    def current_query(self) -> HistoryQuery:
        kind = self.kind.currentData()
        days = self.period.currentData()
        since = (datetime.now(UTC) - timedelta(days=days)).isoformat() if days else None
        return HistoryQuery(
            search=self.search.text().strip() or None,
            kinds=(HistoryKind(kind),) if kind else (),
            provider=self.provider.currentData(),
            since=since,
            starred_only=self.starred.isChecked(),
            # Takes and transcripts live under their narration or recording, unless searched for.
            # A starred effect of a batch is a child row: searching, a kind or Starred shows them.
            top_level_only=not (self.search.text().strip() or kind or self.starred.isChecked()),
        )

    async def refresh(self) -> None:
        query = self.current_query()
        selected = self.detail.item.id if self.detail.item else None
        await self.model.load(query)
        if self.model.error:
            self.count_label.setText(self.model.error)
            return
        total = self.model.total
        self.count_label.setText(f"{total:,} item{'s' if total != 1 else ''}")
        self.table.setColumnHidden(MATCH, not query.search)
        self.table.setColumnHidden(TAGS, bool(query.search))
        # While searching, the snippet around the match matters more than the whole title.
        title_mode = (
            QHeaderView.ResizeMode.Interactive if query.search else QHeaderView.ResizeMode.Stretch
        )
        self.table.horizontalHeader().setSectionResizeMode(TITLE, title_mode)
        if query.search:
            self.table.horizontalHeader().resizeSection(TITLE, 180)
        untouched = query == dataclasses.replace(HistoryQuery(), top_level_only=True)
        self.empty_label.setVisible(total == 0 and untouched)
        # The provider filter's choices can follow a moment later; the rows come first.
        self.providers_task = spawn(self._refresh_providers(), owner=self)
        rows = [r for r, i in enumerate(self.model.items) if i.id == selected]
        if rows:
            self.table.selectRow(rows[0])
        elif not await self._keeps_detail(selected):
            self.detail.show_item(None)

    async def _keeps_detail(self, selected: int | None) -> bool:
        """A take or transcript opened from Related is not a table row; it stays in the pane
        while it exists (a refresh after "Make again" must not close what the user looks at)."""
        shown = self.detail.item
        if selected is None or shown is None or shown.parent_id is None:
            return False
        return await asyncio.to_thread(self.ctx.history.get, selected) is not None

    async def _refresh_providers(self) -> None:
        known = {self.provider.itemData(i) for i in range(1, self.provider.count())}
        for provider in await self._providers():
            if provider not in known:
                self.provider.addItem(provider, provider)

    async def _providers(self) -> list[str]:
        return await asyncio.to_thread(self.ctx.history.providers)

    @asyncSlot()
    async def _on_debounce_timeout(self) -> None:
        await self.refresh()

    @Slot(str, object)
    def _on_controller_job_finished(self, _job_id: str, _result: object) -> None:
        self._debounce.start()  # whatever a job made is in History now

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, *_args: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.detail.show_item(self.model.items[rows[0].row()] if rows else None)

    @asyncSlot(int)
    async def _on_pages_current_changed(self, index: int) -> None:
        if self.pages.widget(index) is self.usage:
            await self.usage.refresh()
        elif self.pages.widget(index) is self.maintenance:
            await self.maintenance.refresh()

    # -- actions -----------------------------------------------------------------------------

    async def rerun(self, item: HistoryItem) -> HistoryItem | None:
        async def work(ctx: JobContext) -> HistoryItem:
            return await self.library.rerun(item, ctx.report)

        # A take or narration made again changes its project on disk; the Narration tab may
        # hold that project, so it saves first and reloads after (the window sets the hook).
        project = _project_of(item)
        tab = self.narration_tab() if project and self.narration_tab else None
        try:
            held = await tab.hand_over(project) if tab is not None else False
        except StudioError as exc:
            self.detail.note.setText(messages.status_text(exc))
            return None
        job = self.controller.submit(
            JobKind(_job_kind(item)), f"Again: {item.title}", work, provider=item.provider
        )
        try:
            return await job.result()
        except StudioError:
            return None  # the Jobs dock and the status bar show why
        finally:
            if held:
                await tab.take_back(project)

    async def delete(self, item: HistoryItem) -> Deletion | None:
        try:
            deletion = await self.library.delete(item.id)
        except StudioError as exc:
            self.count_label.setText(messages.status_text(exc))
            return None
        self.deleted = deletion
        extra = len(deletion.items) - 1
        also = f" and {extra} item(s) that belonged to it" if extra else ""
        self.undo_label.setText(f"Deleted “{deletion.title}”{also}.")
        self.undo_bar.show()
        await self.refresh()
        return deletion

    async def undo(self) -> None:
        try:
            restored = await self.library.undo()
        except StudioError as exc:
            self.undo_label.setText(messages.status_text(exc))
            return
        self.undo_bar.hide()
        if restored is not None:
            await self.refresh()

    @asyncSlot(object)
    async def _on_detail_rerun_requested(self, item: HistoryItem) -> None:
        made = await self.rerun(item)
        if made is not None and self.detail.item is not None and self.detail.item.id == item.id:
            self.detail.show_item(made)  # the new one, beside the old one in Related
            self.detail.note.setText(f"Made again as History #{made.id}.")

    @asyncSlot(object)
    async def _on_detail_delete_requested(self, item: HistoryItem) -> None:
        tree = await asyncio.to_thread(self.ctx.history.with_descendants, item.id)
        files = sum(len(i.files) for i in tree)
        answer = QMessageBox.question(
            self,
            "Delete from History?",
            f"Delete “{item.title or item.kind.value}” and its {files} file(s) from the library? "
            "Copies you exported elsewhere are kept. You can undo this until the next delete.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            await self.delete(item)

    @asyncSlot()
    async def _on_undo_clicked(self) -> None:
        await self.undo()


def _project_of(item: HistoryItem) -> str | None:
    """The narration project a take or narration row belongs to."""
    key = {"take": "project_id", "narration": "project"}.get(item.kind.value)
    value = item.params.get(key) if key else None
    return str(value) if value else None


def _job_kind(item: HistoryItem) -> str:
    return {
        "take": JobKind.NARRATION, "narration": JobKind.NARRATION, "speech": JobKind.SPEECH,
        "transcript": JobKind.TRANSCRIPTION, "sfx": JobKind.SFX, "music": JobKind.MUSIC,
    }.get(item.kind.value, JobKind.MAINTENANCE).value  # fmt: skip
