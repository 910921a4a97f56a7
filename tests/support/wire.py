"""Fixtures for the cloud providers over a real socket: the loopback server and a studio on it.

``wire`` is the session's server (reset for each test); ``studio`` is a Studio whose
providers point at it, with keys in a MemorySecretStore, short retry delays and a sleep that
records every wait (so tests check Retry-After without sleeping for it).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator

import pytest

from audio_studio.core.providers import elevenlabs, openai, replicate
from audio_studio.core.providers.http import RetryPolicy
from audio_studio.core.settings import Settings
from audio_studio.core.store.paths import AppPaths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio
from tests.servers.audio import mp3_bytes
from tests.servers.base import WireServer
from tests.servers.studio_wire import base_urls, build_server

KEYS = {
    "openai": "sk-test-OPENAI-0123456789abcdef",
    "groq": "gsk_test_GROQ_0123456789abcdef",
    "gateway": "gw-test-GATEWAY-0123456789abcdef",
    "elevenlabs": "xi-test-ELEVEN-0123456789abcdef",
    "replicate": "r8_test_REPLICATE_0123456789abcdef",
    "crazyrouter": "cr-test-CRAZYROUTER-0123456789abcdef",
    "imarouter": "ima-test-IMAROUTER-0123456789abcdef",
}
FAST_RETRY = RetryPolicy(limit=2, base_s=0.01, cap_s=0.05, max_hint_s=5.0)


class Naps:
    """The providers' sleep: records what was asked and sleeps at most 10 ms of it."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(min(delay, 0.01))


def wire_settings(server: WireServer, **changes: object) -> Settings:
    settings = Settings(
        retry_limit=2,
        connect_timeout_s=2.0,
        read_timeout_s=3.0,
        music_read_timeout_s=5.0,
        music_provider="replicate",
    )
    for pid, url in base_urls(server).items():
        settings = settings.with_provider(pid, base_url=url)
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def fast_specs(naps: Naps) -> list[object]:
    return [
        *openai.specs(retry=FAST_RETRY, sleep=naps),
        *elevenlabs.specs(retry=FAST_RETRY, sleep=naps),
        *replicate.specs(retry=FAST_RETRY, sleep=naps),
    ]


@pytest.fixture(scope="session")
def wire_server() -> Iterator[WireServer]:
    mp3_bytes()  # encode once up front, not inside the first request a test times
    server = build_server().start()
    yield server
    server.stop()


@pytest.fixture
def wire(wire_server: WireServer) -> Iterator[WireServer]:
    wire_server.reset()
    yield wire_server
    wire_server.reset()


@pytest.fixture
def naps() -> Naps:
    return Naps()


@pytest.fixture
def wire_secrets() -> MemorySecretStore:
    store = MemorySecretStore()
    for pid, key in KEYS.items():
        store.set(pid, key)
    return store


def open_wire_studio(
    paths: AppPaths, wire: WireServer, naps: Naps, secrets: MemorySecretStore
) -> Studio:
    service = open_studio(paths, secrets=secrets, specs=fast_specs(naps))  # type: ignore[arg-type]
    service.use_settings(wire_settings(wire))
    return service


@pytest.fixture
async def studio(
    paths: AppPaths, wire: WireServer, naps: Naps, wire_secrets: MemorySecretStore
) -> AsyncIterator[Studio]:
    """A Studio on a temp data folder whose providers talk to the loopback server."""
    service = open_wire_studio(paths, wire, naps, wire_secrets)
    yield service
    await service.aclose()
