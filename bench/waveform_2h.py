"""Waveform peaks of a 2-hour file: time and peak memory (target: at most 50 MB for the work).

Writes a 2-hour, 48 kHz mono take (speech-like bursts) as the recorder does (16-bit WAV) and
as FLAC, then summarises each in a fresh process and prints: wall time, × real time, the
process's peak RSS, how far RSS rose above the baseline after imports, and tracemalloc's peak
(numpy's own allocations). A cached second call is timed too.
Usage: python bench/waveform_2h.py [--minutes N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 48000

# One child measures time and RSS; tracemalloc (which itself costs ~100 MB of RSS here) runs
# in a second child so it does not inflate the first one's figures.
CHILD = r"""
import json, sys, time, tracemalloc
from pathlib import Path
from audio_studio.core.audio import waveform
from audio_studio.core.audio.reading import probe

def rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20

path, cache, traced = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
probe(path)  # loads soundfile/PyAV, as a real caller would have
base = rss_mb()
if traced:
    tracemalloc.start()
start = time.perf_counter()
summary = waveform.summary_for(path, cache)
first = time.perf_counter() - start
traced_mb = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent.
peak = next(int(line.split()[1]) for line in open("/proc/self/status")
            if line.startswith("VmHWM")) / 1024
start = time.perf_counter()
waveform.summary_for(path, cache).columns(1920)
cached = time.perf_counter() - start
print(json.dumps({"seconds": first, "cached_s": cached, "base_mb": base, "peak_mb": peak,
                  "traced_mb": traced_mb, "bins": len(summary.mins),
                  "duration": summary.duration_s}))
"""


def speechlike(seconds: float, seed: int) -> np.ndarray:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = (np.sin(2 * np.pi * 0.7 * t + seed) > -0.2) * (0.3 + 0.2 * np.sin(2 * np.pi * 3 * t))
    voice = np.sin(2 * np.pi * (140 + 40 * np.sin(2 * np.pi * 0.5 * t)) * t)
    return ((voice * 0.6 + rng.normal(0, 0.15, len(t))) * envelope).astype(np.float32)


def write_long(path: Path, minutes: float) -> None:
    fmt = "WAV" if path.suffix == ".wav" else "FLAC"
    with sf.SoundFile(path, "w", RATE, 1, "PCM_16", format=fmt) as out:
        for i in range(int(minutes)):
            out.write(speechlike(60.0, i))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=120)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-waveform-"))
    folder.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"waveform of a {args.minutes:.0f}-minute file, 48 kHz mono; load {load[0]:.2f}")
    for ext in ("wav", "flac"):
        path = folder / f"long.{ext}"
        if not path.exists():
            start = time.perf_counter()
            write_long(path, args.minutes)
            print(f"  wrote {path.name}: {path.stat().st_size / 2**20:.0f} MiB "
                  f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        runs = []
        for traced in ("0", "1"):
            cache = folder / f"cache-{ext}-{traced}"  # cold cache for each run
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), str(cache), traced],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout))
        r = {**runs[0], "traced_mb": runs[1]["traced_mb"]}
        print(
            f"  {ext:>4}: {r['seconds']:.2f} s ({r['duration'] / r['seconds']:.0f}× real time), "
            f"cached {r['cached_s'] * 1000:.1f} ms; peak RSS {r['peak_mb']:.0f} MB, "
            f"rise over baseline {r['peak_mb'] - r['base_mb']:.1f} MB, "
            f"tracemalloc peak {r['traced_mb']:.1f} MB; {r['bins']} bins"
        )
    if args.keep is None:
        for item in sorted(folder.rglob("*"), reverse=True):
            item.unlink() if item.is_file() else item.rmdir()
        folder.rmdir()


if __name__ == "__main__":
    main()
