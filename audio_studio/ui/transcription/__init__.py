"""The Transcription tab: tab.py (widgets), flow.py (its work), the transcript view and queue."""
