"""StudioContext: the narrow, typed part of the studio that a feature service may use.

The Studio (core/studio.py) builds one context and hands it to each feature (narration,
transcription, sound, music, library) in its constructor; no feature imports the Studio. What
only the Studio can do (open the keyring, rebuild the HTTP client, save settings) reaches the
context as two small protocols, so the dependency points one way.

Threads: everything here runs on the event loop; blocking work goes through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from audio_studio.core.models import Capability

if TYPE_CHECKING:
    import httpx

    from audio_studio.core.audio.backend import AudioBackend
    from audio_studio.core.costs import Estimate
    from audio_studio.core.jobs.runner import JobRunner
    from audio_studio.core.models import Secret
    from audio_studio.core.preflight import Preflight
    from audio_studio.core.providers.registry import ProviderRegistry
    from audio_studio.core.settings import Settings
    from audio_studio.core.store.db import Database
    from audio_studio.core.store.files import FileStore
    from audio_studio.core.store.history import HistoryStore
    from audio_studio.core.store.paths import AppPaths

__all__ = ["KeySource", "SettingsSource", "StudioContext"]


class SettingsSource(Protocol):
    """Where the current settings live (the Studio); features read them, and only a resumed
    job may point a provider at the address it was started on for this run."""

    @property
    def settings(self) -> Settings: ...

    def use_settings(self, settings: Settings) -> None: ...

    async def remember_settings(self, settings: Settings) -> None: ...


class KeySource(Protocol):
    """Looks up a provider's API key (keyring or, for scripts, the environment)."""

    async def api_key(self, provider_id: str) -> Secret | None: ...


class StudioContext:
    """The things a feature may use: History and files, settings, keys, providers, jobs,
    budgets, the audio system and a clock.

    Attributes:
        paths: the data, model, cache and recording folders.
        db: the one SQLite database (features keep their own tables in it: cache, jobs).
        history: History's rows and full-text search.
        files: the content-addressed audio store.
        runner: every job as an asyncio task, with per-provider limits.
        registry: provider specs and instances.
        clock: wall-clock seconds (tests pass a fake).
    """

    def __init__(
        self,
        *,
        paths: AppPaths,
        db: Database,
        history: HistoryStore,
        files: FileStore,
        runner: JobRunner,
        registry: ProviderRegistry,
        settings: SettingsSource,
        keys: KeySource,
        http: Callable[[], httpx.AsyncClient],
        audio_backend: Callable[[], AudioBackend],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.paths = paths
        self.db = db
        self.history = history
        self.files = files
        self.runner = runner
        self.registry = registry
        self.clock = clock
        self._settings = settings
        self._keys = keys
        self._http = http
        self._audio_backend = audio_backend
        self._unknown_cost_ok: set[str] = set()

    @property
    def settings(self) -> Settings:
        return self._settings.settings

    def use_settings(self, settings: Settings) -> None:
        """Use ``settings`` for this run without saving them (a resumed job's base URL)."""
        self._settings.use_settings(settings)

    async def remember(self, **changes: Any) -> None:
        """Save a preference the user set in passing (playback speed, caption style...).

        Only plain fields: providers and keys change through the Settings dialog.

        Raises:
            StorageError: the settings file could not be written.
        """
        await self._settings.remember_settings(dataclasses.replace(self.settings, **changes))

    def http(self) -> httpx.AsyncClient:
        """The one shared AsyncClient (connection pooling)."""
        return self._http()

    @property
    def audio_backend(self) -> AudioBackend:
        """The audio system (PortAudio), made on first use."""
        return self._audio_backend()

    async def has_api_key(self, provider_id: str) -> bool:
        return bool(await self._keys.api_key(provider_id))

    async def provider(self, provider_id: str, capability: Capability | None = None) -> Any:
        """The provider instance for ``provider_id``, with its key loaded off the loop thread.

        Raises:
            ConfigurationError / MissingApiKeyError: see ProviderRegistry.get.
        """
        spec = self.registry.spec(provider_id)
        if spec.info.needs_key or spec.info.base_url_configurable:
            await self._keys.api_key(provider_id)
        return self.registry.get(provider_id, capability)

    async def preflight(
        self,
        provider_id: str,
        capability: Capability,
        model: str | None = None,
        *,
        characters: int = 0,
        seconds: float | None = None,
    ) -> Preflight:
        """Cost estimate, this month's spend and the budget's verdict, before a job starts."""
        from audio_studio.core.preflight import month_usage, preflight

        usd, credits = await asyncio.to_thread(month_usage, self.history, provider_id)
        return preflight(
            provider_id,
            capability,
            usd,
            self.settings.budget(provider_id),
            model,
            characters=characters,
            seconds=seconds,
            spent_credits=credits,
            unknown_cost_ok=self.unknown_cost_ok(provider_id),
        )

    def accept_unknown_cost(self, provider_id: str | None = None) -> None:
        """Someone agreed that jobs of unknown cost may start on ``provider_id`` (None: on any
        provider) although it has a budget: the window after asking, the CLI with ``--yes``."""
        self._unknown_cost_ok.add(provider_id or "*")

    def unknown_cost_ok(self, provider_id: str) -> bool:
        return bool({provider_id, "*"} & self._unknown_cost_ok)

    def estimate_cost(
        self,
        provider_id: str,
        capability: Capability,
        model: str | None = None,
        *,
        characters: int = 0,
        seconds: float | None = None,
    ) -> Estimate:
        """What a job would probably cost, before it starts (see core/costs.py)."""
        from audio_studio.core.costs import estimate

        return estimate(provider_id, capability, model, characters=characters, seconds=seconds)
