"""Offline speaker detection: a voice encoder (encoder.py) and clustering by voice (diarize.py)."""
