"""The PySide6 shell over the core. Qt lives here only."""

from audio_studio.ui import pyside_fix as _pyside_fix  # noqa: F401  (before any Qt call)
