"""GUI stall while the Transcription tab transcribes a 60-minute file offline, and shows it.

The studio window is open on the Transcription tab (offscreen unless DISPLAY is set); the file
goes in the way a user's drop does (the tab's queue, a job) and the finished transcript is
loaded into the view and History. A 10 ms PreciseTimer records how late each tick is, from the
drop until the transcript is on screen; targets: p99 < 16 ms, max < 50 ms. (bench/gui_stall.py
measures the engine alone with a 10-minute file; this is the whole tab.)
Usage: python bench/transcription_stall.py [MINUTES]
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

from gui_stall import Probe, make_audio, report

from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore


async def main(minutes: float) -> None:
    from audio_studio.core.audio.codec import decode
    from audio_studio.core.audio.fake import FakeBackend
    from audio_studio.core.studio import open_studio
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as home:
        path = make_audio(Path(home), minutes * 60)
        service = open_studio(resolve_paths(Path(home) / "studio"), secrets=MemorySecretStore())
        service.audio_backend = FakeBackend()
        window = MainWindow(service, JobController(service.runner))
        window.resize(1280, 800)
        window.show()
        window.tabs.setCurrentIndex(1)
        tab = window.transcription
        probe = Probe()
        probe.start()
        await asyncio.sleep(3)
        report("idle window", probe.stop())
        probe.start()
        started = time.perf_counter()
        shown = asyncio.Event()
        tab.view.model.modelReset.connect(shown.set)  # the transcript went into the view
        (job,) = tab.flow.add_files([path])
        outcome = await job.result()
        await shown.wait()
        await asyncio.sleep(1.0)  # the view lays out and paints what arrived
        took = time.perf_counter() - started
        report("transcribing in the tab", probe.stop())
        print(
            f"{decode(path).duration_s / 60:.0f} min of audio -> {len(outcome.transcript.segments)}"
            f" segments on screen in {took:.1f} s; cores {os.cpu_count()}, load average "
            f"{os.getloadavg()}"
        )
        window.hide()
        window.controller.detach()
        window.deleteLater()
        await service.aclose()


if __name__ == "__main__":
    from PySide6.QtWidgets import QApplication

    from audio_studio.ui.event_loop import gui_event_loop

    length = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    app = QApplication(sys.argv[:1])
    loop = gui_event_loop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(main(length))
    # WORKAROUND: as in gui_stall.py, leave before the interpreter's final collection of Qt
    # objects (it crashed PySide6 at exit there); the numbers are printed by then.
    sys.stdout.flush()
    os._exit(0)
