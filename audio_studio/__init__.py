"""Audio Studio: narration, transcription, sound effects and music, online or fully offline."""

__version__ = "0.1.0"
