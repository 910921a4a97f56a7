"""Studio: opens the store, secrets, settings, providers and jobs, and builds the features.

It builds one StudioContext (core/context.py) and hands it to each feature service, exposed as
attributes: ``studio.narration``, ``studio.transcription``, ``studio.sound``, ``studio.music``
and ``studio.library`` (each made on first use, so a command that needs none of them starts
quickly). The Studio imports the features; no feature imports it.

Threads: all methods run on the event loop; blocking work (SQLite, keyring, settings file)
goes through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import ConfigurationError
from audio_studio.core.jobs.runner import JobRunner
from audio_studio.core.models import Secret
from audio_studio.core.providers.registry import (
    ProviderContext,
    ProviderRegistry,
    ProviderSpec,
    load_builtin_specs,
)
from audio_studio.core.settings import ProviderSettings, Settings
from audio_studio.core.store.db import Database
from audio_studio.core.store.files import FileStore
from audio_studio.core.store.history import HistoryStore
from audio_studio.core.store.paths import AppPaths
from audio_studio.core.store.secrets import SecretStore, open_secret_store
from audio_studio.core.store.settings import load_settings, save_settings

if TYPE_CHECKING:
    import ssl

    import httpx

    from audio_studio.core.audio.backend import AudioBackend
    from audio_studio.core.library import Library
    from audio_studio.core.narration import NarrationService
    from audio_studio.core.providers.local.models import ModelManager
    from audio_studio.core.recordings import RecordingService
    from audio_studio.core.sound import MusicService, SoundService
    from audio_studio.core.transcription import TranscriptionService

__all__ = ["StartupReport", "Studio", "open_studio"]

log = logging.getLogger(__name__)

# The CLI honours the vendors' usual variables; the gateway has its own.
_GATEWAY_ENV = "AUDIO_STUDIO_API_KEY"


@dataclass
class StartupReport:
    """What the user should be told about how the studio started (shown once, then cleared)."""

    notices: list[str] = field(default_factory=list)
    recovered_rows: int = 0


class Studio:
    """Owns History, settings, secrets, providers and jobs; builds the feature services.

    Attributes:
        context: what the features are given (core/context.py).
        narration / transcription / sound / music / library: the feature services.
        recordings: microphone takes into History (the Transcription tab and voice samples).
    """

    def __init__(
        self,
        *,
        paths: AppPaths,
        db: Database,
        settings: Settings,
        runner: JobRunner | None = None,
        secrets: SecretStore | None = None,
        specs: Iterable[ProviderSpec] | None = None,
        use_env_keys: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.paths = paths
        self.db = db
        self.history = HistoryStore(db, paths.data_dir)
        self.files = FileStore(paths.audio_dir)
        self._settings = settings
        self.runner = runner or JobRunner()
        self._secrets = secrets
        self._secrets_lock = asyncio.Lock()
        self._keys: dict[str, Secret | None] = {}
        self._use_env_keys = use_env_keys
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        self._tls: ssl.SSLContext | None = None
        self.registry = ProviderRegistry(
            load_builtin_specs() if specs is None else specs, self._context_for
        )
        self.startup = StartupReport()
        self._audio_backend: AudioBackend | None = None
        self.context = StudioContext(
            paths=paths,
            db=db,
            history=self.history,
            files=self.files,
            runner=self.runner,
            registry=self.registry,
            settings=self,
            keys=self,
            http=self.http,
            audio_backend=lambda: self.audio_backend,
        )

    # -- features (each made on first use) ---------------------------------------------------

    @cached_property
    def narration(self) -> NarrationService:
        """Scripts to audio: projects, takes, cache, preview, export, one-off speech."""
        from audio_studio.core.narration import NarrationService

        return NarrationService(self.context)

    @cached_property
    def transcription(self) -> TranscriptionService:
        """Audio to transcripts: long files in parts, corrections, summaries."""
        from audio_studio.core.transcription import TranscriptionService

        return TranscriptionService(self.context)

    @cached_property
    def sound(self) -> SoundService:
        """Sound effects: one, or variations in parallel, and packs of the starred ones."""
        from audio_studio.core.sound import SoundService

        return SoundService(self.context)

    @cached_property
    def music(self) -> MusicService:
        """Music, including async provider jobs that survive a restart."""
        from audio_studio.core.sound import MusicService

        return MusicService(self.context)

    @cached_property
    def library(self) -> Library:
        """History's actions: make again, delete with undo, usage, upkeep, import/export."""
        from audio_studio.core.library import Library

        return Library(
            self.context,
            narration=self.narration,
            transcription=self.transcription,
            sound=self.sound,
            music=self.music,
        )

    @cached_property
    def recordings(self) -> RecordingService:
        """Microphone takes, written to disk as they are recorded and kept in History."""
        from audio_studio.core.recordings import RecordingService

        return RecordingService(self.context)

    # -- settings ----------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    def use_settings(self, settings: Settings) -> None:
        """Use ``settings`` for this run without saving them (CLI overrides such as --base-url)."""
        self._settings = settings
        self.registry.invalidate()

    async def remember_settings(self, settings: Settings) -> None:
        """Save preferences that need no new HTTP client or providers (see context.remember)."""
        await asyncio.to_thread(save_settings, self.paths.settings_path, settings)
        self._settings = settings

    async def update_settings(self, settings: Settings) -> None:
        await asyncio.to_thread(save_settings, self.paths.settings_path, settings)
        self._settings = settings
        for pid, ps in settings.providers.items():
            self.runner.set_provider_limit(pid, ps.max_concurrency)
        self.registry.invalidate()
        await self._reset_http()

    # -- secrets -----------------------------------------------------------------------------

    async def secret_store(self) -> SecretStore:
        """The SecretStore, opened on first use (probing the keyring may wait on D-Bus)."""
        async with self._secrets_lock:
            if self._secrets is None:
                self._secrets = await asyncio.to_thread(open_secret_store)
                log.info("secret store: %s", self._secrets.status)
            return self._secrets

    async def set_api_key(self, provider_id: str, key: str) -> None:
        store = await self.secret_store()
        key = key.strip()
        if key:
            await asyncio.to_thread(store.set, provider_id, key)
            log.info(
                "API key saved for %s (%s)",
                provider_id,
                "keyring" if store.persistent else "this session only",
            )
        else:
            await asyncio.to_thread(store.delete, provider_id)
            log.info("API key removed for %s", provider_id)
        self._keys.pop(provider_id, None)
        self.registry.invalidate(provider_id)

    async def delete_api_key(self, provider_id: str) -> None:
        await self.set_api_key(provider_id, "")

    async def has_api_key(self, provider_id: str) -> bool:
        return bool(await self.api_key(provider_id))

    async def api_key(self, provider_id: str) -> Secret | None:
        """The key for ``provider_id``: the environment (scripts) or the keyring, cached."""
        if provider_id not in self._keys:
            env_value = self._env_key(provider_id) if self._use_env_keys else None
            if env_value:
                self._keys[provider_id] = Secret(env_value)
            else:
                store = await self.secret_store()
                self._keys[provider_id] = await asyncio.to_thread(store.get, provider_id)
        return self._keys[provider_id]

    def _env_key(self, provider_id: str) -> str | None:
        try:
            info = self.registry.spec(provider_id).info
        except ConfigurationError:
            return None
        names = [n for n in (info.key_env, _GATEWAY_ENV if provider_id == "gateway" else None) if n]
        return next((os.environ[n] for n in names if os.environ.get(n)), None)

    # -- providers ---------------------------------------------------------------------------

    async def test_connection(
        self, provider_id: str, provider_settings: ProviderSettings | None = None
    ) -> str:
        """Check the provider's key and base URL; returns a one-line report.

        With ``provider_settings`` (what the Settings dialog shows, not saved yet) the check
        uses them for this one call and saves nothing.
        """
        if provider_settings is None:
            provider = await self.context.provider(provider_id)
        else:
            spec = self.registry.spec(provider_id)
            await self.api_key(provider_id)
            settings = self._settings.with_provider(
                provider_id, **dataclasses.asdict(provider_settings)
            )
            ctx = dataclasses.replace(
                self._context_for(spec),
                provider_settings=settings.provider(provider_id),
                settings=settings,
                base_url=provider_settings.base_url or spec.info.default_base_url,
            )
            provider = self.registry.build(provider_id, ctx)
        report: str = await provider.check()
        return report

    def http(self) -> httpx.AsyncClient:
        """The one shared AsyncClient (connection pooling), created on first use."""
        if self._http is None:
            import httpx

            s = self._settings
            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(s.read_timeout_s, connect=s.connect_timeout_s),
                follow_redirects=True,
                transport=self._transport,
                verify=self._tls if self._tls is not None else True,
            )
        return self._http

    async def warm_up(self) -> None:
        """Load httpx and the TLS trust store off the loop, so the first cloud call (and each
        client rebuilt after a settings change) does not stall the window for ~100 ms."""
        if self._tls is None:
            self._tls = await asyncio.to_thread(_tls_context)

    async def _reset_http(self) -> None:
        if self._http is not None:
            old, self._http = self._http, None
            await old.aclose()

    def _context_for(self, spec: ProviderSpec) -> ProviderContext:
        pid = spec.info.id
        ps = self._settings.provider(pid)
        return ProviderContext(
            provider_id=pid,
            provider_settings=ps,
            settings=self._settings,
            api_key=self._keys.get(pid),
            base_url=ps.base_url or spec.info.default_base_url,
            http=self.http,
            models_dir=self.paths.models_dir,
            cache_dir=self.paths.cache_dir,
        )

    # -- audio -------------------------------------------------------------------------------

    @property
    def audio_backend(self) -> AudioBackend:
        """The audio system (PortAudio), made on first use; tests set a fake.FakeBackend."""
        if self._audio_backend is None:
            from audio_studio.core.audio.devices import default_backend

            self._audio_backend = default_backend()
        return self._audio_backend

    @audio_backend.setter
    def audio_backend(self, backend: AudioBackend) -> None:
        self._audio_backend = backend

    def model_manager(self) -> ModelManager:
        """Installed and downloadable offline models (downloads use the shared client)."""
        from audio_studio.core.providers.local.models import ModelManager

        return ModelManager(self.paths.models_dir, self.http)

    # -- lifecycle ---------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Orderly shutdown: cancel jobs, close the HTTP client, close the database."""
        await self.runner.cancel_all()
        await self._reset_http()
        await asyncio.to_thread(self.db.close)


# What httpx loads on its first request (~60 ms), and what every job's preflight loads.
_FIRST_CALL_MODULES = (
    "httpcore",
    "h11",
    "anyio._backends._asyncio",
    "httpcore._backends.anyio",
    "audio_studio.core.preflight",
)


def _tls_context() -> ssl.SSLContext:
    """httpx's default verification context (certifi's roots), with the modules of a first
    request imported too, so neither happens on the loop. Blocking: reads the store."""
    import importlib

    import httpx

    for name in _FIRST_CALL_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # a later httpx may load other modules; only the speed-up is lost
            log.debug("warm-up: no module %s", name)
    return httpx.create_ssl_context()


def open_studio(
    paths: AppPaths,
    *,
    secrets: SecretStore | None = None,
    specs: Iterable[ProviderSpec] | None = None,
    use_env_keys: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Studio:
    """Open the data folder, database and settings and build the Studio.

    Blocking: it creates folders and opens SQLite; call before the loop starts or via to_thread.

    Raises:
        StorageError: the data folder cannot be written, or the database cannot be opened.
    """
    paths.ensure()
    opened = Database.open(paths.db_path)
    settings, warnings = load_settings(paths.settings_path)
    runner = JobRunner(
        provider_limits={pid: ps.max_concurrency for pid, ps in settings.providers.items()}
    )
    studio = Studio(
        paths=paths,
        db=opened.db,
        settings=settings,
        runner=runner,
        secrets=secrets,
        specs=specs,
        use_env_keys=use_env_keys,
        transport=transport,
    )
    studio.startup.notices.extend(opened.notices)
    studio.startup.notices.extend(warnings)
    # Takes a crash left behind first: their rows become DONE instead of INTERRUPTED. (Only
    # when there are any: the recorder's imports would slow every start-up.)
    if any(paths.recordings_dir.glob("*.wav")):
        from audio_studio.core.recordings import repair_takes

        studio.startup.notices.extend(
            repair_takes(studio.history, studio.files, paths.recordings_dir)
        )
    studio.startup.recovered_rows = studio.history.recover()
    return studio
