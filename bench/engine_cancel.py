"""Cancel to process exit for the offline engines' worker: how long a Cancel takes to free
the CPU and the model's memory. Moved from tests/unit/core/test_engine_worker.py and
tests/integration/test_offline_engines.py (timings do not belong in test asserts).
Target: < 1 s. Usage: python bench/engine_cancel.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from multiprocessing.connection import wait
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def one_round() -> float:
    from audio_studio.core.providers.local.worker import EngineWorker

    worker = EngineWorker("bench", nice=0)
    try:
        task = asyncio.create_task(worker.run("tests.support.worker_handlers:slow", None))
        await asyncio.sleep(0.5)
        process = worker._proc
        assert process is not None
        started = time.perf_counter()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await asyncio.to_thread(wait, [process.sentinel], 10)
        return time.perf_counter() - started
    finally:
        worker.stop()


def main(rounds: int) -> None:
    took = [asyncio.run(one_round()) for _ in range(rounds)]
    print(f"cancel to exit over {rounds} rounds: median {statistics.median(took):.3f} s, "
          f"max {max(took):.3f} s (target < 1 s)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
