"""History at scale: full-text search over 100,000 items, and first paint of 100,000 vs 100 rows.

Usage: python bench/history.py [N]   (N items, 100,000 by default; offscreen Qt)
Prints the median FTS query time (target ≤ 20 ms) and the ratio of the History tab's first
paint with N rows to its first paint with 100 rows, measured in the same run (target ≤ 1.5).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("AUDIO_STUDIO_KEYRING", "memory")

from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio

WORDS = (
    "door",
    "slam",
    "reverb",
    "wooden",
    "heavy",
    "laser",
    "zap",
    "coin",
    "jump",
    "explosion",
    "rain",
    "wind",
    "forest",
    "city",
    "night",
    "meeting",
    "budget",
    "project",
    "launch",
    "customer",
    "quarter",
    "review",
    "design",
    "test",
    "release",
    "ocean",
    "harbour",
    "train",
    "morning",
    "coffee",
    "piano",
    "ambient",
    "calm",
    "bright",
    "dark",
    "warm",
    "cold",
    "voice",
    "story",
    "chapter",
    "narrator",
    "hero",
    "journey",
    "river",
    "mountain",
    "signal",
    "engine",
    "robot",
    "whisper",
    "thunder",
    "market",
    "garden",
)
KINDS = ("sfx", "transcript", "speech", "music", "take", "recording")


def fill(service: Studio, count: int, seed: int = 1) -> float:
    """Insert ``count`` synthetic items in one transaction; returns seconds taken."""
    rng = random.Random(seed)
    started = time.perf_counter()
    rows = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        text = " ".join(rng.choices(WORDS, k=40 if kind == "transcript" else 8))
        rows.append(
            (
                kind,
                " ".join(rng.choices(WORDS, k=3)).capitalize(),
                rng.choice(("local", "openai", "elevenlabs")),
                text if kind in ("speech", "take") else "",
                text if kind in ("sfx", "music") else "",
                text if kind == "transcript" else "",
                f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:{i % 60:02d}+00:00",
            )
        )
    with service.db.transaction() as tx:
        tx.executemany(
            "INSERT INTO items (kind, title, provider, input_text, prompt, transcript, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return time.perf_counter() - started


def fts_times(service: Studio, runs: int = 60) -> tuple[list[float], list[float]]:
    rng = random.Random(7)
    query_ms, count_ms = [], []
    for _ in range(runs):
        words = " ".join(rng.sample(WORDS, rng.choice((1, 2))))
        q = HistoryQuery(search=words, limit=200, top_level_only=False)
        t = time.perf_counter()
        service.history.query(q)
        query_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        service.history.count(q)
        count_ms.append((time.perf_counter() - t) * 1000)
    return query_ms, count_ms


def first_paint_ms(service: Studio, runs: int = 5) -> float:
    """Build the History tab, load its first page and paint it; the median of ``runs``."""
    from PySide6.QtWidgets import QApplication

    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.event_loop import gui_event_loop
    from audio_studio.ui.history.tab import HistoryTab

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = gui_event_loop(app)
    asyncio.set_event_loop(loop)
    times = []

    async def once() -> float:
        started = time.perf_counter()
        tab = HistoryTab(service.context, service.library, JobController(service.runner))
        tab.resize(1100, 700)
        tab.show()
        await tab.refresh()
        tab.grab()  # a real paint of every visible row
        elapsed = (time.perf_counter() - started) * 1000
        if tab.providers_task is not None:
            await tab.providers_task  # finished before the next run is timed
        tab.close()
        tab.deleteLater()
        return elapsed

    with loop:
        for _ in range(runs):
            times.append(loop.run_until_complete(once()))
    return statistics.median(times)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as big_home, tempfile.TemporaryDirectory() as small_home:
        big = open_studio(resolve_paths(Path(big_home)), secrets=MemorySecretStore())
        small = open_studio(resolve_paths(Path(small_home)), secrets=MemorySecretStore())
        print(
            f"filled {count:,} items in {fill(big, count):.1f} s; 100 items in "
            f"{fill(small, 100) * 1000:.0f} ms"
        )
        query_ms, count_ms = fts_times(big)
        print(
            f"FTS search over {count:,} items: median {statistics.median(query_ms):.1f} ms "
            f"(p90 {statistics.quantiles(query_ms, n=10)[-1]:.1f} ms) for a page of 200; "
            f"count median {statistics.median(count_ms):.1f} ms (target median <= 20 ms)"
        )
        small_ms = first_paint_ms(small)
        big_ms = first_paint_ms(big)
        print(
            f"History tab first paint: {big_ms:.0f} ms with {count:,} rows, {small_ms:.0f} ms "
            f"with 100 rows; ratio {big_ms / small_ms:.2f} (target <= 1.5)"
        )
        big.db.close()
        small.db.close()


if __name__ == "__main__":
    main()
