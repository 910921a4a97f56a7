"""Opening a two-hour transcript in the Transcription tab's view: how long set_transcript takes
and how late a 10 ms timer fires while the view opens, scrolls, searches and follows playback.

Moved here from tests/gui/test_transcription_tab.py (timings do not belong in test asserts).
Targets, as the test used to say: open < 0.5 s, worst stall < 250 ms (offscreen, shared CPU).
Usage: python bench/transcript_view.py [HOURS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))


def main(hours: float) -> None:
    from gui_stall import Probe, report
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.store.secrets import MemorySecretStore
    from audio_studio.core.studio import open_studio
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.main_window import MainWindow
    from tests.support.transcription import long_transcript

    app = QApplication.instance() or QApplication([])

    def pump(ms: int) -> None:
        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            QCoreApplication.processEvents()

    with tempfile.TemporaryDirectory() as home:
        service = open_studio(resolve_paths(Path(home)), secrets=MemorySecretStore())
        window = MainWindow(service, JobController(service.runner))
        window.resize(1280, 800)
        window.show()
        window.tabs.setCurrentIndex(1)
        pump(300)
        view = window.transcription.view
        big = long_transcript(hours)
        probe = Probe()
        probe.start()
        started = time.perf_counter()
        view.set_transcript(big)
        opened = time.perf_counter() - started
        pump(300)
        view.find("number 1999.")
        for seconds in range(0, int(hours * 3600), 300):
            view.set_position(float(seconds))
            pump(5)
        view.list.scrollToBottom()
        pump(200)
        view.find("BUDGET")
        pump(100)
        late = probe.stop()
        print(f"{len(big.segments):,} segments opened in {opened:.3f} s (target < 0.5 s)")
        report("transcript view", late)
        window.close()
        service.db.close()
    del app


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
