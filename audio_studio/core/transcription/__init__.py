"""Transcription: audio to transcripts in History, long files in parts, corrections, summaries.

A newcomer starts at service.py (TranscriptionService, what the tab and the CLI call).
"""

from audio_studio.core.transcription.edits import RecordingTranscripts
from audio_studio.core.transcription.long import ChunkedTranscription
from audio_studio.core.transcription.service import TranscriptionService
from audio_studio.core.transcription.summary import SummaryOutcome
from audio_studio.core.transcription.transcribe import TranscriptionOutcome

__all__ = [
    "ChunkedTranscription",
    "RecordingTranscripts",
    "SummaryOutcome",
    "TranscriptionOutcome",
    "TranscriptionService",
]
