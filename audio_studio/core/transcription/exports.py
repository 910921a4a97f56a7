"""Every way a transcript leaves the studio: text, shaped captions, documents; file names.

One entry for the tab, the CLI and watch folders: ``render`` gives the bytes of a format,
``export_file`` writes it atomically (an HTML page gets the audio copied beside it), and
``export_name`` fills the file-name template from Settings (``{title}``, ``{date}``,
``{provider}``). Which caption norms and document options apply comes from Settings
(``ExportOptions.from_settings``). Blocking functions: call via asyncio.to_thread.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from audio_studio.core.errors import InputError, StorageError
from audio_studio.core.fileio import atomic_write_bytes
from audio_studio.core.models import SummaryResult, Transcript
from audio_studio.core.settings import Settings
from audio_studio.core.subtitles import write_transcript
from audio_studio.core.transcription import documents
from audio_studio.core.transcription.caption_files import CAPTION_FORMATS, captions_text
from audio_studio.core.transcription.captions import PRESETS, CueStyle

__all__ = [
    "CAPTION_FORMATS",
    "DOCUMENT_FORMATS",
    "EXPORT_FORMATS",
    "TEXT_FORMATS",
    "ExportOptions",
    "caption_style",
    "export_file",
    "export_name",
    "render",
]

TEXT_FORMATS = ("txt", "json", "md")
DOCUMENT_FORMATS = ("docx", "html", "csv", "pdf")
EXPORT_FORMATS = (*TEXT_FORMATS, *CAPTION_FORMATS, *DOCUMENT_FORMATS)
_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")


def caption_style(settings: Settings) -> CueStyle:
    """The caption norms Settings ask for: a preset with the user's own line limits."""
    style = PRESETS.get(settings.caption_preset, PRESETS["netflix"])
    changes: dict[str, object] = {"speaker_style": settings.caption_speakers}
    if settings.caption_max_chars:
        changes["max_chars"] = settings.caption_max_chars
    if settings.caption_max_lines:
        changes["max_lines"] = settings.caption_max_lines
    return style.with_changes(**changes)


@dataclass(frozen=True)
class ExportOptions:
    """What an export needs besides the transcript."""

    title: str = "Transcript"
    date: datetime = field(default_factory=lambda: datetime.now().astimezone())
    provider: str = ""
    style: CueStyle = PRESETS["netflix"]
    timestamps: str = "paragraph"
    every_minutes: int = 5
    summary: SummaryResult | None = None
    audio: Path | None = None  # the recording, for an HTML page to play

    @classmethod
    def from_settings(cls, settings: Settings, **values: object) -> ExportOptions:
        return cls(
            style=caption_style(settings),
            timestamps=settings.document_timestamps,
            every_minutes=settings.document_timestamp_minutes,
            **values,  # type: ignore[arg-type]
        )

    def document(self, audio_name: str | None = None) -> documents.DocumentOptions:
        return documents.DocumentOptions(
            title=self.title,
            date=self.date.strftime("%d %B %Y, %H:%M"),
            timestamps=self.timestamps,
            every_minutes=self.every_minutes,
            summary=self.summary,
            audio_name=audio_name,
            provider=self.provider,
        )


def _format(fmt: str) -> str:
    name = fmt.lower().lstrip(".")
    if name not in EXPORT_FORMATS:
        raise InputError(
            f"Transcripts can be exported as {', '.join(EXPORT_FORMATS)}; not as {fmt!r}."
        )
    return name


def _audio_name(options: ExportOptions, target: Path | None) -> str | None:
    audio = options.audio
    if audio is None:
        return None
    stem = target.stem if target is not None else options.title
    return f"{_safe(stem)}{audio.suffix.lower()}"


def render(t: Transcript, fmt: str, options: ExportOptions, *, target: Path | None = None) -> bytes:
    """``t`` as ``fmt``, encoded (UTF-8 for text formats).

    Raises:
        InputError: a format the studio does not export.
    """
    name = _format(fmt)
    if name in TEXT_FORMATS:
        text = write_transcript(t, name, title=options.title, summary=options.summary)
    elif name in CAPTION_FORMATS:
        text = captions_text(t, name, options.style)
    elif name == "docx":
        return documents.to_docx(t, options.document())
    elif name == "pdf":
        return documents.to_pdf(t, options.document())
    elif name == "html":
        text = documents.to_html(t, options.document(_audio_name(options, target)))
    else:
        text = documents.to_csv(t)
    return text.encode("utf-8")


def export_file(t: Transcript, fmt: str, path: Path, options: ExportOptions) -> Path:
    """Write ``t`` as ``fmt`` to ``path`` atomically; an HTML page gets its audio beside it.

    Raises:
        InputError: an unknown format. StorageError: the file could not be written.
    """
    data = render(t, fmt, options, target=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
        audio_name = _audio_name(options, path)
        if _format(fmt) == "html" and options.audio is not None and audio_name:
            beside = path.parent / audio_name
            if not beside.exists() or beside.stat().st_size != options.audio.stat().st_size:
                shutil.copyfile(options.audio, beside)
    except OSError as exc:
        raise StorageError(
            f"Could not write {path} ({exc.strerror or exc}). Choose another folder."
        ) from exc
    return path


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip(" .") or "transcript"


def export_name(
    template: str,
    fmt: str,
    *,
    title: str,
    date: datetime | None = None,
    provider: str = "",
) -> str:
    """A file name from ``template`` (``{title}``, ``{date}``, ``{provider}``) and ``fmt``.

    An unknown field or a broken template falls back to the title, so an export never fails
    on its name.
    """
    when = (date or datetime.now().astimezone()).strftime("%Y-%m-%d")
    stem = Path(title).stem if Path(title).suffix.lower() in _AUDIO_SUFFIXES else title
    try:
        name = template.format(title=stem, date=when, provider=provider or "unknown")
    except (KeyError, IndexError, ValueError):
        name = stem
    return f"{_safe(name)}.{fmt.lower().lstrip('.')}"


_AUDIO_SUFFIXES_WORDS = (
    ".mp3 .mp4 .mpeg .mpga .m4a .wav .webm .ogg .oga .opus .flac .aac .mkv .mov "
)
_AUDIO_SUFFIXES = frozenset(_AUDIO_SUFFIXES_WORDS.split())
