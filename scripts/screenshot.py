"""Take screenshots of the studio window (for the README and for people reviewing a change).

Usage: xvfb-run -a python scripts/screenshot.py OUT.png [TAB] [--settings] [--demo] [--size WxH]
       [--book FILE]
TAB is a tab index (0 Narration, 1 Transcription, 2 Sound, 3 History). It uses a throwaway
data folder unless AUDIO_STUDIO_HOME is set. --demo first does real work with the offline
engines, as a user would (narrates a short script, transcribes tests/data/jfk.flac, makes six
effects), so the picture shows real output; it needs the offline extra. --book opens FILE (an
EPUB, PDF, ...) in the Narration tab and makes its first chapter with the offline voice.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main() -> int:
    out = Path(sys.argv[1])
    tab = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 0
    with_settings = "--settings" in sys.argv
    demo = "--demo" in sys.argv
    size = (1280, 800)
    if "--size" in sys.argv:
        width, height = sys.argv[sys.argv.index("--size") + 1].lower().split("x")
        size = (int(width), int(height))
    os.environ.setdefault("AUDIO_STUDIO_HOME", tempfile.mkdtemp(prefix="studio-shot-"))
    os.environ.setdefault("AUDIO_STUDIO_KEYRING", "memory")

    from PySide6.QtWidgets import QApplication

    from audio_studio.app import ASSETS
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.studio import open_studio
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.event_loop import gui_event_loop
    from audio_studio.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(Path(ASSETS) / "audio-studio.svg")))
    loop = gui_event_loop(app)
    asyncio.set_event_loop(loop)
    service = open_studio(resolve_paths())
    window = MainWindow(service, JobController(service.runner))
    window.resize(*size)

    async def shoot() -> None:
        window.show()
        await window.start()
        if demo:
            await _demo(window)
        if "--book" in sys.argv:
            await _book(window, Path(sys.argv[sys.argv.index("--book") + 1]))
        window.tabs.setCurrentIndex(tab)
        if with_settings:
            dialog = await window.open_settings()
            await asyncio.sleep(0.5)
            dialog.grab().save(str(out.with_name(out.stem + "-settings.png")))
        await asyncio.sleep(0.5)
        window.grab().save(str(out))
        await service.aclose()

    with loop:
        loop.run_until_complete(shoot())
    print(out)
    return 0


SPEECH = Path(__file__).absolute().parents[1] / "tests" / "data" / "jfk.flac"


async def _until(done: Callable[[], bool], seconds: float) -> None:
    for _ in range(int(seconds * 10)):
        if done():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the demo waited {seconds:g} s in vain")


async def _demo(window: Any) -> None:
    """Fill the tabs the way a user would: through their own buttons and queues."""
    narration = window.tab(0)
    narration.editor.insertPlainText(
        "The lighthouse keeper climbed the stairs. The lamp was cold.\n\n"
        "She struck a match [pause 1s] and the sea lit up."
    )
    await asyncio.sleep(1.0)  # the split and preflight follow the typing
    narration.generate_button.click()
    await _until(lambda: not narration.generate_button.isEnabled(), 20)
    await _until(lambda: narration.generate_button.isEnabled(), 120)
    transcription = window.tab(1)
    transcription.flow.add_files([SPEECH])
    await _until(lambda: transcription.flow.item is not None, 120)
    effects = window.tab(2).effects
    effects.variations.setValue(6)
    effects.generate_button.click()
    await asyncio.sleep(4)


async def _book(window: Any, path: Path) -> None:
    """Open a book in the Narration tab, tick its first chapter and make it."""
    narration = window.tab(0)
    await _until(lambda: narration.voice_panel.voice.count() > 0, 30)
    await narration.open_script(path)
    narration.chapters.set_chosen([0])
    await narration.book.generate_ticked()
    narration.chapters.set_chosen(list(range(narration.chapters.tree.topLevelItemCount() - 1)))
    await asyncio.sleep(1.0)


if __name__ == "__main__":
    sys.exit(main())
