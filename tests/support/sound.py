"""Fixtures for the Sound tab: a studio on the loopback server with a fake speaker, and the tab.

``sound_studio`` is synchronous (pytest-qt tests drive coroutines with ``tests.support.qt.run``
on the ``qloop``), unlike the async ``studio`` fixture of tests.support.wire.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest

from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.store.paths import AppPaths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio
from tests.servers.base import Fault, WireServer
from tests.support.qt import run
from tests.support.wire import Naps, fast_specs, wire_settings

# What ElevenLabs answers when moderation refuses a prompt (the shape of its 400 errors).
MODERATION = json.dumps(
    {
        "detail": {
            "status": "content_against_policy",
            "message": "This prompt was flagged by content moderation.",
        }
    }
).encode()


def moderation_refusal() -> Fault:
    return Fault("status", 400, MODERATION, {"Content-Type": "application/json"})


def use_deadline(service: Studio, seconds: float) -> None:
    """Stop polling async jobs after ``seconds`` (Settings allow 30 s at least; tests go lower)."""
    service.use_settings(dataclasses.replace(service.settings, music_read_timeout_s=seconds))


def open_sound_studio(
    paths: AppPaths, wire: WireServer, naps: Naps, secrets: MemorySecretStore
) -> Studio:
    from audio_studio.core.providers.local.provider import SPECS as LOCAL

    specs = [*LOCAL, *fast_specs(naps)]
    service = open_studio(paths, secrets=secrets, specs=specs)  # type: ignore[arg-type]
    service.use_settings(wire_settings(wire))
    return service


@pytest.fixture
def sound_studio(
    qloop: object,
    paths: AppPaths,
    wire: WireServer,
    naps: Naps,
    wire_secrets: MemorySecretStore,
) -> Iterator[Studio]:
    """The offline engines, cloud providers on the loopback server, and a fake speaker."""
    service = open_sound_studio(paths, wire, naps, wire_secrets)
    service.audio_backend = FakeBackend(speed=4)
    yield service
    run(qloop, service.aclose())  # type: ignore[arg-type]
