"""Take screenshots of the studio window (for the README and for people reviewing a change).

Usage: xvfb-run -a python scripts/screenshot.py OUT.png [TAB] [--settings]
TAB is a tab index (0 Narration, 1 Transcription, 2 Sound, 3 History). It uses a throwaway
data folder unless AUDIO_STUDIO_HOME is set.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path


def main() -> int:
    out = Path(sys.argv[1])
    tab = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 0
    with_settings = "--settings" in sys.argv
    os.environ.setdefault("AUDIO_STUDIO_HOME", tempfile.mkdtemp(prefix="studio-shot-"))
    os.environ.setdefault("AUDIO_STUDIO_KEYRING", "memory")

    import qasync
    from PySide6.QtWidgets import QApplication

    from audio_studio.app import ASSETS
    from audio_studio.core.services.studio import open_studio
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(Path(ASSETS) / "audio-studio.svg")))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    service = open_studio(resolve_paths())
    window = MainWindow(service, JobController(service.runner))

    async def shoot() -> None:
        window.show()
        await window.start()
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


if __name__ == "__main__":
    sys.exit(main())
