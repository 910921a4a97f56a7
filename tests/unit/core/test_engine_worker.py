"""The engine worker process: results, events, errors across the process line, crash, cancel."""

from __future__ import annotations

import asyncio

import pytest

from audio_studio.core.errors import InputError, ProviderError, ProviderUnavailableError
from audio_studio.core.providers.local.worker import EngineWorker
from tests.support.offline import process_ended

H = "tests.support.worker_handlers:"


@pytest.fixture
def worker():  # type: ignore[no-untyped-def]
    w = EngineWorker("test", nice=0)
    yield w
    w.stop()


async def test_results_events_and_a_warm_cache(worker: EngineWorker) -> None:
    seen: list[int] = []
    first = await worker.run(H + "echo", {"events": 3}, seen.append)
    assert seen == [0, 1, 2] and first["payload"] == {"events": 3}
    second = await worker.run(H + "echo", {})
    assert second["pid"] == first["pid"] == worker.pid and second["calls"] == 2


async def test_studio_errors_cross_as_themselves_and_the_worker_stays(worker: EngineWorker) -> None:
    with pytest.raises(InputError, match="That input cannot be used") as caught:
        await worker.run(H + "refuse", None)
    assert caught.value.provider == "local"
    pid = worker.pid
    with pytest.raises(ProviderError, match="Slow down") as limited:
        await worker.run(H + "limited", None)
    assert limited.value.retryable  # a ProviderError stand-in keeps the retry hint
    with pytest.raises(RuntimeError, match="KeyError: 'missing'"):
        await worker.run(H + "buggy", None)  # a bug, not a StudioError
    assert worker.pid == pid and worker.alive()


async def test_a_crash_is_reported_and_the_next_call_starts_afresh(worker: EngineWorker) -> None:
    before = (await worker.run(H + "echo", {}))["pid"]
    with pytest.raises(ProviderUnavailableError, match="exit code 3"):
        await worker.run(H + "crash", None)
    assert (await worker.run(H + "echo", {}))["pid"] != before


async def test_cancel_and_early_exit_stop_the_process(worker: EngineWorker) -> None:
    task = asyncio.create_task(worker.run(H + "slow", None))
    await asyncio.sleep(0.5)
    process = worker._proc
    assert process is not None and process.is_alive()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await process_ended(process, 10)  # how fast: bench/engine_cancel.py
    async for kind, value in worker.events(H + "slow", None):
        assert kind == "event" and value == 0
        process = worker._proc
        break
    assert process is not None
    assert await process_ended(process, 2) and not worker.alive()


async def test_an_idle_worker_exits_and_comes_back() -> None:
    worker = EngineWorker("idle", idle_timeout_s=0.2, nice=0)
    first = (await worker.run(H + "echo", {}))["pid"]
    process = worker._proc
    await asyncio.to_thread(process.join, 5)  # nobody else waits for this one: join is safe
    assert process.exitcode == 0  # it left by itself, freeing its memory
    assert (await worker.run(H + "echo", {}))["pid"] != first
    worker.stop()
