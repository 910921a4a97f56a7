"""The studio window with a music job submitted from its Music page, as a person would (a driver
for the restart test). Run from the repository root:

    python -m tests.support.sound_app PROVIDER PROMPT KEY

It opens the real window (offscreen is fine) on AUDIO_STUDIO_HOME, stores KEY for PROVIDER in
the keyring, fills the Music page, presses Generate, prints ``SUBMITTED <job id>`` once the
provider has accepted the job, and then waits to be killed.
"""

from __future__ import annotations

import asyncio
import sys


def main() -> int:
    provider, prompt, key = sys.argv[1:4]
    from PySide6.QtWidgets import QApplication

    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.studio import open_studio
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.event_loop import gui_event_loop
    from audio_studio.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    loop = gui_event_loop(app)
    asyncio.set_event_loop(loop)
    service = open_studio(resolve_paths())
    window = MainWindow(service, JobController(service.runner))
    window.show()

    async def submit() -> None:
        await window.start()
        await service.set_api_key(provider, key)
        window.tabs.setCurrentIndex(2)
        page = window.sound.music
        window.sound.sub_tabs.setCurrentWidget(page)
        page.provider.setCurrentIndex(page.provider.findData(provider))
        page.prompt.setText(prompt)
        page.generate_button.click()
        for _ in range(1200):  # the provider accepts it within a minute, or the test fails
            if jobs := await service.music.remote_jobs():
                print("SUBMITTED", jobs[0].id, flush=True)
                break
            await asyncio.sleep(0.05)
        await asyncio.Event().wait()  # until the test kills this process

    with loop:
        loop.run_until_complete(submit())
    return 0


if __name__ == "__main__":
    sys.exit(main())
