"""Reusable widgets: job list, waveform, player bar, level meter."""
