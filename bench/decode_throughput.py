"""Decode throughput per format, × real time, whole-file and streamed.

Encodes 5 minutes of 44.1 kHz stereo speech-like audio into every format the studio reads
(with the studio's own encoder), then decodes each three times with codec.decode and with
reading.iter_blocks and prints the best × real time, plus 16 kHz mono for speech to text.
Usage: python bench/decode_throughput.py [--minutes 5]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from audio_studio.core.audio.codec import AudioData, decode, encode
from audio_studio.core.audio.reading import iter_blocks
from audio_studio.core.models import AudioFormat

RATE = 44100
FORMATS = (
    AudioFormat.WAV,
    AudioFormat.FLAC,
    AudioFormat.MP3,
    AudioFormat.OGG,
    AudioFormat.OPUS,
    AudioFormat.M4A,
    AudioFormat.AAC,
    AudioFormat.WEBM,
)


def speechlike(seconds: float) -> AudioData:
    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = (np.sin(2 * np.pi * 0.7 * t) > -0.2) * (0.3 + 0.2 * np.sin(2 * np.pi * 3 * t))
    voice = np.sin(2 * np.pi * (140 + 40 * np.sin(2 * np.pi * 0.5 * t)) * t)
    left = (voice * 0.6 + rng.normal(0, 0.1, len(t))) * envelope
    right = np.roll(left, 200) * 0.8
    return AudioData(np.stack([left, right], axis=1).astype(np.float32), RATE)


def best_of(fn: object, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5)
    args = parser.parse_args()
    audio = speechlike(args.minutes * 60)
    seconds = audio.duration_s
    load = os.getloadavg()
    print(f"decode {args.minutes:.0f} min of 44.1 kHz stereo; load {load[0]:.2f}")
    print(f"  {'format':<6} {'MiB':>6} {'encode':>8} {'decode':>9} {'streamed':>9} {'16k mono':>9}")
    with tempfile.TemporaryDirectory(prefix="bench-decode-") as folder:
        for fmt in FORMATS:
            path = Path(folder) / f"speech.{fmt.extension}"
            start = time.perf_counter()
            path.write_bytes(encode(audio, fmt))
            encoded = time.perf_counter() - start
            whole = best_of(lambda p=path: decode(p))
            streamed = best_of(lambda p=path: sum(b.frames for b in iter_blocks(p)))
            speech = best_of(lambda p=path: decode(p, sample_rate=16000, mono=True))
            print(
                f"  {fmt.value:<6} {path.stat().st_size / 2**20:6.1f} "
                f"{seconds / encoded:7.0f}× {seconds / whole:8.0f}× {seconds / streamed:8.0f}× "
                f"{seconds / speech:8.0f}×"
            )


if __name__ == "__main__":
    main()
