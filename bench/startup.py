"""Start-up time: process start to main window shown, the studio vs a bare PySide6 window.

Runs both alternately N times in one run and prints the medians and their ratio (target ≤ 1.5).
It also prints when the studio is ready (service open, tabs attached, loop running).
Usage: python bench/startup.py [N]   (offscreen unless DISPLAY is set)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setWindowTitle("bare"); tabs = QTabWidget()
for name in ("a", "b", "c", "d"):
    tabs.addTab(QWidget(), name)
w.setCentralWidget(tabs); w.resize(1180, 760); w.show()
print("AUDIO_STUDIO_SHOWN", flush=True)
"""


def time_to_shown(cmd: list[str], env: dict[str, str], ready: list[float] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    elapsed = time.perf_counter() - start
    if ready is not None and proc.stdout.readline().strip() == "AUDIO_STUDIO_READY":
        ready.append(time.perf_counter() - start)
    proc.terminate()
    proc.wait(10)
    proc.stdout.close()
    if line != "AUDIO_STUDIO_SHOWN":
        raise SystemExit(f"{cmd} did not show a window")
    return elapsed


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    env = {**os.environ, "AUDIO_STUDIO_ANNOUNCE_SHOWN": "1", "AUDIO_STUDIO_KEYRING": "memory"}
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    bare_times: list[float] = []
    studio_times: list[float] = []
    ready_times: list[float] = []
    with tempfile.TemporaryDirectory() as home:
        env["AUDIO_STUDIO_HOME"] = home
        time_to_shown([sys.executable, "-m", "audio_studio"], env)  # first run creates the DB
        for _ in range(runs):
            bare_times.append(time_to_shown([sys.executable, "-c", BARE], env))
            studio_times.append(
                time_to_shown([sys.executable, "-m", "audio_studio"], env, ready_times)
            )
    bare = statistics.median(bare_times)
    studio = statistics.median(studio_times)
    print(f"bare PySide6 window: median {bare * 1000:.0f} ms over {runs} runs")
    print(f"Audio Studio:        median {studio * 1000:.0f} ms over {runs} runs")
    print(f"ratio studio / bare: {studio / bare:.2f} (target <= 1.5)")
    if ready_times:
        ready = statistics.median(ready_times)
        print(
            f"Audio Studio ready (History open, tabs attached, loop running): median "
            f"{ready * 1000:.0f} ms; ratio to bare {ready / bare:.2f}"
        )


if __name__ == "__main__":
    main()
