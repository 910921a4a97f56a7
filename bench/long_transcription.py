"""A two-hour recording through a loopback OpenAI-compatible provider: 25 MB limit, slow replies.

The server refuses bodies over 25 MiB (413, like OpenAI) and answers each transcription after
a fixed LATENCY (default 2 s). The studio cuts the file at silences, sends the parts with
CONCURRENCY requests at once (default 4) and merges them into History. Printed: the parts,
the wall time, the ideal (ceil(parts / concurrency) × latency: the time if cutting, encoding,
merging and storing were free) and their ratio (target ≤ 1.2), plus the time to cut and
encode the whole file alone, for context.
Usage: python bench/long_transcription.py [SOURCE] [LATENCY_S] [CONCURRENCY]
SOURCE: wav16 (16 kHz mono WAV, default), wav48 (48 kHz stereo WAV) or mp3 (44.1 kHz MP3).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

JFK = Path(__file__).resolve().parents[1] / "tests" / "data" / "jfk.flac"
LIMIT = 26_214_400
KEY = "sk-bench-0123456789abcdef"
HOURS = 2.0


class _Transcriptions(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    latency = 2.0
    sizes: list[int] = []  # noqa: RUF012 - shared by the handler threads on purpose

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if length > LIMIT:
            said = f"Maximum content size limit ({LIMIT}) exceeded ({length} bytes read)"
            body = json.dumps({"error": {"message": said, "type": "server_error"}})
            status = 413
        else:
            _Transcriptions.sizes.append(length)
            time.sleep(self.latency)
            body = json.dumps({"text": "hello", "language": "english", "duration": 1.0,
                               "words": [{"word": "hello", "start": 0.5, "end": 0.9}],
                               "segments": [{"id": 0, "start": 0.5, "end": 0.9, "text": "hello",
                                             "avg_logprob": -0.1}]})  # fmt: skip
            status = 200
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def make_audio(folder: Path, kind: str) -> Path:
    """Two hours of jfk.flac with quiet between repeats, written a minute at a time."""
    import soundfile as sf

    from audio_studio.core.audio.codec import AudioData, decode, encode
    from audio_studio.core.models import AudioFormat

    rate = {"wav16": 16_000, "wav48": 48_000, "mp3": 44_100}[kind]
    channels = 2 if kind == "wav48" else 1
    speech = decode(JFK, sample_rate=rate, mono=True).samples[:, 0]
    piece = np.concatenate([speech, np.zeros(rate * 2, np.float32)])
    minute = np.resize(piece, rate * 60)
    block = np.repeat(minute[:, None], channels, axis=1)
    path = folder / ("long.mp3" if kind == "mp3" else "long.wav")
    minutes = int(HOURS * 60)
    if kind == "mp3":
        whole = np.concatenate([block] * minutes)
        path.write_bytes(encode(AudioData(whole, rate), AudioFormat.MP3))
        return path
    with sf.SoundFile(path, "w", rate, channels, "PCM_16") as out:
        for _ in range(minutes):
            out.write(block)
    return path


def cut_alone(path: Path) -> tuple[float, int]:
    from audio_studio.core.audio.chunker import iter_chunks

    started = time.perf_counter()
    n = sum(1 for _ in iter_chunks(path, max_bytes=LIMIT - 64 * 1024))
    return time.perf_counter() - started, n


async def main(kind: str, latency: float, concurrency: int) -> None:
    from audio_studio.core.models import TranscriptionRequest
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.store.secrets import MemorySecretStore
    from audio_studio.core.studio import open_studio

    _Transcriptions.latency = latency
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Transcriptions)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as home:
        path = make_audio(Path(home), kind)
        size = path.stat().st_size
        alone, _ = await asyncio.to_thread(cut_alone, path)
        secrets = MemorySecretStore()
        secrets.set("openai", KEY)
        service = open_studio(resolve_paths(Path(home) / "studio"), secrets=secrets)
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        service.use_settings(service.settings.with_provider("openai", base_url=url))
        service.runner.set_provider_limit("openai", concurrency)
        request = TranscriptionRequest(audio=path, model="whisper-1")
        started = time.perf_counter()
        outcome = await service.transcription.transcribe(
            request, provider_id="openai", concurrency=concurrency
        )
        wall = time.perf_counter() - started
        parts = outcome.parts
        ideal = math.ceil(parts / concurrency) * latency
        sizes = _Transcriptions.sizes
        print(
            f"{HOURS:.0f} h {kind} ({size / 1e6:.0f} MB) -> {parts} parts, largest "
            f"{max(sizes) / 1e6:.1f} MB (limit {LIMIT / 1e6:.1f} MB), {len(sizes)} requests"
        )
        print(
            f"wall {wall:.2f} s, ideal {ideal:.2f} s ({math.ceil(parts / concurrency)} rounds x "
            f"{latency:g} s at concurrency {concurrency}) -> ratio {wall / ideal:.2f} "
            f"({'OK' if wall / ideal <= 1.2 else 'over target'}); cutting+encoding alone "
            f"{alone:.2f} s"
        )
        print(f"cores {os.cpu_count()}, load average {os.getloadavg()}")
        await service.aclose()
    server.shutdown()


if __name__ == "__main__":
    source = sys.argv[1] if len(sys.argv) > 1 else "wav16"
    lat = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    conc = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    asyncio.run(main(source, lat, conc))
