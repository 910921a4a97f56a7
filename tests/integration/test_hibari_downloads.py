"""hibari's four downloadable voices through the catalog: hibari's own sha256 pinned, a wrong
file refused, a right one installed where the engine finds it and spoken with. Downloads come
from a loopback HTTP server, never the internet."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from audio_studio.core.errors import NetworkError
from audio_studio.core.models import Capability, SpeechRequest
from audio_studio.core.providers.local import download
from audio_studio.core.providers.local.catalog import MIRROR_ENV, find_model, load_catalog
from audio_studio.core.providers.local.hibari_voices import registry
from audio_studio.core.providers.local.models import ModelManager, installed_models
from tests.support.model_server import write_catalog

pytestmark = pytest.mark.slow


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as c:
        yield c


@pytest.fixture(autouse=True)
def _no_retry_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "RETRY_DELAY_S", 0.0)


def test_the_catalog_offers_hibaris_four_voices_with_its_own_checksums(tmp_path: Path) -> None:
    own = registry()
    hibari = {m.id: m for m in load_catalog(tmp_path) if m.engine == "hibari"}
    assert set(hibari) == {"hibari-emma", "hibari-fenrir", "hibari-fable", "hibari-kore"}
    for vid, model in hibari.items():
        info = own[vid.removeprefix("hibari-")]
        (file,) = model.files
        assert (file.name, file.sha256, file.size_bytes) == (
            info["file"],
            info["sha256"],
            info["bytes"],
        )
        assert file.url.startswith("https://huggingface.co/") and model.kind is Capability.SPEECH
    assert "British" in hibari["hibari-emma"].title and "hibari-heart" not in hibari


async def test_a_file_that_is_not_hibaris_voice_is_refused(
    paths, client, model_server, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    emma = find_model(load_catalog(paths.models_dir), "hibari-emma")
    path = emma.files[0].url.removeprefix("https://huggingface.co")
    model_server.add(path, b"not the voice" * 1000)
    monkeypatch.setenv(MIRROR_ENV, model_server.base)
    with pytest.raises(NetworkError, match="checksum does not match"):
        await ModelManager(paths.models_dir, lambda: client).download("hibari-emma")
    assert "hibari-emma" not in {m.id for m in installed_models(paths.models_dir)}
    assert not (paths.models_dir / "hibari" / emma.files[0].name).exists()


async def test_a_downloaded_voice_installs_where_hibari_finds_it_and_speaks(
    paths, client, model_server, service
) -> None:  # type: ignore[no-untyped-def]
    # The loopback server has a real hibari model (the package's own weights) under Emma's
    # file name, pinned by its sha256 in the user's catalog, as a mirror of one's own would.
    heart = next(m for m in installed_models(paths.models_dir) if m.id == "hibari-heart")
    data = heart.location.read_bytes()
    served = model_server.add("/voices/bf_emma.int8.onnx", data)
    entry = model_server.catalog_entry(
        "hibari-emma", "speech", {"bf_emma.int8.onnx": served}, engine="hibari"
    )
    write_catalog(paths.models_dir, [entry])
    manager = ModelManager(paths.models_dir, lambda: client)
    model = await manager.download("hibari-emma")
    assert model.engine == "hibari" and not model.bundled
    assert model.location == paths.models_dir / "hibari" / "bf_emma.int8.onnx"
    assert hashlib.sha256(model.location.read_bytes()).hexdigest() == served.sha256
    provider = await service.context.provider("local", Capability.SPEECH)
    assert "hibari-emma" in {v.id for v in await provider.list_voices()}
    speech = await provider.synthesize(SpeechRequest(text="Good morning.", voice="hibari-emma"))
    assert speech.model == "hibari" and speech.sample_rate == 24_000 and speech.duration_s
    await manager.remove("hibari-emma")
    assert not model.location.exists()
    assert "hibari-emma" not in {m.id for m in installed_models(paths.models_dir)}
