"""Time to first audio byte: through the studio's provider layer vs raw httpx, same loopback server.

The server waits a fixed 200 ms before the first byte, then streams chunked audio. Both paths
run alternately N times in one process on one warm connection each, and the medians and their
difference are printed (target: the studio adds ≤ 10 ms).
Usage: python bench/provider_overhead.py [N]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIRST_BYTE_DELAY_S = 0.2
CHUNK = b"\x00\x01" * 2048
KEY = "sk-bench-0123456789abcdef"


class _Speech(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(FIRST_BYTE_DELAY_S)
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(8):
            self.wfile.write(f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


def start_server() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Speech)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1"


async def run(n: int) -> None:
    import httpx

    from audio_studio.core.models import AudioFormat, SpeechRequest
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.store.secrets import MemorySecretStore
    from audio_studio.core.studio import open_studio

    server, base = start_server()
    home = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    secrets = MemorySecretStore()
    secrets.set("openai", KEY)
    service = await asyncio.to_thread(open_studio, resolve_paths(home), secrets=secrets)
    service.use_settings(service.settings.with_provider("openai", base_url=base))
    provider = await service.context.provider("openai")
    request = SpeechRequest("Hello there.", model="tts-1", format=AudioFormat.MP3)
    body = provider.speech_body(request)
    raw = httpx.AsyncClient(timeout=30)

    # Both read the whole reply (so each keeps one warm connection) and note the first chunk.
    async def raw_ttfb() -> float:
        start, first = time.perf_counter(), 0.0
        async with raw.stream(
            "POST", f"{base}/audio/speech", json=body, headers={"Authorization": f"Bearer {KEY}"}
        ) as reply:
            async for _chunk in reply.aiter_bytes():
                first = first or time.perf_counter() - start
        return first

    async def studio_ttfb() -> float:
        start, first = time.perf_counter(), 0.0
        async with contextlib.aclosing(provider.stream(request)) as chunks:
            async for _chunk in chunks:
                first = first or time.perf_counter() - start
        return first

    await raw_ttfb()  # warm both connections
    await studio_ttfb()
    raws, studios = [], []
    for _ in range(n):
        raws.append(await raw_ttfb())
        studios.append(await studio_ttfb())
    await raw.aclose()
    await service.aclose()
    server.shutdown()
    r_med, s_med = statistics.median(raws) * 1000, statistics.median(studios) * 1000
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"runs: {n} each, first-byte delay {FIRST_BYTE_DELAY_S * 1000:.0f} ms, load avg {load}")
    for label, med, values in (("raw httpx", r_med, raws), ("studio", s_med, studios)):
        low, high = min(values) * 1000, max(values) * 1000
        print(f"{label:<10}: median {med:7.2f} ms  (min {low:.2f}, max {high:.2f})")
    verdict = "ok" if s_med - r_med <= 10 else "over target"
    print(f"difference: {s_med - r_med:+.2f} ms median (target ≤ 10 ms: {verdict})")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    asyncio.run(run(n))


if __name__ == "__main__":
    main()
