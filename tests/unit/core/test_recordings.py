"""Recordings into History: a take's row, device loss, and repair of crashed takes at start-up."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from audio_studio.core.audio.codec import decode
from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.audio.spool import read_sidecar, sidecar_path
from audio_studio.core.errors import AudioError, DeviceUnavailableError
from audio_studio.core.models import HistoryKind, HistoryStatus
from audio_studio.core.recordings import RecordingRequest
from audio_studio.core.store.history import HistoryEntry, HistoryQuery
from audio_studio.core.store.paths import AppPaths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio
from tests.support.audio import poll_until


async def record(service: Studio, seconds: float, **kwargs: object) -> int:
    session = await service.recordings.start(RecordingRequest(**kwargs))  # type: ignore[arg-type]
    await poll_until(lambda: session.levels().seconds >= seconds or session.error is not None)
    item = await service.recordings.finish(session)
    return item.id


async def test_a_take_becomes_a_history_recording(service: Studio) -> None:
    service.audio_backend = FakeBackend(speed=20)
    session = await service.recordings.start(RecordingRequest(title="Voice note"))
    running = service.history.get(session.item_id)
    assert running is not None and running.status is HistoryStatus.RUNNING
    assert read_sidecar(session.recorder.path)["item_id"] == session.item_id
    await poll_until(lambda: session.levels().seconds >= 1.5)
    item = await service.recordings.finish(session)
    assert item.kind is HistoryKind.RECORDING and item.status is HistoryStatus.DONE
    assert item.title == "Voice note" and item.error is None
    audio_file = item.file("audio")
    assert audio_file is not None and audio_file.format == "wav"
    assert audio_file.path.parent.parent == service.paths.audio_dir  # content-addressed
    assert decode(audio_file.path).duration_s == pytest.approx(item.duration_s)
    assert item.params["sample_rate"] == 48000 and item.params["overflows"] == 0
    assert list(service.paths.recordings_dir.iterdir()) == []  # spool and sidecar moved away


async def test_device_loss_keeps_the_take_and_tells(service: Studio) -> None:
    service.audio_backend = FakeBackend(speed=20, fail_after_s=1.0)
    item_id = await record(service, 5.0)
    item = service.history.get(item_id)
    assert item is not None and item.status is HistoryStatus.DONE
    assert item.duration_s == pytest.approx(1.0)
    assert item.error is not None and "recorded so far were kept" in item.error


async def test_a_take_with_no_audio_fails_clearly(service: Studio) -> None:
    service.audio_backend = FakeBackend(speed=20, fail_after_s=0.0)
    session = await service.recordings.start()
    await poll_until(lambda: session.error is not None)
    with pytest.raises(AudioError, match="No audio was recorded"):
        await service.recordings.finish(session)
    row = service.history.get(session.item_id)
    assert row is not None and row.status is HistoryStatus.FAILED


async def test_a_device_that_cannot_open_marks_the_row_failed(service: Studio) -> None:
    service.audio_backend = FakeBackend()
    with pytest.raises(DeviceUnavailableError, match="'Blue Yeti' is not connected"):
        await service.recordings.start(RecordingRequest(device="Blue Yeti"))
    [row] = service.history.query(HistoryQuery())
    assert row.status is HistoryStatus.FAILED and "Blue Yeti" in (row.error or "")


async def test_discard_leaves_nothing(service: Studio) -> None:
    service.audio_backend = FakeBackend(speed=20)
    session = await service.recordings.start()
    await asyncio.sleep(0.05)
    await service.recordings.discard(session)
    assert service.history.get(session.item_id) is None
    assert list(service.paths.recordings_dir.iterdir()) == []


async def test_start_up_repairs_a_crashed_take_into_history(paths: AppPaths) -> None:
    service = open_studio(paths, secrets=MemorySecretStore())
    service.audio_backend = FakeBackend(speed=20)
    session = await service.recordings.start(RecordingRequest(title="Interview"))
    await poll_until(lambda: session.levels().seconds >= 2.0)
    # A crash: the process dies with the take open. Copy what is on disk at that moment.
    spool = session.recorder.path
    crashed = spool.with_name("crashed.wav")
    shutil.copyfile(spool, crashed)
    shutil.copyfile(sidecar_path(spool), sidecar_path(crashed))
    await service.recordings.discard(session)  # (the live one goes; its row with it)
    # The crashed take's row is still RUNNING in the database.
    row_id = service.history.add(
        HistoryEntry(kind=HistoryKind.RECORDING, title="Interview", status=HistoryStatus.RUNNING)
    )
    meta = read_sidecar(crashed)
    meta["item_id"] = row_id
    sidecar_path(crashed).write_text(json.dumps(meta))
    orphan = spool.with_name("orphan.wav")  # a take whose row never made it to the database
    shutil.copyfile(crashed, orphan)
    service.db.close()

    reopened = open_studio(paths, secrets=MemorySecretStore())
    try:
        row = reopened.history.get(row_id)
        assert row is not None and row.status is HistoryStatus.DONE
        assert "recovered" in row.tags and row.duration_s is not None and row.duration_s >= 1.5
        audio_file = row.file("audio")
        assert audio_file is not None and decode(audio_file.path).duration_s >= 1.5
        assert reopened.startup.recovered_rows == 0  # repaired, not "interrupted"
        notices = [n for n in reopened.startup.notices if "was recovered" in n]
        assert len(notices) == 2 and "Interview" in notices[0]
        assert list(paths.recordings_dir.iterdir()) == []
        query = HistoryQuery(kinds=(HistoryKind.RECORDING,))
        titles = [i.title for i in reopened.history.query(query)]
        assert sorted(titles) == ["Interview", "Recovered recording orphan"]  # a row of its own
    finally:
        reopened.db.close()


def test_an_empty_crashed_take_is_cleaned_up(paths: AppPaths, tmp_path: Path) -> None:
    (paths.recordings_dir / "empty.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28))
    (paths.recordings_dir / "empty.json").write_text('{"sample_rate": 48000, "channels": 1}')
    service = open_studio(paths, secrets=MemorySecretStore())
    try:
        assert list(paths.recordings_dir.iterdir()) == []
        assert not [n for n in service.startup.notices if "recovered" in n]
    finally:
        service.db.close()
