"""What each shape of speech answer costs: binary, a URL in JSON (a second request), base64.

Through the studio's provider layer against the tests' loopback server (ImaRouter's shape for
the JSON answers, one second of MP3 each time), N runs of each shape alternately in one process:
the median time of ``synthesize`` per shape, its ratio to the binary answer, and the median
time of the "is it audio" check alone (decoding the MP3), which every shape now pays.
Usage: python bench/speech_reply_shapes.py [N]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' loopback server

SHAPES = ("binary", "url", "base64")


async def main(runs: int) -> None:
    os.environ.setdefault("AUDIO_STUDIO_KEYRING", "memory")
    from audio_studio.core.models import AudioFormat, SpeechRequest
    from audio_studio.core.providers.outputs import check_audio
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.store.secrets import MemorySecretStore
    from audio_studio.core.studio import open_studio
    from tests.servers.audio import mp3_bytes
    from tests.servers.studio_wire import base_urls, build_server

    server = build_server().start()
    secrets = MemorySecretStore()
    secrets.set("imarouter", "ima-bench-0123456789abcdef")
    studio = open_studio(resolve_paths(Path(tempfile.mkdtemp(prefix="bench-shapes-"))),
                         secrets=secrets)  # fmt: skip
    url = base_urls(server)["imarouter"]
    studio.use_settings(studio.settings.with_provider("imarouter", base_url=url))
    provider = await studio.context.provider("imarouter")
    request = SpeechRequest("Hello there.", format=AudioFormat.MP3)
    times: dict[str, list[float]] = {s: [] for s in SHAPES}
    try:
        for shape in SHAPES:  # warm the connection and the codec once per shape
            server.state["ima_speech"] = shape
            await provider.synthesize(request)
        for _ in range(runs):
            for shape in SHAPES:
                server.state["ima_speech"] = shape
                started = time.perf_counter()
                result = await provider.synthesize(request)
                times[shape].append((time.perf_counter() - started) * 1000)
                assert result.data == mp3_bytes()
        checks = []
        for _ in range(runs):
            started = time.perf_counter()
            check_audio(mp3_bytes(), AudioFormat.MP3, name="bench")
            checks.append((time.perf_counter() - started) * 1000)
    finally:
        await studio.aclose()
        server.stop()
    base = statistics.median(times["binary"])
    print(f"runs: {runs} each, 1 s of MP3 per answer, load avg "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    for shape in SHAPES:
        median = statistics.median(times[shape])
        print(f"{shape:7}: median {median:7.2f} ms  ×{median / base:.2f} of binary")
    print(f"audio check alone: median {statistics.median(checks):.2f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
