"""OpenAI and every OpenAI-compatible base URL (gateways, Groq, local servers)."""

from __future__ import annotations

import asyncio
from typing import Any

from audio_studio.core.errors import (
    AuthenticationError,
    NetworkError,
    ProviderError,
    ProviderProtocolError,
)
from audio_studio.core.providers.base import ProviderInfo
from audio_studio.core.providers.registry import ProviderContext, ProviderSpec

__all__ = ["SPECS", "OpenAIProvider"]

OPENAI_INFO = ProviderInfo(
    id="openai",
    name="OpenAI",
    capabilities=frozenset(),
    needs_key=True,
    default_base_url="https://api.openai.com/v1",
    base_url_configurable=True,
    key_env="OPENAI_API_KEY",
    description="OpenAI's audio models, or any server with the same API at another base URL.",
    signup_url="https://platform.openai.com/api-keys",
)

GATEWAY_INFO = ProviderInfo(
    id="gateway",
    name="OpenAI-compatible gateway",
    capabilities=frozenset(),
    needs_key=True,
    base_url_configurable=True,
    key_env="AUDIO_STUDIO_API_KEY",
    description="Any gateway or self-hosted server that speaks the OpenAI audio API.",
)


class OpenAIProvider:
    """The OpenAI API shape at a configurable base URL."""

    def __init__(self, info: ProviderInfo, ctx: ProviderContext) -> None:
        self._info = info
        self._ctx = ctx

    @property
    def info(self) -> ProviderInfo:
        return self._info

    def _url(self, path: str) -> str:
        base = self._ctx.base_url
        if not base:
            raise ProviderError(
                f"{self._info.name} has no base URL. Set one in Settings → Providers.",
                provider=self._info.id,
            )
        return f"{base.rstrip('/')}/{path.lstrip('/')}"

    def _headers(self) -> dict[str, str]:
        key = self._ctx.api_key
        return {"Authorization": f"Bearer {key.reveal()}"} if key else {}

    async def check(self) -> str:
        import httpx

        try:
            response = await self._ctx.http().get(self._url("models"), headers=self._headers())
        except asyncio.CancelledError:
            raise
        except httpx.TransportError as exc:
            raise NetworkError(
                f"Could not reach {self._ctx.base_url} ({exc.__class__.__name__}). "
                "Check the base URL and your connection.",
                provider=self._info.id,
            ) from exc
        if response.status_code in (401, 403):
            raise AuthenticationError(
                "The provider refused the API key. Check it in Settings → Providers.",
                status=response.status_code,
                provider=self._info.id,
            )
        if response.status_code >= 400:
            raise ProviderError(
                f"The provider answered HTTP {response.status_code} to the model list.",
                status=response.status_code,
                provider=self._info.id,
            )
        try:
            data: Any = response.json()
            count = len(data["data"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderProtocolError(
                "The model list could not be read; is the base URL an OpenAI-compatible API?",
                provider=self._info.id,
            ) from exc
        return f"Connected: {count} model{'s' if count != 1 else ''} available."


SPECS = (
    ProviderSpec(OPENAI_INFO, lambda ctx: OpenAIProvider(OPENAI_INFO, ctx)),
    ProviderSpec(GATEWAY_INFO, lambda ctx: OpenAIProvider(GATEWAY_INFO, ctx)),
)
