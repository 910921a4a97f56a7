"""Proof-listening's cost: an offline narration with and without it, wall time and first audio.

A script of N sentences (default 200; new words in each run, so nothing comes from the cache)
is narrated with Piper's Joe, playing the preview on a fake audio device as the tab does, once
without proof-listening and once with it (each take heard by Whisper tiny.en in its own
worker, beside synthesis). Both engines are loaded before anything is timed. Printed: each
run's wall time and time to first audio, the ratio of the wall times (target ≤ 1.3 on two
cores) and whether the first audio came any later (target: no later), and what proof flagged.
Wall time on a shared machine depends on what else runs, so the runs go in the order
without, with, with, without (half the sentences each; the totals are compared) and the CPU
seconds each engine's worker spent are printed too (Linux /proc), with the ratio of CPU the
run needed: what proof-listening costs whatever the load.
Usage: python bench/narration_proof.py [SENTENCES] [CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "harbour", "lantern", "morning", "garden", "river", "window", "kitchen", "market",
    "letter", "station", "island", "meadow", "village", "mountain", "library", "orchard",
)  # fmt: skip


def script(n: int, tag: str) -> str:
    lines = []
    for i in range(n):
        a, b = WORDS[i % len(WORDS)], WORDS[(i * 7 + 3) % len(WORDS)]
        lines.append(f"The {tag} {a} was quiet near the {b} today, sentence {i + 1}.")
    # Paragraphs of five sentences, as a chapter would have.
    return "\n\n".join(" ".join(lines[i : i + 5]) for i in range(0, n, 5))


def cpu_s(name: str) -> float:
    """CPU seconds the engine worker ``name`` has used so far (0 when not running)."""
    from audio_studio.core.providers.local.worker import shared_worker

    pid = shared_worker(name).pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(n: int, concurrency: int) -> None:
    from audio_studio.core.audio.fake import FakeBackend
    from audio_studio.core.audio.player import Player
    from audio_studio.core.narration.preview import PlayerSink
    from audio_studio.core.narration.project import NarrationProject, NarrationSettings
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.store.secrets import MemorySecretStore
    from audio_studio.core.studio import open_studio

    home = Path(tempfile.mkdtemp(prefix="bench-proof-"))
    service = await asyncio.to_thread(open_studio, resolve_paths(home), secrets=MemorySecretStore())
    narration = service.narration
    voice = NarrationSettings(provider="local", voice="en_US-joe-medium")
    warm = NarrationProject("The engines warm up first.", settings=voice)
    await narration.generate(warm, proof=True)  # loads Piper and Whisper: not counted
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{n} sentences offline (Piper Joe), concurrency {concurrency}, "
          f"cores {os.cpu_count()}, load avg {load}")  # fmt: skip
    totals = {False: [0.0, 0.0, 0.0, 0.0], True: [0.0, 0.0, 0.0, 0.0]}  # wall, cpu×2, runs
    first_audio: dict[bool, list[float]] = {False: [], True: []}
    for n_run, proof in enumerate((False, True, True, False)):
        label = "with proof" if proof else "without proof"
        project = NarrationProject(script(n // 2, f"run{n_run}"), settings=voice)
        sink = PlayerSink(Player(FakeBackend(speed=1)))
        voice_cpu, ears_cpu = cpu_s("piper"), cpu_s("whisper")
        started = time.perf_counter()
        report = await narration.generate(
            project, preview=sink, concurrency=concurrency, proof=proof
        )
        wall = time.perf_counter() - started
        voice_cpu, ears_cpu = cpu_s("piper") - voice_cpu, cpu_s("whisper") - ears_cpu
        sink.player.close()
        total = totals[proof]
        total[0] += wall
        total[1] += voice_cpu
        total[2] += ears_cpu
        first_audio[proof].append(report.ttfa_ms or 0.0)
        extra = (
            f"; heard {report.proofed}, remade {report.remade}, still flagged {report.flagged}"
            if proof
            else ""
        )
        print(f"{label:<14}: {len(project.chunks)} sentences, {report.made} made, "
              f"wall {wall:.2f} s, first audio {report.ttfa_ms or 0:.0f} ms{extra}; "
              f"CPU: voice {voice_cpu:.1f} s, recogniser {ears_cpu:.1f} s")  # fmt: skip
    plain, proofed = totals[False], totals[True]
    ratio = proofed[0] / plain[0]
    cpu_ratio = (proofed[1] + proofed[2]) / plain[1]
    print(f"{n} sentences each way: wall {plain[0]:.1f} s without, {proofed[0]:.1f} s with")
    print(f"wall with / without proof: {ratio:.3f} "
          f"(target ≤ 1.3: {'ok' if ratio <= 1.3 else 'over target'}); CPU needed with / "
          f"without: {cpu_ratio:.3f}")  # fmt: skip
    voice_take, ears_take = plain[1] / n, proofed[2] / n
    print(f"CPU per take: voice {voice_take:.3f} s, recogniser {ears_take:.3f} s; when the voice "
          f"alone keeps both cores busy, the wall ratio cannot go below about "
          f"{1 + ears_take / voice_take:.2f}")  # fmt: skip
    later = max(first_audio[True]) - max(first_audio[False])
    print(f"first audio with proof: {later:+.0f} ms against without, slowest of each "
          f"(target: no later; {'ok' if later <= 50 else 'later'})")  # fmt: skip
    await service.aclose()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    asyncio.run(run(n, concurrency))


if __name__ == "__main__":
    main()
