"""The History library: make again, delete with undo, queries, usage, upkeep, import/export.

It sits above the features and may use all of them; no feature imports it.
"""

from audio_studio.core.library.maintenance import CleanupReport, DiskUsage, ImportReport
from audio_studio.core.library.service import Deletion, Library

__all__ = ["CleanupReport", "Deletion", "DiskUsage", "ImportReport", "Library"]
