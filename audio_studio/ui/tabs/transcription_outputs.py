"""The Transcription tab's outputs: export, clipboard, summary and read-back, compare, search.

A mixin of TranscriptionFlow (which supplies the state below and ``flush``/``say``/``fail``),
kept apart so each module stays small.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QListWidgetItem

from audio_studio.core.errors import StorageError, StudioError
from audio_studio.core.jobs.runner import Job, JobContext
from audio_studio.core.models import Capability, HistoryKind, JobKind, SummaryResult
from audio_studio.core.store.history import HistoryItem, HistoryQuery
from audio_studio.core.subtitles import to_txt, write_transcript
from audio_studio.ui.tasks import spawn

if TYPE_CHECKING:
    from audio_studio.core.services.studio import StudioService
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.tabs.transcription import TranscriptionTab


class FlowOutputs:
    """Export, copy, summary and compare for TranscriptionFlow, which mixes this in and
    provides the attributes and the four methods declared below."""

    tab: TranscriptionTab
    service: StudioService
    controller: JobController
    recording: HistoryItem | None
    item: HistoryItem | None
    versions: list[HistoryItem]
    summary: SummaryResult | None
    summary_job: Job[object] | None
    _found: list[HistoryItem]
    _found_text: str = ""

    # Declared for the type checker; TranscriptionFlow defines them.
    async def flush(self) -> None:
        raise NotImplementedError

    def say(self, text: str) -> None:
        raise NotImplementedError

    def fail(self, error: StudioError) -> None:
        raise NotImplementedError

    async def open_item(self, item: HistoryItem, *, pending: str = "") -> None:
        raise NotImplementedError

    def _show_summary(self, summary: SummaryResult | None) -> None:
        self.summary = summary
        box, text = self.tab.summary_box, self.tab.summary_text
        box.setVisible(summary is not None)
        if summary is not None:
            items = "".join(f"<li>{_html(i)}</li>" for i in summary.action_items)
            listed = f"<p><b>Action items</b></p><ul>{items}</ul>" if items else ""
            text.setHtml(f"<p>{_html(summary.summary)}</p>{listed}")

    # -- outputs -----------------------------------------------------------------------------

    def default_export_path(self, fmt: str) -> Path:
        folder = Path(self.service.settings.output_dir or self.service.paths.default_output_dir)
        title = self.item.title if self.item else "transcript"
        safe = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", Path(title).stem).strip(" .") or "transcript"
        return folder / f"{safe}.{fmt}"

    async def export(self, fmt: str, path: Path) -> Path | None:
        """Write the transcript (as corrected) to ``path``; problems are shown, never raised."""
        if self.item is None:
            return None
        await self.flush()
        transcript = self.tab.view.transcript()
        title = Path(self.item.title).stem if self.item.title else None
        try:
            text = await asyncio.to_thread(
                write_transcript, transcript, fmt, title=title, summary=self.summary
            )
            await asyncio.to_thread(_write_text, path, text)
        except StudioError as exc:
            self.fail(exc)
            return None
        self.say(f"Exported {fmt.upper()} to {path}")
        return path

    def copy_text(self) -> str:
        text = to_txt(self.tab.view.transcript())
        QGuiApplication.clipboard().setText(text)
        self.say("The transcript is on the clipboard.")
        return text

    async def summarise(self) -> SummaryResult | None:
        if self.item is None:
            return None
        await self.flush()
        item, transcript = self.item, self.tab.view.transcript()

        async def work(ctx: JobContext) -> object:
            ctx.report(None, "Asking the chat model…")
            return await self.service.summarise(item, transcript)

        job = self.controller.submit(JobKind.SUMMARY, f"Summary of {item.title}", work)
        self.summary_job = job
        self.tab.summarise_button.setEnabled(False)
        try:
            outcome = await job.result()
        except StudioError as exc:
            self.fail(exc)
            return None
        except asyncio.CancelledError:
            if not job.task.cancelled():
                raise
            return None
        finally:
            self.tab.summarise_button.setEnabled(self.item is not None)
        result: SummaryResult = outcome.result  # type: ignore[attr-defined]
        if self.item is not None and self.item.id == item.id:
            self._show_summary(result)
        self.controller.history_changed.emit()
        self.say("Summary saved in History with the transcript.")
        return result

    def read_back(self) -> None:
        summary = self.summary
        if summary is None:
            return
        text = summary.summary
        if summary.action_items:
            text += "\n\nAction items:\n" + "\n".join(f"{i}." for i in summary.action_items)
        title = self.item.title if self.item else ""
        self.tab.send_to_narration.emit(text, f"Summary of {title}".strip())

    def compare(self) -> None:
        from audio_studio.ui.dialogs.transcript_compare import TranscriptCompare

        dialog = TranscriptCompare(self.service, self.versions, self.tab)
        self.tab.player.position_changed.connect(dialog.set_position)
        dialog.seek_requested.connect(self.tab.player.seek)
        dialog.show()
        spawn(dialog.load(), owner=dialog)

    async def refresh_preflight(self) -> None:
        options = self.tab.options
        seconds = self.recording.duration_s if self.recording else None
        try:
            check = await self.service.preflight(
                options.provider_id(), Capability.TRANSCRIPTION, options.model_id(), seconds=seconds
            )
        except StudioError as exc:
            self.tab.preflight.setText(exc.message)
            return
        text = f"Cost: {check.text()}"
        if check.blocked or check.warning:
            text += f"\n{check.blocked or check.warning}"
        self.tab.preflight.setText(text)

    async def find_in_all(self, text: str) -> int:
        """Search every transcript in History; shows the hits under the box."""
        found_list = self.tab.found
        found_list.clear()
        self._found = []
        self._found_text = text
        if not text.strip():
            found_list.hide()
            return 0
        query = HistoryQuery(search=text, kinds=(HistoryKind.TRANSCRIPT,), limit=50)
        try:
            self._found = await self.service.history_query(query)
        except StudioError as exc:
            self.fail(exc)
            return 0
        for item in self._found:
            snippet = (item.match or "").replace("\n", " ")
            QListWidgetItem(f"{item.title} — {snippet}", found_list)
        if not self._found:
            QListWidgetItem("No transcript says that.", found_list)
        found_list.show()
        return len(self._found)

    async def open_found(self, row: int) -> None:
        if 0 <= row < len(self._found):
            await self.open_item(self._found[row])
            self.tab.view.find(self._found_text)
            self.tab.view.step_match(True)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _write_text(path: Path, text: str) -> None:
    """Write atomically, making the folder; OS errors become a StorageError that says why."""
    from audio_studio.core.store.atomic import atomic_write_text

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
    except OSError as exc:
        raise StorageError(
            f"Could not write {path} ({exc.strerror or exc}). Choose another folder."
        ) from exc
