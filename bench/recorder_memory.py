"""Recorder memory over 60 minutes of input, fed fast by the fake backend (target: RSS +20 MB).

The fake microphone replays speech (jfk.flac) at ``--speed`` times real time into a real
Recorder writing its WAV spool; RSS is sampled every 0.25 s. Prints the RSS before, the peak
rise, the rise at the end, the wall time, and the overflow/drop counts (there should be none:
the writer keeps up, nothing is lost).
Usage: python bench/recorder_memory.py [--minutes 60] [--speed 150]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

from audio_studio.core.audio.codec import decode
from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.audio.recorder import Recorder

SHARED = Path(__file__).resolve().parents[1] / "tests" / "data"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--speed", type=float, default=150)
    args = parser.parse_args()
    speech = decode(SHARED / "jfk.flac", sample_rate=48000, mono=True)
    seconds = args.minutes * 60
    backend = FakeBackend(speech, speed=args.speed, input_seconds=seconds, block_frames=960)
    with tempfile.TemporaryDirectory(prefix="bench-rec-") as folder:
        recorder = Recorder(backend, Path(folder) / "take.wav", sample_rate=48000)
        samples: list[float] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                samples.append(rss_mb())

        base = rss_mb()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        recorder.start()
        while recorder.levels().seconds + recorder.levels().dropped_s < seconds - 0.05:
            time.sleep(0.1)
            recorder.levels()  # the meter polls too, as the UI would
        take = recorder.stop()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        end = rss_mb()
        size = take.path.stat().st_size / 2**20
    load = os.getloadavg()
    print(
        f"recorder, {args.minutes:.0f} min of 48 kHz mono input at {args.speed:.0f}× "
        f"real time (load {load[0]:.2f})"
    )
    print(
        f"  wall {wall:.1f} s; take {take.duration_s / 60:.1f} min, {size:.0f} MiB on disk; "
        f"overflows {take.overflows}, dropped {take.dropped_frames / 48000:.2f} s"
    )
    print(
        f"  RSS before {base:.1f} MB; peak rise {max(samples, default=end) - base:+.1f} MB; "
        f"rise at the end {end - base:+.1f} MB"
    )


if __name__ == "__main__":
    main()
