"""Render the studio's SVG icon to the PNG sizes, .ico and .icns that desktops and installers need.

Usage: python scripts/make_icons.py   (writes into resources/icons/; commit the result)
The SVG in resources/icons/ is the source; audio_studio/ui/assets/ carries a copy for the
running app (a test checks the two are identical).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
APP_ID = "io.github.audiostudio.AudioStudio"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / f"{APP_ID}.svg"))
    images = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        folder = ICONS / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        image.save(str(folder / f"{APP_ID}.png"))
        images[size] = image
    images[256].save(str(ICONS / "audio-studio.ico"))
    images[512].save(str(ICONS / "audio-studio.icns"))
    del app
    print(f"icons written to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
