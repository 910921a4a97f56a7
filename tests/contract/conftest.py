"""Contract fixtures: the specs (loaded once per session) and a studio on a recording transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from audio_studio.core.store.paths import AppPaths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio
from tests.contract.spec import Spec, load
from tests.support.wire import KEYS

Reply = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(scope="session")
def openai_spec() -> Spec:
    return Spec(load("openai-openapi.yaml"), "urn:openai-openapi", base_path="/v1")


@pytest.fixture(scope="session")
def elevenlabs_spec() -> Spec:
    return Spec(load("elevenlabs-openapi.json"), "urn:elevenlabs-openapi")


class Recorder:
    """An httpx transport handler: keeps every request, answers from ``replies`` by path end."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.replies: list[tuple[str, str, Reply]] = []

    def on(self, method: str, path_end: str, reply: Reply | httpx.Response) -> None:
        fn = reply if callable(reply) else (lambda _req, r=reply: r)
        self.replies.insert(0, (method, path_end, fn))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for method, end, reply in self.replies:
            if request.method == method and request.url.path.endswith(end):
                return reply(request)
        return httpx.Response(404, json={"error": {"message": "not mocked"}})

    def last(self) -> httpx.Request:
        return self.requests[-1]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    yield Recorder()


@pytest.fixture
async def mock_studio(paths: AppPaths, recorder: Recorder) -> AsyncIterator[Studio]:
    """A studio on the vendors' real base URLs, whose transport only records and answers."""
    secrets = MemorySecretStore()
    for pid, key in KEYS.items():
        secrets.set(pid, key)
    service = open_studio(paths, secrets=secrets, transport=httpx.MockTransport(recorder))
    yield service
    await service.aclose()


def json_reply(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=data)
