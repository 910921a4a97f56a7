"""The remote_jobs store, and the job-status shapes the poller understands."""

from __future__ import annotations

import pytest

from audio_studio.core.errors import ProviderProtocolError
from audio_studio.core.jobs.store import RemoteJobStore
from audio_studio.core.models import JobKind, RemoteJob, RemoteJobState
from audio_studio.core.providers.polling import parse_gateway_status
from audio_studio.core.providers.replicate import parse_prediction


def test_save_update_list_and_find(service):
    store = RemoteJobStore(service.db)
    job = RemoteJob("replicate", "pred1", "https://x/p/pred1", "https://x/p/pred1/cancel",
                    submitted_at=1_700_000_000.0, meta={"format": "mp3"})  # fmt: skip
    store.save("music-1", JobKind.MUSIC, job, request={"prompt": "p", "api_key": "sk-no"})
    store.save("music-2", JobKind.MUSIC, RemoteJob("gateway", "job_9"))
    assert [j.id for j in store.unfinished()] == ["music-1", "music-2"]
    got = store.find("pred1")
    assert got is not None and got.id == "music-1" and got.remote == job
    assert dict(got.request) == {"prompt": "p"}  # credential-like keys are never stored
    store.update("music-1", state=RemoteJobState.RUNNING)
    store.mark_failed("music-2", "no GPU")
    assert [j.id for j in store.unfinished()] == ["music-1"]
    assert store.get("music-2").error == "no GPU"  # type: ignore[union-attr]
    store.mark_finished("music-1")
    assert store.unfinished() == [] and store.get("music-1").finished  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "state", "url", "b64"),
    [
        ({"id": "j", "status": "queued"}, RemoteJobState.PENDING, None, None),
        ({"status": "IN_PROGRESS", "progress": 40}, RemoteJobState.RUNNING, None, None),
        ({"status": "completed", "audio_url": "https://c/a.mp3"}, RemoteJobState.SUCCEEDED,
         "https://c/a.mp3", None),
        ({"status": "succeeded", "output": ["https://c/1.wav"]}, RemoteJobState.SUCCEEDED,
         "https://c/1.wav", None),
        ({"data": {"status": "success", "result": {"audio_base64": "SUQz"}}},
         RemoteJobState.SUCCEEDED, None, "SUQz"),
        ({"status": "done", "data": [{"audio_url": "https://c/x.mp3"}]}, RemoteJobState.SUCCEEDED,
         "https://c/x.mp3", None),
        ({"status": "COMPLETED", "url": "data:audio/mpeg;base64,SUQz"}, RemoteJobState.SUCCEEDED,
         None, "data:audio/mpeg;base64,SUQz"),
        ({"status": "error", "error": {"message": "boom"}}, RemoteJobState.FAILED, None, None),
        ({"status": "cancelled"}, RemoteJobState.CANCELED, None, None),
    ],
)  # fmt: skip
def test_gateway_status_shapes(data, state, url, b64):
    status = parse_gateway_status(data)
    assert (status.state, status.audio_url, status.audio_b64) == (state, url, b64)
    if data.get("progress"):
        assert status.progress == 0.4
    with pytest.raises(ProviderProtocolError):
        parse_gateway_status({"status": "thinking"})


def test_replicate_predictions():
    status = parse_prediction({
        "id": "p", "status": "succeeded", "output": ["https://r/a.wav", "https://r/b.wav"],
        "created_at": "2026-08-21T10:00:00Z", "started_at": "2026-08-21T10:00:04.5Z",
    })  # fmt: skip
    assert status.audio_url == "https://r/b.wav" and status.queue_s == pytest.approx(4.5)
    assert parse_prediction({"status": "starting"}).state is RemoteJobState.PENDING
    failed = parse_prediction({"status": "failed", "error": "CUDA out of memory"})
    assert failed.state is RemoteJobState.FAILED and failed.error == "CUDA out of memory"
