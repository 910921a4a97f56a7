"""Where narration projects live: JSON files in the data folder, and their History rows.

``narrations/<id>.json`` holds a project (script, chunks, takes, locks, voice); the project's
NARRATION row in History points at it (``params["project"]``), its takes are TAKE rows under
that row, and each export is a NARRATION row under it too (tagged "export"). Cost is recorded
on the takes that called a provider and never again on the project or an export.
Blocking: every function here touches the disk or SQLite; call via asyncio.to_thread.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from audio_studio.core.errors import StorageError
from audio_studio.core.fileio import atomic_write_text
from audio_studio.core.models import HistoryKind, HistoryStatus
from audio_studio.core.narration.project import NarrationProject
from audio_studio.core.store.history import HistoryEntry, HistoryItem, HistoryStore, now_iso

__all__ = ["ProjectStore", "project_title"]

log = logging.getLogger(__name__)


def project_title(script: str, limit: int = 60) -> str:
    """A title from the script's first words, when the user gave none."""
    flat = " ".join(script.split())
    if not flat:
        return "Untitled narration"
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class ProjectStore:
    """Saves and loads projects as JSON, and keeps their NARRATION History rows."""

    def __init__(self, folder: Path, history: HistoryStore) -> None:
        self.folder = folder
        self.history = history

    def path_for(self, project_id: str) -> Path:
        return self.folder / f"{project_id}.json"

    def save(self, project: NarrationProject) -> Path:
        path = self.path_for(project.id)
        # The pure-Python encoder, piece by piece: json.dumps holds the GIL for the whole of
        # a long book's project (60 ms for 100,000 words), which the GUI thread would feel.
        encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
        text = "".join(encoder.iterencode(project.to_json()))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, text)
        except OSError as exc:
            raise StorageError(
                f"Could not save the narration to {path} ({exc.strerror or exc}). "
                "Check free disk space and the folder's permissions."
            ) from exc
        return path

    def load(self, source: str | Path) -> NarrationProject:
        """A project by id or file path.

        Raises:
            StorageError: the file is missing or unreadable (the message says which).
        """
        path = Path(source) if str(source).endswith(".json") else self.path_for(str(source))
        if not path.is_absolute():
            path = self.history.data_dir / path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise StorageError(
                f"The narration project {path.name} is no longer in {path.parent}; its takes "
                "are still in History."
            ) from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StorageError(f"The narration project {path} could not be read ({exc}).") from exc
        return NarrationProject.from_json(data)

    def latest(self) -> NarrationProject | None:
        """The project changed most recently, or None; an unreadable file is skipped."""
        if not self.folder.is_dir():
            return None
        files = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in files:
            try:
                return self.load(path)
            except StorageError as exc:
                log.info("skipping a narration project: %s", exc.message)
        return None

    def for_item(self, item: HistoryItem) -> NarrationProject | None:
        """The project a NARRATION row (or a take or export under one) belongs to."""
        row: HistoryItem | None = item
        for _ in range(3):
            if row is None:
                return None
            ref = row.params.get("project")
            if row.kind is HistoryKind.NARRATION and isinstance(ref, str):
                return self.load(ref)
            row = self.history.get(row.parent_id) if row.parent_id else None
        return None

    # -- History rows ------------------------------------------------------------------------

    def ensure_item(self, project: NarrationProject, *, running: bool = True) -> int:
        """The project's NARRATION row (made on first use, or again if it was deleted),
        marked running when a generation starts."""
        if project.item_id is not None and self.history.get(project.item_id) is not None:
            if running:
                self.history.update(project.item_id, status=HistoryStatus.RUNNING)
            return project.item_id
        # Starting a run: the picker's voice is about to make the audio; otherwise the takes'.
        s = project.settings
        provider, model, voice = (
            (s.provider, s.model, s.voice_name or s.voice) if running else project.made_by()
        )
        project.item_id = self.history.add(
            HistoryEntry(
                kind=HistoryKind.NARRATION,
                title=project.title or project_title(project.script),
                status=HistoryStatus.RUNNING if running else HistoryStatus.DONE,
                provider=provider,
                model=model,
                voice=voice,
                params=self._item_params(project),
                input_text=project.script,
                tags=("cloned-voice",) if project.settings.cloned_voice else (),
            )
        )
        return project.item_id

    def finish_item(
        self, project: NarrationProject, status: HistoryStatus, summary: dict[str, Any]
    ) -> None:
        if project.item_id is None:
            return
        failed = summary.get("failed", 0)
        provider, model, voice = project.made_by()
        self.history.update(
            project.item_id,
            status=status,
            title=project.title or project_title(project.script),
            input_text=project.script,
            provider=provider,
            model=model,
            voice=voice,
            params={**self._item_params(project), "last_run": summary},
            error=f"{failed} sentence(s) failed; see the Narration tab." if failed else None,
            finished_at=now_iso(),
        )

    def _item_params(self, project: NarrationProject) -> dict[str, Any]:
        s = project.settings
        return {
            "project": str(self.path_for(project.id).relative_to(self.history.data_dir))
            if self.path_for(project.id).is_relative_to(self.history.data_dir)
            else str(self.path_for(project.id)),
            "project_id": project.id,
            "chunks": len(project.chunks),
            "paragraphs": len({c.paragraph for c in project.chunks}),
            "speed": s.speed,
            "instructions": s.instructions,
            "settings": dict(s.voice_settings),
            "lexicon": dict(s.lexicon.entries),
            "cloned_voice": s.cloned_voice,
            "voice_name": s.voice_name,
            "cast": project.cast.to_json(),
            **(
                {
                    "book": project.book.source,
                    "author": project.book.author,
                    "chapters": [m.title for m in project.book.chapters],
                }
                if project.book is not None
                else {}
            ),
        }
