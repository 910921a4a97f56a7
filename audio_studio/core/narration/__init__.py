"""Narration: scripts to audio, sentence by sentence, with takes, cache, preview and export.

A newcomer starts at service.py (NarrationService, what the tab and the CLI call); project.py
holds the script's chunks and takes, run.py and synth.py make them, export.py joins them.
Books: documents/ reads files into chapters, chapters.py opens them as projects (book.py keeps
their marks), normalize.py says numbers in words, audiobook.py and book_export.py write M4Bs
and chapter folders with captions (book_captions.py), voiceover.py lays subtitles on cues.
"""

from audio_studio.core.narration.export import ExportOutcome
from audio_studio.core.narration.plan import GenerationReport, NarrationPlan
from audio_studio.core.narration.project import Chunk, ChunkStatus, NarrationProject, Take
from audio_studio.core.narration.service import NarrationService
from audio_studio.core.narration.speech import SpeechOutcome

__all__ = [
    "Chunk",
    "ChunkStatus",
    "ExportOutcome",
    "GenerationReport",
    "NarrationPlan",
    "NarrationProject",
    "NarrationService",
    "SpeechOutcome",
    "Take",
]
