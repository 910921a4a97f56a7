"""Async music jobs end to end: Replicate and the gateway, History rows, resume after a restart."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from audio_studio.core.errors import InputError, ProviderError, ProviderUnavailableError
from audio_studio.core.models import AudioFormat, HistoryStatus, MusicRequest, RemoteJobState
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.studio import open_studio
from tests.servers.audio import mp3_bytes
from tests.support.wire import KEYS, fast_specs, open_wire_studio, wire_settings


def only_item(studio):  # type: ignore[no-untyped-def]
    (item,) = studio.history.query(HistoryQuery())
    return item


async def test_replicate_job_to_history_and_file(studio, wire, tmp_path):
    out = tmp_path / "bed.mp3"
    seen: list[str | None] = []
    outcome = await studio.music.generate(
        MusicRequest("calm piano", duration_s=8),
        progress=lambda share, msg: seen.append(msg),
        output=out,
    )
    assert outcome.remote is not None and outcome.remote.job_id.startswith("pred")
    assert out.read_bytes() == mp3_bytes()
    item = only_item(studio)
    assert item.status is HistoryStatus.DONE and item.provider == "replicate"
    assert item.prompt == "calm piano" and item.job_id == outcome.job_id
    assert item.file() is not None and item.file().path.read_bytes() == mp3_bytes()
    assert item.duration_s == pytest.approx(1.0, abs=0.1)
    assert item.latency.queue_ms == pytest.approx(2500) and item.latency.total_ms
    assert item.params["predict_time_s"] == 6.5
    (stored,) = studio.music.jobs.recent()
    assert stored.remote.state is RemoteJobState.SUCCEEDED and stored.item_id == item.id
    assert any(m and "Submitted to Replicate" in m for m in seen)
    # The API gets the token; the delivery host (another origin) never does.
    create = wire.requests("POST", "/replicate/v1/predictions")[0]
    assert create.headers["authorization"] == f"Bearer {KEYS['replicate']}"
    assert create.json()["input"] == {
        "prompt": "calm piano", "duration": 8, "output_format": "mp3",
        "normalization_strategy": "peak", "model_version": "stereo-melody-large",
    }  # fmt: skip
    (download,) = wire.requests("GET", "/delivery/")
    assert "authorization" not in download.headers


async def test_output_in_another_format_is_converted(studio, tmp_path):
    out = tmp_path / "bed.wav"
    await studio.music.generate(MusicRequest("calm piano", duration_s=8), output=out)
    assert out.read_bytes()[:4] == b"RIFF"


@pytest.mark.parametrize("delivery", ["url", "base64"])
async def test_gateway_async_job(studio, wire, delivery):
    wire.state["gateway_output"] = delivery
    outcome = await studio.music.generate(
        MusicRequest("synthwave", duration_s=20, format=AudioFormat.MP3), provider_id="gateway"
    )
    assert outcome.result is not None and outcome.result.data == mp3_bytes()
    submit = wire.requests("POST", "/gateway/v1/audio/generate/async")[0]
    assert submit.json() == {"prompt": "synthwave", "duration_seconds": 20, "format": "mp3"}
    assert submit.headers["authorization"] == f"Bearer {KEYS['gateway']}"
    assert len(wire.requests("GET", "/gateway/v1/audio/generate/async/")) == 2
    files = wire.requests("GET", "/files/")
    assert len(files) == (1 if delivery == "url" else 0)
    assert all("authorization" not in f.headers for f in files)


async def test_a_failed_job_is_reported_and_recorded(studio, wire):
    wire.state["gateway_fail"] = True
    with pytest.raises(ProviderError, match="no GPU") as info:
        await studio.music.generate(MusicRequest("synthwave"), provider_id="gateway")
    assert "Change the prompt" in info.value.message
    assert only_item(studio).status is HistoryStatus.FAILED
    assert studio.music.jobs.recent()[0].remote.state is RemoteJobState.FAILED


async def test_no_wait_then_restart_then_resume(paths, wire, naps, wire_secrets, tmp_path):
    out = tmp_path / "later.mp3"
    first = open_wire_studio(paths, wire, naps, wire_secrets)
    outcome = await first.music.generate(MusicRequest("calm piano"), wait=False, output=out)
    assert outcome.result is None and outcome.remote is not None
    assert only_item(first).status is HistoryStatus.RUNNING
    assert [j.id for j in await first.music.remote_jobs()] == [outcome.job_id]
    await first.aclose()
    # A new run of the studio: the row is not marked interrupted, the job resumes.
    second = await asyncio.to_thread(
        open_studio, paths, secrets=wire_secrets, specs=fast_specs(naps)
    )
    second.use_settings(wire_settings(wire))
    try:
        assert second.startup.recovered_rows == 0
        (job,) = await second.music.resume_all()
        assert job.id == outcome.job_id
        resumed = await job.result()
        assert resumed.item_id == outcome.item_id and out.read_bytes() == mp3_bytes()
        assert only_item(second).status is HistoryStatus.DONE
        assert await second.music.remote_jobs() == []
        assert len(wire.requests("POST", "/replicate/v1/predictions")) == 1  # never re-submitted
    finally:
        await second.aclose()


async def test_cancel_stops_the_job_on_the_provider(studio, wire):
    outcome = await studio.music.generate(MusicRequest("calm piano"), wait=False)
    job = await studio.music.cancel(outcome.remote.job_id)  # the provider's id works too
    assert job.remote.state is RemoteJobState.CANCELED
    assert len(wire.requests("POST", "/replicate/v1/predictions/")) == 1  # the cancel call
    assert only_item(studio).status is HistoryStatus.CANCELLED
    with pytest.raises(InputError, match="already canceled"):
        await studio.music.resume(outcome.job_id)


async def test_stopping_the_wait_keeps_the_job_resumable(studio, wire):
    wire.state["polls_to_finish"] = 10_000
    submitted = asyncio.Event()

    def progress(share: float | None, message: str | None) -> None:
        if message and message.startswith("Submitted"):
            submitted.set()

    task = asyncio.ensure_future(
        studio.music.generate(MusicRequest("calm piano"), progress=progress)
    )
    await asyncio.wait_for(submitted.wait(), 5)
    await asyncio.sleep(0.05)  # a few polls happen
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (job,) = await studio.music.remote_jobs()
    assert job.remote.state is RemoteJobState.PENDING
    assert only_item(studio).status is HistoryStatus.RUNNING
    assert wire.requests("POST", "/replicate/v1/predictions/") == []  # no remote cancel


async def test_a_job_past_the_deadline_is_kept_and_resumes(studio, wire):
    wire.state["polls_to_finish"] = 10_000
    studio.use_settings(dataclasses.replace(studio.settings, music_read_timeout_s=0.2))
    with pytest.raises(ProviderUnavailableError, match="has not finished after 0 s") as info:
        await studio.music.generate(MusicRequest("calm piano"))
    assert "jobs resume" in info.value.message
    item = only_item(studio)
    assert item.status is HistoryStatus.INTERRUPTED and "can be resumed" in (item.error or "")
    (job,) = await studio.music.remote_jobs()
    wire.state["polls_to_finish"] = 0
    outcome = await studio.music.resume(job.id)
    assert outcome.result is not None and only_item(studio).status is HistoryStatus.DONE
