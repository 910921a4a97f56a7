"""Provider registry: id -> spec (info + factory), lookup by capability, one instance per id.

A new vendor is one module that defines ``SPECS`` (a tuple of ProviderSpec) and one line in
``BUILTIN_MODULES``. Provider modules must be cheap to import: heavy libraries (onnxruntime,
ctranslate2, numpy) are imported inside their factories, so listing providers at start-up
costs nothing.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import ConfigurationError, MissingApiKeyError
from audio_studio.core.models import Capability, Secret
from audio_studio.core.providers.base import Provider, ProviderInfo
from audio_studio.core.settings import ProviderSettings, Settings

if TYPE_CHECKING:
    import httpx

__all__ = [
    "BUILTIN_MODULES",
    "ProviderContext",
    "ProviderRegistry",
    "ProviderSpec",
    "load_builtin_specs",
]

log = logging.getLogger(__name__)

# One line per vendor module. Order is the order pickers show them in.
BUILTIN_MODULES: tuple[str, ...] = (
    "audio_studio.core.providers.openai",
    "audio_studio.core.providers.elevenlabs",
    "audio_studio.core.providers.replicate",
    "audio_studio.core.providers.local.provider",
)


@dataclass(frozen=True)
class ProviderContext:
    """Everything a provider instance may use; built by the service from settings and secrets."""

    provider_id: str
    provider_settings: ProviderSettings
    settings: Settings
    api_key: Secret | None
    base_url: str | None
    http: Callable[[], httpx.AsyncClient]
    models_dir: Path
    cache_dir: Path


ProviderFactory = Callable[[ProviderContext], Provider]


@dataclass(frozen=True)
class ProviderSpec:
    """How to make a provider: its static info, a factory, and a check that it can run here.

    ``unavailable(capability)`` returns None when the provider can do ``capability`` (or, with
    None, anything at all) on this machine, or one sentence saying what is missing and how to
    get it (e.g. the pip extra for a local engine).
    """

    info: ProviderInfo
    factory: ProviderFactory
    unavailable: Callable[[Capability | None], str | None] = lambda capability: None


def load_builtin_specs(modules: Iterable[str] = BUILTIN_MODULES) -> list[ProviderSpec]:
    specs: list[ProviderSpec] = []
    for name in modules:
        module = importlib.import_module(name)
        specs.extend(module.SPECS)
    return specs


class ProviderRegistry:
    """Holds provider specs and builds (and caches) one instance per provider id."""

    def __init__(
        self,
        specs: Iterable[ProviderSpec],
        context_for: Callable[[ProviderSpec], ProviderContext],
    ) -> None:
        self._specs: dict[str, ProviderSpec] = {}
        for spec in specs:
            self.register(spec)
        self._context_for = context_for
        self._instances: dict[str, Provider] = {}

    def register(self, spec: ProviderSpec) -> None:
        if spec.info.id in self._specs:
            raise ValueError(f"provider id {spec.info.id!r} registered twice")
        self._specs[spec.info.id] = spec

    def specs(self) -> list[ProviderSpec]:
        return list(self._specs.values())

    def spec(self, provider_id: str) -> ProviderSpec:
        try:
            return self._specs[provider_id]
        except KeyError:
            known = ", ".join(self._specs) or "none"
            raise ConfigurationError(
                f"There is no provider called {provider_id!r}. Known providers: {known}."
            ) from None

    def infos(self, capability: Capability | None = None) -> list[ProviderInfo]:
        return [
            s.info for s in self._specs.values() if capability is None or s.info.can(capability)
        ]

    def for_capability(self, capability: Capability) -> list[ProviderSpec]:
        return [s for s in self._specs.values() if s.info.can(capability)]

    def usable(self, capability: Capability) -> list[ProviderSpec]:
        """Providers for ``capability`` that can run on this machine (installed, if local)."""
        return [s for s in self.for_capability(capability) if s.unavailable(capability) is None]

    def get(self, provider_id: str, capability: Capability | None = None) -> Any:
        """Return the provider instance, building it on first use.

        Raises:
            ConfigurationError: unknown id, not installed here, or without ``capability``.
            MissingApiKeyError: the provider needs a key and none is stored.
        """
        spec = self.spec(provider_id)
        if capability is not None and not spec.info.can(capability):
            raise ConfigurationError(
                f"{spec.info.name} cannot do {capability.value}. Choose another provider."
            )
        missing = spec.unavailable(capability)
        if missing:
            raise ConfigurationError(missing, provider=provider_id)
        instance = self._instances.get(provider_id)
        if instance is None:
            ctx = self._context_for(spec)
            if spec.info.needs_key and not ctx.api_key:
                env = f" or set {spec.info.key_env}" if spec.info.key_env else ""
                raise MissingApiKeyError(
                    f"{spec.info.name} needs an API key. Add it in Settings → Providers{env}.",
                    provider=provider_id,
                )
            instance = spec.factory(ctx)
            self._instances[provider_id] = instance
        return instance

    def build(self, provider_id: str, ctx: ProviderContext) -> Any:
        """A one-off instance of ``provider_id`` on ``ctx`` (not kept): to try settings that
        are not saved yet, such as a base URL typed in Settings before Save.

        Raises:
            ConfigurationError: unknown id or not installed here.
            MissingApiKeyError: the provider needs a key and ``ctx`` has none.
        """
        spec = self.spec(provider_id)
        missing = spec.unavailable(None)
        if missing:
            raise ConfigurationError(missing, provider=provider_id)
        if spec.info.needs_key and not ctx.api_key:
            env = f" or set {spec.info.key_env}" if spec.info.key_env else ""
            raise MissingApiKeyError(
                f"{spec.info.name} needs an API key. Add it in Settings → Providers{env}.",
                provider=provider_id,
            )
        return spec.factory(ctx)

    def invalidate(self, provider_id: str | None = None) -> None:
        """Forget built instances (after a key, base URL or setting changed)."""
        if provider_id is None:
            self._instances.clear()
        else:
            self._instances.pop(provider_id, None)
