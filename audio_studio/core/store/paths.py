"""Where the studio keeps its files: platformdirs locations, or one AUDIO_STUDIO_HOME folder."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audio_studio.core.errors import StorageError

__all__ = ["HOME_ENV", "AppPaths", "resolve_paths"]

HOME_ENV = "AUDIO_STUDIO_HOME"
APP_NAME = "audio-studio"


@dataclass(frozen=True)
class AppPaths:
    """Every folder and file the studio writes to.

    With a home folder (``--home`` or ``AUDIO_STUDIO_HOME``) everything lives under it, which is
    how tests and portable installs keep the user's real library untouched.
    """

    data_dir: Path
    config_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / "history.db"

    @property
    def audio_dir(self) -> Path:
        """Content-addressed audio files, named by sha256."""
        return self.data_dir / "audio"

    @property
    def recordings_dir(self) -> Path:
        """Takes being recorded; spooled here so a crash never loses them."""
        return self.data_dir / "recordings"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def settings_path(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_path(self) -> Path:
        return self.log_dir / "audio-studio.log"

    @property
    def default_output_dir(self) -> Path:
        return self.data_dir / "exports"

    def ensure(self) -> None:
        """Create the folders and check they are writable.

        Blocking: call via asyncio.to_thread from async code.

        Raises:
            StorageError: a folder cannot be created or written, with the path and what to do.
        """
        for folder in (
            self.data_dir,
            self.config_dir,
            self.cache_dir,
            self.log_dir,
            self.audio_dir,
            self.recordings_dir,
            self.models_dir,
        ):
            _ensure_writable(folder)


def _ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StorageError(
            f"Audio Studio cannot write to {folder} ({reason}). Make the folder writable, "
            f"or choose another one with --home DIR or the {HOME_ENV} environment variable."
        ) from exc


def resolve_paths(home: str | os.PathLike[str] | None = None) -> AppPaths:
    """Return the studio's paths: ``home`` if given, else $AUDIO_STUDIO_HOME, else platformdirs."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return AppPaths(
            data_dir=root / "data",
            config_dir=root / "config",
            cache_dir=root / "cache",
            log_dir=root / "logs",
        )
    # Imported here so that a home-folder run (tests, portable) never touches platformdirs.
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return AppPaths(
        data_dir=Path(dirs.user_data_dir),
        config_dir=Path(dirs.user_config_dir),
        cache_dir=Path(dirs.user_cache_dir),
        log_dir=Path(dirs.user_log_dir),
    )
