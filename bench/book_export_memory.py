"""Exporting a long audiobook: peak memory of the process, and time, vs the book's length.

Builds a book of HOURS hours in chapters of CHAPTER_MIN minutes whose sentences all have takes
(one real 11-second recording of speech, tests/data/jfk.flac, used as every take, so no voice is
needed), then exports it to an M4B with captions as the studio does (or, with --folder, to one
MP3 per chapter): chapter by chapter to FLAC, then AAC. Prints the peak memory (target: < 500 MB
for a 10-hour book, whatever the chapters' length: the export streams) and the wall time per
hour of audio. With no arguments it measures a 10-hour book twice, in 30-minute chapters and in
2-hour chapters, each in a process of its own (peak memory is per process).
Usage: python bench/book_export_memory.py [HOURS [CHAPTER_MIN]] [--folder]
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the code beside this file, not an installed copy


TARGET_MB = 500
SWEEP = ((10.0, 30.0), (10.0, 120.0))  # (hours, chapter minutes): short and long chapters


async def main(hours: float, chapter_min: float, folder: bool) -> None:
    from audio_studio.core.audio.codec import decode
    from audio_studio.core.narration.chapters import project_from_document
    from audio_studio.core.narration.documents import Chapter, Document
    from audio_studio.core.narration.project import Take
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.store.secrets import MemorySecretStore
    from audio_studio.core.studio import open_studio

    speech = ROOT / "tests" / "data" / "jfk.flac"
    clip = decode(speech)
    seconds = clip.frames / clip.sample_rate
    per_chapter = max(1, round(chapter_min * 60 / (seconds + 0.25)))
    chapters = max(1, round(hours * 60 / chapter_min))
    document = Document(
        source="bench", kind="epub", title="A long book", author="Bench",
        chapters=tuple(
            Chapter(f"Chapter {n}", tuple(f"Line {k} of part {n}." for k in range(per_chapter)))
            for n in range(1, chapters + 1)
        ),
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as home:
        service = open_studio(resolve_paths(Path(home)), secrets=MemorySecretStore())
        project = project_from_document(document)
        for i, chunk in enumerate(project.chunks):
            chunk.add_take(Take(
                id=f"t{i}", path=str(speech), sha256="jfk", format="flac", duration_s=seconds,
                sample_rate=clip.sample_rate, text=chunk.text, spoken=project.spoken(chunk),
                provider="local",
            ))  # fmt: skip
        audio_h = len(project.chunks) * (seconds + 0.25) / 3600
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{chapters} chapters of {per_chapter} sentences ({audio_h:.2f} h of audio); "
              f"memory before the export {before:.0f} MB")  # fmt: skip
        started = time.perf_counter()
        target = Path(home) / ("chapters/" if folder else "long.m4b")
        out = await service.narration.export_book(project, target, captions="srt")
        took = time.perf_counter() - started
        await service.aclose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_hour = took / max(audio_h, 1e-9) / 60
    print(f"exported {out.duration_s / 3600:.2f} h ({'MP3 folder' if folder else 'M4B'}) in "
          f"{took:.1f} s ({per_hour:.1f} min per hour of audio); peak memory {peak:.0f} MB "
          f"(target < {TARGET_MB} MB: {'ok' if peak < TARGET_MB else 'over target'})")  # fmt: skip


def sweep() -> None:
    """Each case in a child process, so each peak is its own."""
    for hours, chapter_min in SWEEP:
        print(f"-- {hours:g} h book in {chapter_min:g}-minute chapters", flush=True)
        subprocess.run([sys.executable, __file__, str(hours), str(chapter_min)], check=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--folder"]
    if not args:
        sweep()
    else:
        asyncio.run(
            main(float(args[0]), float(args[1]) if len(args) > 1 else 30.0, "--folder" in sys.argv)
        )
