"""Watch folders against the loopback server: complete files only, once, copies skipped, a corrupt
file reported and the watch going on; the command as a user runs it, stopped with Ctrl+C."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from audio_studio.core.models import HistoryKind
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.studio import Studio
from audio_studio.core.subtitles import read_srt
from audio_studio.core.transcription.watch import FolderWatcher, WatchEvent, WatchEventKind
from tests.servers import stt_wire
from tests.servers.base import WireServer
from tests.support.transcription import clip_file
from tests.support.wire import KEYS

pytestmark = pytest.mark.slow


async def until(condition: object, wait_s: float = 120.0) -> None:
    for _ in range(int(wait_s / 0.1)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


def write_slowly(source: Path, target: Path, pieces: int, pause_s: float) -> float:
    """Copy ``source`` to ``target`` a piece at a time; returns when the last byte was written."""
    data = source.read_bytes()
    step = len(data) // pieces + 1
    with target.open("wb") as out:
        for n in range(0, len(data), step):
            out.write(data[n : n + step])
            out.flush()
            os.fsync(out.fileno())
            time.sleep(pause_s)
    return time.monotonic()


async def test_a_folder_is_served_once_per_file_when_complete(
    bursts_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    made = clip_file(tmp_path / "made.wav", 40, seed=3)
    events: list[tuple[float, WatchEvent]] = []
    watcher = FolderWatcher(
        bursts_studio.context, bursts_studio.transcription, [inbox], output=out,
        formats=("txt", "srt"), provider_id="openai",
        on_event=lambda e: events.append((time.monotonic(), e)), poll_s=0.1, settle_s=1.5,
    )  # fmt: skip
    task = asyncio.create_task(watcher.run())
    try:
        # Written over about 2.5 s, with pauses shorter than the settle time.
        finished = await asyncio.to_thread(
            write_slowly, made.path, inbox / "interview.wav", 12, 0.2
        )

        def kinds(name: str) -> list[WatchEventKind]:
            return [e.kind for _, e in events if e.path.name == name]

        await until(lambda: WatchEventKind.DONE in kinds("interview.wav"))
        started = next(t for t, e in events if e.kind is WatchEventKind.STARTED)
        assert started >= finished  # never while the file was still growing
        srt = read_srt((out / "interview.srt").read_text())
        said = " ".join(s.text for s in srt.segments).split()
        assert said == ["speech"] * len(made.clips)  # the whole file, every clip
        assert (out / "interview.txt").read_text().split() == ["speech"] * len(made.clips)

        # The same content under another name is skipped; a corrupt file gets one event.
        shutil.copyfile(made.path, inbox / "interview copy.wav")
        (inbox / "broken.mp3").write_bytes(b"ID3" + bytes(range(256)) * 50)
        await until(lambda: kinds("interview copy.wav")[-1:] == [WatchEventKind.SKIPPED])
        await until(lambda: kinds("broken.mp3")[-1:] == [WatchEventKind.FAILED])
        failed = [e for _, e in events if e.kind is WatchEventKind.FAILED]
        assert len(failed) == 1 and "broken.mp3" in failed[0].message
        # ... and the watch goes on.
        other = clip_file(tmp_path / "other.wav", 12, seed=9)
        shutil.copyfile(other.path, inbox / "memo.wav")
        await until(lambda: WatchEventKind.DONE in kinds("memo.wav"))
        await asyncio.sleep(watcher.settle_s + 0.5)  # nothing is done twice, nothing retried
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert kinds("interview.wav").count(WatchEventKind.DONE) == 1
    assert kinds("broken.mp3").count(WatchEventKind.FAILED) == 1
    assert len(wire.requests("POST", f"{stt_wire.PREFIX}/audio/transcriptions")) == 2
    rows = bursts_studio.history.query(HistoryQuery(kinds=(HistoryKind.TRANSCRIPT,)))
    assert sorted(r.title for r in rows) == ["interview.wav", "memo.wav"]
    jobs = [j for j in bursts_studio.runner.jobs() if j.title.startswith("Watch: ")]
    assert len(jobs) == 3 and sum(j.error is not None for j in jobs) == 1  # the broken one


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as for a job a script starts with &


@pytest.mark.parametrize(
    ("stop", "start"), [(signal.SIGINT, _ignore_sigint), (signal.SIGTERM, None)],
    ids=["ctrl-c, even when the parent ignores it", "sigterm"],
)  # fmt: skip
def test_the_watch_command_runs_until_stopped(
    wire: WireServer, tmp_path: Path, stop: signal.Signals, start: Callable[[], None] | None
) -> None:
    inbox, out, home = tmp_path / "in", tmp_path / "out", tmp_path / "home"
    inbox.mkdir()
    env = {**os.environ, "OPENAI_API_KEY": KEYS["openai"]}
    url = f"{wire.url}{stt_wire.PREFIX}"
    process = subprocess.Popen(
        [sys.executable, "-m", "audio_studio", "--home", str(home), "watch", str(inbox),
         "-o", str(out), "--format", "txt", "vtt", "--provider", "openai", "--base-url", url],
        stderr=subprocess.PIPE, text=True, env=env, preexec_fn=start,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(process.stderr.readline, "")),  # type: ignore[union-attr]
        daemon=True,  # a watch that never stops must not keep pytest from ending
    )
    reader.start()
    try:
        made = clip_file(tmp_path / "call.wav", 15, seed=4)
        shutil.copyfile(made.path, inbox / "call.wav")
        (inbox / "notes.txt").write_text("not audio: never looked at")
        deadline = time.monotonic() + 120
        while not (out / "call.vtt").exists():
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
        assert (out / "call.txt").read_text().split() == ["speech"] * len(made.clips)
    finally:
        process.send_signal(stop)
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        reader.join(timeout=10)
        process.stderr.close()  # type: ignore[union-attr]
    text = "".join(lines)
    assert "Watching" in text and "call.wav: done" in text and "notes.txt" not in text
    assert "Stopped watching." in text and code == 130
