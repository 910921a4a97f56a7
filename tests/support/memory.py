"""Long recordings made cheaply, and the peak memory of a process and its children."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import soundfile

from audio_studio.core.audio.codec import decode, resample
from tests.support.offline import JFK


def long_recording(path: Path, hours: float, *, speech_every_s: float = 1800.0) -> Path:
    """A stereo 48 kHz FLAC of ``hours``: digital silence with jfk.flac spoken every
    ``speech_every_s`` (and at the start), written a minute at a time."""
    rate = 48_000
    jfk = resample(decode(JFK).mono(), rate).samples[:, 0]
    total = int(hours * 3600 * rate)
    speech_at = {int(s * rate) for s in np.arange(0.0, hours * 3600 - 12, speech_every_s)}
    with soundfile.SoundFile(str(path), "w", rate, 2, "PCM_16", format="FLAC") as f:
        done = 0
        block = 60 * rate
        while done < total:
            n = min(block, total - done)
            out = np.zeros((n, 2), np.float32)
            for at in speech_at:
                a, b = max(at, done), min(at + len(jfk), done + n)
                if a < b:
                    out[a - done : b - done, 0] = jfk[a - at : b - at]
                    out[a - done : b - done, 1] = 0.8 * jfk[a - at : b - at]
            f.write(out)
            done += n
    return path


def _tree(pid: int) -> list[int]:
    found = [pid]
    for p in found:
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                found += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_tree_rss_mb(
    args: list[str], *, timeout_s: float, env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``args``; the highest summed resident memory of it and its children (MB)."""
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    peak = 0.0
    ends = time.monotonic() + timeout_s
    while process.poll() is None and time.monotonic() < ends:
        peak = max(peak, sum(_rss_mb(p) for p in _tree(process.pid)))
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
    out, err = process.communicate()
    return peak, subprocess.CompletedProcess(args, process.returncode, out, err)
