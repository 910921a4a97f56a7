"""Narration's time to first audio vs the provider's time to first byte (loopback, 300 ms TTFB).

A fresh one-paragraph project is generated N times (new words each time, so nothing comes from
the cache) through the whole pipeline: preflight, History row, the chunk's streamed request,
SSE, base64 and PCM decoding, the in-order preview and a Player's growing buffer (on a fake
audio device). "First audio" is the moment the first samples are in the player's buffer,
ready to be heard. The provider's own time to first byte is measured with raw httpx against
the same server. Target: first audio ≤ TTFB + 30 ms.
Usage: python bench/narration_first_audio.py [N] [TTFB_S]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from narration_server import KEY, SpeechServer


async def run(n: int, ttfb_s: float) -> None:
    import httpx

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

    with SpeechServer(delay_s=ttfb_s, seconds_per_char=0.06) as base:
        secrets = MemorySecretStore()
        secrets.set("openai", KEY)
        home = Path(tempfile.mkdtemp(prefix="bench-first-audio-"))
        service = await asyncio.to_thread(open_studio, resolve_paths(home), secrets=secrets)
        service.use_settings(service.settings.with_provider("openai", base_url=base))
        narration = service.narration
        player = Player(FakeBackend(speed=1))
        settings = NarrationSettings(provider="openai", model="gpt-4o-mini-tts", voice="coral")
        raw = httpx.AsyncClient(timeout=30)
        body = {"model": "gpt-4o-mini-tts", "input": "x" * 60, "voice": "coral",
                "response_format": "pcm", "stream_format": "sse"}  # fmt: skip

        async def provider_ttfb() -> float:
            start, first = time.perf_counter(), 0.0
            headers = {"Authorization": f"Bearer {KEY}"}
            async with raw.stream("POST", f"{base}/audio/speech", json=body, headers=headers) as r:
                async for _ in r.aiter_bytes():
                    first = first or time.perf_counter() - start
            return first

        async def studio_first_audio(i: int) -> float:
            script = (
                f"Take {i} begins with a first sentence of ordinary length. Then a second "
                f"one follows it, number {i}. And a third closes the paragraph."
            )
            project = NarrationProject(script, settings=settings, max_chars=4096)
            sink = PlayerSink(player, autoplay=False)
            start = time.perf_counter()
            await narration.generate(project, preview=sink)
            await sink.started()
            assert await asyncio.to_thread(sink.buffered.wait, 5)
            assert sink.first_buffered_at is not None
            return sink.first_buffered_at - start

        await provider_ttfb()
        await studio_first_audio(-1)  # warm connections, imports and the database
        ttfbs, firsts = [], []
        for i in range(n):
            ttfbs.append(await provider_ttfb())
            firsts.append(await studio_first_audio(i))
        await raw.aclose()
        await service.aclose()
    t_med, f_med = statistics.median(ttfbs) * 1000, statistics.median(firsts) * 1000
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"runs: {n}, server first-byte delay {ttfb_s * 1000:.0f} ms, "
          f"cores {os.cpu_count()}, load avg {load}")  # fmt: skip
    for label, values in (("provider TTFB (raw httpx)", ttfbs), ("studio first audio", firsts)):
        ms = [v * 1000 for v in values]
        print(f"{label:<26}: median {statistics.median(ms):7.1f} ms  "
              f"(min {min(ms):.1f}, max {max(ms):.1f})")  # fmt: skip
    over = f_med - t_med
    verdict = "ok" if over <= 30 else "over target"
    print(f"first audio - TTFB: {over:+.1f} ms median (target ≤ +30 ms: {verdict})")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    ttfb = float(sys.argv[2]) if len(sys.argv) > 2 else 0.3
    asyncio.run(run(n, ttfb))


if __name__ == "__main__":
    main()
