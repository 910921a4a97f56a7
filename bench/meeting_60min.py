"""An offline meeting with speakers: wall time (RTF) and peak memory, vs the raw engine alone.

The meeting is the two-voice dialogue (tests/support/dialogue.py: Piper's Joe and hibari's
Heart, eight turns) repeated to MINUTES, written as stereo 48 kHz FLAC. In one run,
``audio-studio transcribe`` is timed twice on it with the bundled tiny.en: without speakers,
and with ``--speakers 2``; the peak resident memory of the studio and its worker together is
sampled every 0.1 s (tests/support/memory.py).
Usage: python bench/meeting_60min.py [MINUTES]   (default 60; several minutes per minute of
audio on two cores)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import soundfile

from audio_studio.core.audio.codec import decode, resample
from audio_studio.core.providers.local.worker import shutdown_workers
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import open_studio
from tests.support.dialogue import make_dialogue
from tests.support.memory import peak_tree_rss_mb


async def meeting(folder: Path, minutes: float) -> Path:
    paths = resolve_paths(folder / "make")
    paths.ensure()
    studio = open_studio(paths, secrets=MemorySecretStore())
    dialogue = folder / "dialogue.wav"
    await make_dialogue(studio, dialogue)
    shutdown_workers()
    piece = resample(decode(dialogue.read_bytes()).mono(), 48_000).samples[:, 0]
    out = folder / "meeting.flac"
    with soundfile.SoundFile(str(out), "w", 48_000, 2, "PCM_16", format="FLAC") as f:
        written = 0
        while written < minutes * 60 * 48_000:
            f.write(np.stack([piece, 0.9 * piece], axis=1))
            written += len(piece)
    return out


def main(minutes: float) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        audio = asyncio.run(meeting(folder, minutes))
        seconds = soundfile.info(str(audio)).duration
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        for label, extra in (("raw engine", []), ("with speakers", ["--speakers", "2"])):
            args = [sys.executable, "-m", "audio_studio", "--home", str(folder / label),
                    "transcribe", str(audio), "--provider", "local", "-o",
                    str(folder / f"{label}.json"), *extra]  # fmt: skip
            started = time.perf_counter()
            peak, run = peak_tree_rss_mb(args, timeout_s=6 * 3600, env=env)
            took = time.perf_counter() - started
            status = "ok" if run.returncode == 0 else f"failed: {run.stderr[-300:]}"
            print(
                f"{label}: {seconds / 60:.1f} min of audio in {took:.0f} s "
                f"(RTF {took / seconds:.3f}), peak {peak:.0f} MB ({status})"
            )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
