"""GUI stall while narrating 10,000 words: event-loop lateness from a QTimer probe.

The studio window is open (offscreen unless DISPLAY is set) with the Narration tab; a
10,000-word script is pasted and generated through the tab (Jobs dock, chunk list, preview
playing on a fake audio device) against a loopback OpenAI-style server in another process
(``DELAY_S`` to first byte, then about as much audio as a voice would make). A 10 ms
PreciseTimer records how late each tick is; targets: p99 < 16 ms, max < 50 ms.
Usage: python bench/narration_gui_stall.py [WORDS] [DELAY_S]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gui_stall import Probe, report
from narration_server import KEY, SpeechServer

TEXT = (
    "the harbour lay quiet under a pale morning sky while fishing boats came home slowly "
    "and gulls argued over the nets Maria walked along the pier with bread and coffee"
)
WORDS = TEXT.split()


def script(words: int) -> str:
    out, n, sentence = [], 0, []
    while n < words:
        sentence.append(WORDS[(n * 7 + len(out)) % len(WORDS)])
        n += 1
        if len(sentence) == 12:
            out.append(" ".join(sentence).capitalize() + f", number {len(out)}.")
            sentence, n = [], n + 2
    if sentence:
        out.append(" ".join(sentence).capitalize() + ".")
    return "\n\n".join(" ".join(out[i : i + 5]) for i in range(0, len(out), 5))


async def main(words: int, delay_s: float) -> None:
    from audio_studio.core.audio.fake import FakeBackend
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.store.secrets import MemorySecretStore
    from audio_studio.core.studio import open_studio
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as home, SpeechServer(delay_s, 0.06) as base:
        secrets = MemorySecretStore()
        secrets.set("openai", KEY)
        service = open_studio(resolve_paths(Path(home) / "studio"), secrets=secrets)
        service.use_settings(service.settings.with_provider("openai", base_url=base))
        service.audio_backend = FakeBackend(speed=1)
        controller = JobController(service.runner)
        window = MainWindow(service, controller)
        window.resize(1280, 800)
        window.show()
        tab = window.narration
        probe = Probe()
        probe.start()
        await asyncio.sleep(2)
        report("idle window", probe.stop())
        await tab.voice_panel.choose_provider("openai")
        text = script(words)
        probe.start()
        tab.set_script(text, title="Stall bench")
        await tab.sync_script()
        await tab.refresh_preflight()
        report("paste + split + preflight", probe.stop())
        probe.start()
        started = time.perf_counter()
        await tab.generate()
        took = time.perf_counter() - started
        report("narrating (tab)", probe.stop())
        project = tab.vm.project
        done = sum(c.take is not None for c in project.chunks)
        audio = sum(c.take.duration_s for c in project.chunks if c.take) / 60
        print(
            f"{len(text.split()):,} words, {len(project.chunks)} sentences ({done} made, "
            f"{audio:.0f} min of audio) in {took:.1f} s; server {delay_s * 1000:.0f} ms to first "
            f"byte; cores {os.cpu_count()}, load average {os.getloadavg()}"
        )
        print(tab.status.text())
        window.hide()
        controller.detach()
        await service.aclose()


if __name__ == "__main__":
    from PySide6.QtWidgets import QApplication

    from audio_studio.ui.event_loop import gui_event_loop

    words = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    app = QApplication(sys.argv[:1])
    loop = gui_event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(main(words, delay))
    # WORKAROUND: as in gui_stall.py, leave before the interpreter's final collection of Qt
    # objects (it crashed PySide6 at exit); the numbers are printed by then.
    sys.stdout.flush()
    os._exit(0)
