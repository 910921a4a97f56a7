"""Narration test helpers: a studio on the loopback server that also has the offline voice,
a preview sink that keeps what it was given, and scripts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import numpy as np
import pytest

from audio_studio.core.providers.local.provider import SPECS as LOCAL_SPECS
from audio_studio.core.store.paths import AppPaths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio
from tests.servers.base import WireServer
from tests.support.wire import Naps, fast_specs, wire_settings

SCRIPT = (
    "The morning train was late again. Maria walked to the harbour instead.\n\n"
    "She bought bread [pause 0.8s] and sat by the water. The boats came home."
)
SPEECH = "/openai/v1/audio/speech"


class CollectingSink:
    """An AudioSink that keeps every block, for checking what the preview would play."""

    def __init__(self) -> None:
        self.rate: int | None = None
        self.blocks: list[np.ndarray] = []
        self.ended = False

    def begin(self, sample_rate: int, channels: int) -> None:
        self.rate = sample_rate

    def write(self, samples: np.ndarray) -> None:
        self.blocks.append(samples)

    def end(self) -> None:
        self.ended = True

    @property
    def seconds(self) -> float:
        return sum(len(b) for b in self.blocks) / (self.rate or 1)


def open_narration_studio(
    paths: AppPaths, wire: WireServer, naps: Naps, secrets: MemorySecretStore
) -> Studio:
    specs = [*fast_specs(naps), *LOCAL_SPECS]
    service = open_studio(paths, secrets=secrets, specs=specs)  # type: ignore[arg-type]
    service.use_settings(wire_settings(wire))
    return service


@pytest.fixture
async def narration_studio(
    paths: AppPaths, wire: WireServer, naps: Naps, wire_secrets: MemorySecretStore
) -> AsyncIterator[Studio]:
    """Cloud providers on the loopback server plus the offline engine, on a temp data folder."""
    service = open_narration_studio(paths, wire, naps, wire_secrets)
    yield service
    await service.aclose()


@pytest.fixture
def narration_gui_studio(
    qloop: object, paths: AppPaths, wire: WireServer, naps: Naps, wire_secrets: MemorySecretStore
) -> Iterator[Studio]:
    """The same studio for pytest-qt tests: closed on the Qt loop it ran on, with a fake
    audio device so previews "play" without a sound server."""
    from audio_studio.core.audio.fake import FakeBackend
    from tests.support.qt import run

    service = open_narration_studio(paths, wire, naps, wire_secrets)
    service.audio_backend = FakeBackend(speed=4, keep_output=True)
    yield service
    run(qloop, service.aclose())  # type: ignore[arg-type]
