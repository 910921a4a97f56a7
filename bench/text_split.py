"""Splitting a script of a million characters into sentences (ICU), once: characters per second.

Run: .venv/bin/python bench/text_split.py
Prints the ratio measured in this run; nothing is asserted (timings do not belong in tests).
"""

from __future__ import annotations

import time

from audio_studio.core.text import split_script


def main() -> None:
    scripts = {
        "English": ("This sentence is part of a very long script. " * 10 + "\n\n") * 2300,
        "Japanese": ("これは長い台本の一部です。今日は晴れです！" * 20 + "\n\n") * 1200,
    }
    for name, script in scripts.items():
        started = time.perf_counter()
        plan = split_script(script, max_chars=4096)
        took = time.perf_counter() - started
        print(f"{name}: {len(script):,} characters, {len(plan.chunks):,} chunks in {took:.2f} s "
              f"= {len(script) / took / 1e6:.2f} M characters/s")  # fmt: skip


if __name__ == "__main__":
    main()
