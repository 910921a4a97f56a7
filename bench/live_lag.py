"""Live-text lag: seconds from a word being played to its appearance, median and p95.

A recorder is simulated with the real spool writer (core/audio/spool.py): jfk.flac (or FILE)
is appended 0.1 s at a time, in real time, while core/transcription/live.py transcribes with
the bundled tiny.en in its worker, exactly as during a recording. The word times come from the
same engine run once on the whole file beforehand. A word's lag is the time from the
end of the word in the audio to the moment it first appears in the live text (tentative or
committed), matched in order; words the live text heard differently do not count. Prints
the median and p95 over the run's words, and how many appeared.
Usage: python bench/live_lag.py [FILE] [REPEATS]
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audio_studio.core.audio.codec import decode, resample
from audio_studio.core.audio.spool import WavSpool
from audio_studio.core.models import TranscriptionRequest
from audio_studio.core.providers.local.worker import shutdown_workers
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import open_studio

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


async def main(path: Path, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = resolve_paths(Path(folder) / "home")
        paths.ensure()
        studio = open_studio(paths, secrets=MemorySecretStore())
        rate = 16_000
        one = resample(decode(path).mono(), rate).samples[:, 0]
        gap = np.zeros(rate, np.float32)
        audio = np.concatenate([np.concatenate([one, gap])] * repeats)
        whole = Path(folder) / "whole.wav"
        from audio_studio.core.audio.codec import AudioData, write

        write(AudioData(audio[:, None], rate), whole)
        reference = await studio.transcription.transcribe(
            TranscriptionRequest(audio=whole), provider_id="local"
        )
        words = [(w.end, _norm(w.text)) for s in reference.transcript.segments for w in s.words]
        spool = WavSpool(Path(folder) / "take.wav", rate, 1)
        seen: list[str] = []
        appeared: dict[int, float] = {}
        started = 0.0

        def on_text(committed: str, tentative: str) -> None:
            now = time.perf_counter() - started
            tokens = [_norm(t) for t in f"{committed} {tentative}".split()]
            at = 0
            for i, (_end, word) in enumerate(words):
                # In order, tolerating a word the live text heard differently (skipped).
                ahead = tokens[at : at + 6]
                if word in ahead:
                    at += ahead.index(word) + 1
                    appeared.setdefault(i, now)
            seen[:] = tokens

        live = await studio.transcription.live_text(spool.path, rate, 1, on_text)
        stop = asyncio.Event()
        started = time.perf_counter()
        task = asyncio.ensure_future(live.run(stop))
        block = rate // 10
        for n in range(0, len(audio), block):
            spool.append(audio[n : n + block, None])
            target = (n + block) / rate
            await asyncio.sleep(max(0.0, target - (time.perf_counter() - started)))
        stop.set()
        await task
        spool.close()
        lags = [appeared[i] - words[i][0] for i in sorted(appeared)]
        shutdown_workers()
    if not lags:
        print("no words appeared")
        return
    import jiwer

    said = " ".join(w for _e, w in words)
    final = " ".join(_norm(t) for t in live.text.split())
    print(
        f"{len(lags)} of {len(words)} words appeared live; lag median {np.median(lags):.2f} s, "
        f"p95 {np.percentile(lags, 95):.2f} s ({live.windows} windows transcribed); "
        f"live text vs the whole-file transcript: WER {jiwer.wer(said, final):.2f}"
    )
    print(f"live: {live.text}")


if __name__ == "__main__":
    file = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA / "jfk.flac"
    asyncio.run(main(file, int(sys.argv[2]) if len(sys.argv) > 2 else 3))
