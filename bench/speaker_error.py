"""Speaker error on the two-voice test: the share of speech time labelled with the wrong speaker.

Piper's Joe and hibari's Heart take eight alternating turns (tests/support/dialogue.py, made
fresh each run: hibari varies a little from run to run). Offline detection
(core/providers/local/speakers) labels the file with the count found automatically and with 2;
each 10 ms of a turn counts as wrong when the speaker detected there is not the one mapped to
that voice (the mapping that makes the fewest errors), and as missed when no speaker is
detected there (mostly the pauses between sentences inside a turn, which the VAD rightly
calls non-speech). Also prints the time detection took as a share of the audio's length.
Usage: python bench/speaker_error.py [RUNS]
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audio_studio.core.providers.local.speakers.detector import detect_speakers
from audio_studio.core.providers.local.worker import shutdown_workers
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import open_studio
from tests.support.dialogue import Turn, make_dialogue

STEP = 0.01


def errors(
    turns: list[Turn], detected: tuple[tuple[float, float, int], ...]
) -> tuple[float, float]:
    """(wrong, missed) shares of the turns' time, under the best voice→speaker mapping."""
    voices = sorted({t.voice for t in turns})
    speakers = sorted({k for *_, k in detected}) or [0]
    best = (1.0, 1.0)
    for chosen in itertools.permutations(speakers + [-1] * len(voices), len(voices)):
        mapping = dict(zip(voices, chosen, strict=True))
        total = wrong = missed = 0
        for turn in turns:
            t = turn.start
            while t < turn.end:
                here = [k for a, b, k in detected if a <= t < b]
                total += 1
                if not here:
                    missed += 1
                elif here[0] != mapping[turn.voice]:
                    wrong += 1
                t += STEP
        if wrong / total < best[0]:
            best = (wrong / total, missed / total)
    return best


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = resolve_paths(Path(folder) / "home")
        paths.ensure()
        studio = open_studio(paths, secrets=MemorySecretStore())
        for run in range(runs):
            audio = Path(folder) / f"dialogue{run}.wav"
            turns = await make_dialogue(studio, audio)
            length = turns[-1].end
            for count in (None, 2):
                started = time.perf_counter()
                found = await detect_speakers(audio, count)
                took = time.perf_counter() - started
                wrong, missed = errors(turns, found.turns)
                print(
                    f"run {run + 1} speakers={count or 'auto'}: found {len(found.prints)}, "
                    f"wrong {wrong:.1%} of speech time, missed {missed:.1%}, "
                    f"detection {took / length:.3f} × real time"
                )
        shutdown_workers()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
