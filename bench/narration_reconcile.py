"""Script edits on a long narration: how the time to put a new split in place grows.

A project of N sentences, each with a take, is emptied (every take goes to the removed
sentences) and then given back its text (an undo), and pasted over with other text; the same
for 10 × N. Prints each time and the ratio (10 × N) / N: about 10 means linear (takes are
found by text through an index), about 100 would mean quadratic. Runs on the GUI thread in
the tab, so it must stay well under a frame for ordinary scripts.
Usage: python bench/narration_reconcile.py [N]
"""

from __future__ import annotations

import sys
import time

from audio_studio.core.narration.project import NarrationProject, Take


def _take(text: str, n: int) -> Take:
    return Take(
        id=f"t{n}", path=f"/a/{n}.flac", sha256="0" * 64, format="flac", duration_s=1.0,
        sample_rate=22050, text=text, spoken=text, provider="local",
    )  # fmt: skip


def edits(n: int) -> float:
    """Seconds for: empty the script, paste other text, paste the original back."""
    script = " ".join(f"Sentence number {i} is here." for i in range(n))
    other = " ".join(f"Another line {i} now." for i in range(n))
    project = NarrationProject(script)
    for i, chunk in enumerate(project.chunks):
        chunk.add_take(_take(chunk.text, i))
    started = time.perf_counter()
    for text in ("", other, script):
        project.set_script(text)
    took = time.perf_counter() - started
    assert sum(bool(c.takes) for c in project.chunks) == n  # every take found again
    return took


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    small, large = edits(n), edits(10 * n)
    print(f"{n:,} sentences: {small * 1000:.0f} ms; {10 * n:,}: {large * 1000:.0f} ms")
    print(f"ratio {large / small:.1f} (10 = linear, 100 = quadratic)")


if __name__ == "__main__":
    main()
