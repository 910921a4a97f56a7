"""A loopback OpenAI-style speech server for the narration benchmarks, in its own process.

POST /v1/audio/speech waits ``delay_s`` before the first byte (the provider's time to first
byte), then sends 24 kHz 16-bit PCM: as base64 SSE deltas for gpt-4o-mini-tts (what the
studio streams) or as raw chunks otherwise. The audio lasts ``seconds_per_char`` per input
character, so a long script makes as much audio as a real voice would. It runs in a separate
process so its threads never compete with the studio's event loop for the GIL. GET /stats gives,
for every request that reused a kept-alive connection, how long that connection sat idle since
its previous reply ended: the client's own time between one reply and its next request.
"""

from __future__ import annotations

import base64
import json
import math
import multiprocessing as mp
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RATE = 24_000
KEY = "sk-bench-0123456789abcdef"
_PIECE = 4096  # bytes of PCM per SSE delta / chunk


def _tone(seconds: float) -> bytes:
    frames = max(1, int(seconds * RATE))
    period = [int(6000 * math.sin(2 * math.pi * 220 * n / RATE)) for n in range(RATE // 220 * 4)]
    reps = frames // len(period) + 1
    return struct.pack(f"<{len(period)}h", *period) * reps


def _serve(conn: Any, delay_s: float, seconds_per_char: float) -> None:
    cache: dict[int, bytes] = {}
    gaps: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        reply_ended: float | None = None  # per connection (one handler per connection)

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.endswith("/stats"):
                body = json.dumps({"gaps_s": gaps}).encode()
                gaps.clear()
            else:
                models = [{"id": "gpt-4o-mini-tts"}, {"id": "tts-1"}]
                body = json.dumps({"data": models}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            if self.reply_ended is not None:
                gaps.append(time.monotonic() - self.reply_ended)
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            frames = int(len(request.get("input", "")) * seconds_per_char * RATE)
            pcm = cache.setdefault(frames, _tone(frames / RATE)[: frames * 2])
            time.sleep(delay_s)
            sse = request.get("stream_format") == "sse"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if sse else "audio/pcm")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for at in range(0, len(pcm), _PIECE):
                piece = pcm[at : at + _PIECE]
                if sse:
                    event = {
                        "type": "speech.audio.delta",
                        "audio": base64.b64encode(piece).decode(),
                    }
                    piece = f"data: {json.dumps(event)}\n\n".encode()
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            if sse:
                done = b'data: {"type": "speech.audio.done"}\n\n'
                self.wfile.write(f"{len(done):x}\r\n".encode() + done + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            self.reply_ended = time.monotonic()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send(f"http://127.0.0.1:{server.server_address[1]}/v1")
    conn.recv()  # until the parent says stop (or goes away)


class SpeechServer:
    """``with SpeechServer(delay_s=0.3) as url:`` — the base URL of a running server."""

    def __init__(self, delay_s: float, seconds_per_char: float = 0.0) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_serve, args=(child, delay_s, seconds_per_char), daemon=True
        )

    def __enter__(self) -> str:
        self._process.start()
        return str(self._conn.recv())

    def __exit__(self, *exc: object) -> None:
        try:
            self._conn.send("stop")
        except OSError:
            pass
        self._process.join(5)
        if self._process.is_alive():
            self._process.terminate()
