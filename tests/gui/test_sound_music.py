"""The Music page against the loopback servers: the job list, remote failure and cancel, the
deadline's "Keep waiting", and jobs a previous run left behind, resumed when the window starts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from audio_studio.core.audio.player import PlayerState
from audio_studio.core.errors import ProviderError, ProviderUnavailableError
from audio_studio.core.models import HistoryStatus, JobStatus, MusicRequest, RemoteJobState
from audio_studio.core.sound.music_board import RowState
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from audio_studio.ui.sound.tab import SoundTab
from tests.support.qt import run
from tests.support.sound import open_sound_studio, use_deadline


def music_page(qtbot, service, provider: str, prompt: str):  # type: ignore[no-untyped-def]
    tab = SoundTab(service.context, service.sound, service.music, JobController(service.runner))
    qtbot.addWidget(tab)
    tab.resize(1100, 800)
    tab.show()
    tab.sub_tabs.setCurrentIndex(1)
    page = tab.music
    page.provider.setCurrentIndex(page.provider.findData(provider))
    page.prompt.setText(prompt)
    return tab, page


def row_of(qloop, page, job_id):  # type: ignore[no-untyped-def]
    run(qloop, page.refresh_jobs())
    return page.jobs.music_row(job_id)


def submitted(service, job_id: str) -> bool:  # type: ignore[no-untyped-def]
    return service.music.jobs.get(job_id) is not None


def test_a_replicate_job_lands_in_history_and_its_row_plays_it(qtbot, qloop, sound_studio) -> None:  # type: ignore[no-untyped-def]
    tab, page = music_page(qtbot, sound_studio, "replicate", "calm piano bed")
    assert not page.lyrics.isEnabled()  # MusicGen sings nothing
    page.duration.setValue(8)
    job = run(qloop, page.generate())
    assert job is not None and job.id.startswith("music-")
    outcome = run(qloop, job.result())
    row = row_of(qloop, page, job.id)
    assert row.state is RowState.DONE and row.status == "Done: in History"
    assert row.provider == "replicate" and row.prompt == "calm piano bed"
    assert row.queue_s == pytest.approx(2.5)  # the prediction's started_at - created_at
    n = page.jobs.row_for(job.id)
    assert page.jobs.item(n, 4).text() == "2 s" and page.jobs.item(n, 3).text().endswith(" s")
    assert set(page.jobs.buttons(job.id)) == {"Play"}
    item = sound_studio.history.get(outcome.item_id)
    assert item.status is HistoryStatus.DONE and item.job_id == job.id
    qtbot.mouseClick(page.jobs.buttons(job.id)["Play"], Qt.MouseButton.LeftButton)
    bar = page.player_bar
    qtbot.waitUntil(lambda: bar.player.state is PlayerState.PLAYING)
    assert bar.waveform.duration == pytest.approx(item.duration_s, abs=0.05)
    run(qloop, bar.stop())
    # ElevenLabs makes music in one long request: no remote job to cancel or resume.
    page.provider.setCurrentIndex(page.provider.findData("elevenlabs"))
    page.duration.setValue(15)
    song = run(qloop, page.generate())
    run(qloop, song.result())
    row = row_of(qloop, page, song.id)
    assert row.state is RowState.DONE and not row.remote and row.provider == "elevenlabs"
    assert set(page.jobs.buttons(song.id)) == {"Play"} and row.item_id is not None
    # open_item from History fills the form and selects the row.
    page.prompt.clear()
    run(qloop, tab.open_item(item))
    assert page.prompt.text() == "calm piano bed" and page.jobs.selected_job() == job.id


def test_failed_and_cancelled_on_the_provider_show_on_their_rows(  # type: ignore[no-untyped-def]
    qtbot, qloop, sound_studio, wire
) -> None:
    _tab, page = music_page(qtbot, sound_studio, "gateway", "synthwave")
    wire.state["gateway_fail"] = True
    failed = run(qloop, page.generate())
    with pytest.raises(ProviderError, match="no GPU"):
        run(qloop, failed.result())
    row = row_of(qloop, page, failed.id)
    assert row.state is RowState.FAILED and "no GPU" in row.status
    assert page.jobs.buttons(failed.id) == {}
    # Cancelled at the provider by someone else (its dashboard): the row says so.
    wire.state.update(gateway_fail=False, polls_to_finish=10**6)
    gone = run(qloop, page.generate())
    qtbot.waitUntil(lambda: submitted(sound_studio, gone.id))
    remote_id = sound_studio.music.jobs.get(gone.id).remote.job_id
    wire.state[f"canceled:{remote_id}"] = True
    with pytest.raises(ProviderError, match="cancelled on"):
        run(qloop, gone.result())
    row = row_of(qloop, page, gone.id)
    assert row.state is RowState.CANCELLED and "cancelled on" in row.status
    assert sound_studio.history.get(row.item_id).status is HistoryStatus.CANCELLED
    # "Cancel on provider" stops it there (the Jobs dock's Cancel only stops waiting).
    running = run(qloop, page.generate())
    qtbot.waitUntil(lambda: submitted(sound_studio, running.id))
    qtbot.waitUntil(lambda: "Cancel on provider" in page.jobs.buttons(running.id))
    assert "Stop waiting" in page.jobs.buttons(running.id)
    qtbot.mouseClick(page.jobs.buttons(running.id)["Cancel on provider"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.jobs.music_row(running.id).state is RowState.CANCELLED)
    assert page.jobs.music_row(running.id).status == "Cancelled from the studio."
    assert len(wire.requests("POST", "/gateway/v1/audio/generate/async/")) == 1  # the cancel
    assert sound_studio.runner.snapshot(running.id).status is JobStatus.CANCELLED
    stored = sound_studio.music.jobs.get(running.id)
    assert stored.remote.state is RemoteJobState.CANCELED


def test_a_job_past_its_deadline_offers_keep_waiting(qtbot, qloop, sound_studio, wire) -> None:  # type: ignore[no-untyped-def]
    _tab, page = music_page(qtbot, sound_studio, "gateway", "slow strings")
    use_deadline(sound_studio, 0.3)
    wire.state["polls_to_finish"] = 10**6
    job = run(qloop, page.generate())
    with pytest.raises(ProviderUnavailableError, match="has not finished"):
        run(qloop, job.result(), timeout=10)  # it stops waiting; it does not hang
    row = row_of(qloop, page, job.id)
    assert row.state is RowState.STOPPED and "not being waited for" in row.status
    assert "has not finished" in row.error  # why, in the Status cell's tooltip
    n = page.jobs.row_for(job.id)
    assert page.jobs.item(n, 2).toolTip() == row.error
    assert set(page.jobs.buttons(job.id)) == {"Keep waiting", "Cancel on provider"}
    assert sound_studio.history.get(row.item_id).status is HistoryStatus.INTERRUPTED
    use_deadline(sound_studio, 5.0)
    wire.state["polls_to_finish"] = 1
    qtbot.mouseClick(page.jobs.buttons(job.id)["Keep waiting"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.jobs.music_row(job.id).state is RowState.DONE, timeout=10000)
    item = sound_studio.history.get(row.item_id)
    assert item.status is HistoryStatus.DONE and item.file() is not None


def test_the_window_resumes_jobs_a_previous_run_left(  # type: ignore[no-untyped-def]
    qtbot, qloop, paths, wire, naps, wire_secrets
) -> None:
    wire.state["polls_to_finish"] = 10**6
    first = open_sound_studio(paths, wire, naps, wire_secrets)
    outcome = run(qloop, first.music.generate(MusicRequest("night drive"), provider_id="gateway",
                                              wait=False))  # fmt: skip
    run(qloop, first.aclose())  # the studio closes with the job still on the gateway
    second = open_sound_studio(paths, wire, naps, wire_secrets)
    assert second.startup.recovered_rows == 0  # the row waits for its job, not "interrupted"
    try:
        window = MainWindow(second, JobController(second.runner))
        qtbot.addWidget(window)
        window.show()
        run(qloop, window.start())
        row = window.jobs.row(outcome.job_id)
        assert row is not None and "night drive" in row.title.text()
        page = window.sound.music
        qtbot.waitUntil(lambda: page.jobs.music_row(outcome.job_id) is not None)
        assert page.jobs.music_row(outcome.job_id).state in (RowState.QUEUED, RowState.RUNNING)
        wire.state["polls_to_finish"] = 1
        qtbot.waitUntil(
            lambda: (
                (r := page.jobs.music_row(outcome.job_id)) is not None and r.state is RowState.DONE
            ),
            timeout=10000,
        )
        assert second.history.get(outcome.item_id).status is HistoryStatus.DONE
        assert "Done" in row.status.text()
    finally:
        run(qloop, second.aclose())
