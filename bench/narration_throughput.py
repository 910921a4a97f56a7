"""Narration throughput: a 30-paragraph script, the provider at 500 ms per chunk, concurrency 4.

Each paragraph has two sentences, so 60 chunks; each request takes the server 500 ms before
its audio. The ideal wall time with 4 requests in flight is ceil(60 / 4) × 0.5 s = 7.5 s plus
the audio transfer; the ratio wall / ideal is printed (target ≤ 1.1; ≤ 1.03 at 48 chunks, 1 s
TTFB, concurrency 4: `narration_throughput.py 24 1.0 4`). It also prints the studio's own time
between one reply and the next request of the same worker (target < 15 ms), measured by the
server on its kept-alive connections. Runs once without a preview (as the command line does)
and once playing it on a fake audio device (as the tab).
Usage: python bench/narration_throughput.py [PARAGRAPHS] [DELAY_S] [CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from narration_server import KEY, SpeechServer


def script(paragraphs: int, tag: str) -> str:
    return "\n\n".join(
        f"Paragraph {i} of the {tag} run opens with a plain sentence. It closes with sentence "
        f"number {i} of the {tag} run."
        for i in range(1, paragraphs + 1)
    )


async def run(paragraphs: int, delay_s: float, concurrency: int) -> None:
    from audio_studio.core.audio.fake import FakeBackend
    from audio_studio.core.audio.player import Player
    from audio_studio.core.narration.preview import PlayerSink
    from audio_studio.core.narration.project import (
        NarrationProject,
        NarrationSettings,
    )
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.store.secrets import MemorySecretStore
    from audio_studio.core.studio import open_studio

    with SpeechServer(delay_s=delay_s, seconds_per_char=0.06) as base:
        secrets = MemorySecretStore()
        secrets.set("openai", KEY)
        home = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
        service = await asyncio.to_thread(open_studio, resolve_paths(home), secrets=secrets)
        settings = service.settings.with_provider("openai", base_url=base)
        service.use_settings(settings.with_provider("openai", max_concurrency=concurrency))
        service.runner.set_provider_limit("openai", concurrency)
        narration = service.narration
        voice = NarrationSettings(provider="openai", model="gpt-4o-mini-tts", voice="coral")
        warm = NarrationProject("Warm up.", settings=voice, max_chars=4096)
        await narration.generate(warm)
        await asyncio.to_thread(_gaps, base)  # the warm-up is not counted
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"{paragraphs} paragraphs, server {delay_s * 1000:.0f} ms per chunk, "
              f"concurrency {concurrency}, cores {os.cpu_count()}, load avg {load}")  # fmt: skip
        for label, preview in (("no preview (CLI)", False), ("preview playing (tab)", True)):
            tag = "second" if preview else "first"  # same length: the same audio to move
            project = NarrationProject(script(paragraphs, tag), settings=voice, max_chars=4096)
            sink = PlayerSink(Player(FakeBackend(speed=1))) if preview else None
            started = time.perf_counter()
            report = await narration.generate(project, preview=sink, concurrency=concurrency)
            wall = time.perf_counter() - started
            chunks = len(project.chunks)
            ideal = math.ceil(chunks / concurrency) * delay_s
            audio = sum(c.take.duration_s for c in project.chunks if c.take)
            verdict = "ok" if wall / ideal <= 1.1 else "over target"
            calls = [c.take.total_ms or 0 for c in project.chunks if c.take]
            extra = sum(calls) / len(calls) - delay_s * 1000
            print(f"{label:<22}: {chunks} chunks ({audio / 60:.1f} min of audio), "
                  f"{report.made} made, wall {wall:.2f} s, ideal {ideal:.2f} s, "
                  f"ratio {wall / ideal:.3f} (target ≤ 1.1: {verdict}); each call took "
                  f"{extra:.0f} ms beyond the server's wait on average")  # fmt: skip
            gaps = await asyncio.to_thread(_gaps, base)
            if gaps:
                gaps.sort()
                median, p95 = gaps[len(gaps) // 2], gaps[int(len(gaps) * 0.95)]
                print(f"{'':<22}  reply to next request: median {median * 1000:.1f} ms, "
                      f"p95 {p95 * 1000:.1f} ms over {len(gaps)} (target < 15 ms)")  # fmt: skip
            if sink is not None:
                sink.player.close()
        await service.aclose()


def _gaps(base: str) -> list[float]:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{base}/stats", timeout=10) as reply:
        return [float(g) for g in json.loads(reply.read())["gaps_s"]]


def main() -> None:
    paragraphs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    asyncio.run(run(paragraphs, delay, concurrency))


if __name__ == "__main__":
    main()
