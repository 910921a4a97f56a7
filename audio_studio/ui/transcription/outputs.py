"""What an open transcript becomes: files, a translation, a summary, the clipboard, a
comparison of its versions, and text for the Narration tab to read."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QGuiApplication

from audio_studio.core.errors import StudioError
from audio_studio.core.jobs.runner import Job, JobContext
from audio_studio.core.models import JobKind, SummaryResult
from audio_studio.core.subtitles import to_txt
from audio_studio.core.transcription.exports import ExportOptions, export_file, export_name
from audio_studio.ui.tasks import spawn

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from audio_studio.core.context import StudioContext
    from audio_studio.core.store.history import HistoryItem
    from audio_studio.core.transcription import TranscriptionService
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.transcription.screen import TranscriptionScreen

__all__ = ["OpenTranscript", "TranscriptOutputs"]


class OpenTranscript(Protocol):
    """The transcript the tab shows, as the outputs need it (the TranscriptionFlow)."""

    tab: TranscriptionScreen
    owner: QWidget
    ctx: StudioContext
    transcription: TranscriptionService
    controller: JobController
    item: HistoryItem | None
    versions: list[HistoryItem]
    audio: Path | None

    def say(self, text: str) -> None: ...
    def fail(self, error: StudioError) -> None: ...
    async def flush(self) -> None: ...
    async def open_item(self, item: HistoryItem, *, pending: str = "") -> None: ...


class TranscriptOutputs:
    """Exports, translation, summary, copy, compare and read-back of the open transcript;
    problems are shown on the tab's status line, never raised."""

    def __init__(self, flow: OpenTranscript) -> None:
        self.flow = flow
        self.summary: SummaryResult | None = None
        self.summary_job: Job[object] | None = None

    def show_summary(self, summary: SummaryResult | None) -> None:
        self.summary = summary
        box, text = self.flow.tab.summary_box, self.flow.tab.summary_text
        box.setVisible(summary is not None)
        if summary is not None:
            items = "".join(f"<li>{_html(i)}</li>" for i in summary.action_items)
            listed = f"<p><b>Action items</b></p><ul>{items}</ul>" if items else ""
            text.setHtml(f"<p>{_html(summary.summary)}</p>{listed}")

    def default_export_path(self, fmt: str) -> Path:
        """The output folder and a name from the template in Settings ({title}, {date}...)."""
        settings = self.flow.ctx.settings
        folder = Path(settings.output_dir or self.flow.ctx.paths.default_output_dir)
        item = self.flow.item
        name = export_name(
            settings.export_name_template,
            fmt,
            title=item.title if item and item.title else "transcript",
            date=created(item),
            provider=item.provider or "" if item else "",
        )
        return folder / name

    def export_options(self) -> ExportOptions:
        item = self.flow.item
        title = Path(item.title).stem if item and item.title else "Transcript"
        values: dict[str, object] = {
            "title": title,
            "provider": (item.provider or "") if item else "",
            "summary": self.summary,
            "audio": self.flow.audio,
        }
        made = created(item)
        if made is not None:
            values["date"] = made
        return ExportOptions.from_settings(self.flow.ctx.settings, **values)

    async def export(self, fmt: str, path: Path) -> Path | None:
        """Write the transcript (as corrected) to ``path``; problems are shown, never raised.

        Captions are re-cut to the norms in Settings; an HTML page gets the audio beside it.
        """
        if self.flow.item is None:
            return None
        await self.flow.flush()
        transcript = self.flow.tab.view.transcript()
        options = self.export_options()
        try:
            await asyncio.to_thread(export_file, transcript, fmt, path, options)
        except StudioError as exc:
            self.flow.fail(exc)
            return None
        self.flow.say(f"Exported {fmt.upper()} to {path}")
        return path

    async def translate(self, language: str) -> HistoryItem | None:
        """Translate the open transcript by the chat model; the result opens as a new version."""
        if self.flow.item is None:
            return None
        await self.flow.flush()
        item, transcript = self.flow.item, self.flow.tab.view.transcript()

        async def work(ctx: JobContext) -> object:
            ctx.report(None, f"Translating into {language}…")
            return await self.flow.transcription.translate(item, transcript, language)

        job = self.flow.controller.submit(JobKind.SUMMARY, f"{item.title} in {language}", work)
        outcome = await self._outcome(job)
        if outcome is None:
            return None
        saved: HistoryItem = outcome.item  # type: ignore[attr-defined]
        missing: int = outcome.missing  # type: ignore[attr-defined]
        self.flow.controller.history_changed.emit()
        await self.flow.open_item(saved)
        note = f" {missing} lines stayed untranslated." if missing else ""
        self.flow.say(f"Translated into {language}; kept in History as another version.{note}")
        return saved

    async def _outcome(self, job: Job[object]) -> object | None:
        """What ``job`` returned; None when it failed (said on the status line) or was
        cancelled from the Jobs dock."""
        try:
            return await job.result()
        except StudioError as exc:
            self.flow.fail(exc)
            return None
        except asyncio.CancelledError:
            if not job.task.cancelled():
                raise
            return None

    def copy_text(self) -> str:
        text = to_txt(self.flow.tab.view.transcript())
        QGuiApplication.clipboard().setText(text)
        self.flow.say("The transcript is on the clipboard.")
        return text

    async def summarise(self) -> SummaryResult | None:
        if self.flow.item is None:
            return None
        await self.flow.flush()
        item, transcript = self.flow.item, self.flow.tab.view.transcript()

        async def work(ctx: JobContext) -> object:
            ctx.report(None, "Asking the chat model…")
            return await self.flow.transcription.summarise(item, transcript)

        job = self.flow.controller.submit(JobKind.SUMMARY, f"Summary of {item.title}", work)
        self.summary_job = job
        self.flow.tab.summarise_button.setEnabled(False)
        try:
            outcome = await self._outcome(job)
        finally:
            self.flow.tab.summarise_button.setEnabled(self.flow.item is not None)
        if outcome is None:
            return None
        result: SummaryResult = outcome.result  # type: ignore[attr-defined]
        if self.flow.item is not None and self.flow.item.id == item.id:
            self.show_summary(result)
        self.flow.controller.history_changed.emit()
        self.flow.say("Summary saved in History with the transcript.")
        return result

    def read_back(self) -> None:
        summary = self.summary
        if summary is None:
            return
        text = summary.summary
        if summary.action_items:
            text += "\n\nAction items:\n" + "\n".join(f"{i}." for i in summary.action_items)
        title = self.flow.item.title if self.flow.item else ""
        self.flow.tab.send_to_narration.emit(text, f"Summary of {title}".strip())

    def compare(self) -> None:
        from audio_studio.ui.transcription.compare import TranscriptCompare

        dialog = TranscriptCompare(self.flow.transcription, self.flow.versions, self.flow.owner)
        self.flow.tab.player.position_changed.connect(dialog.set_position)
        dialog.seek_requested.connect(self.flow.tab.player.seek)
        dialog.show()
        spawn(dialog.load(), owner=dialog)


def created(item: HistoryItem | None) -> datetime | None:
    """When ``item`` was made, in local time (None when unknown)."""
    if item is None or not item.created_at:
        return None
    try:
        return datetime.fromisoformat(item.created_at).astimezone()
    except ValueError:
        return None


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
