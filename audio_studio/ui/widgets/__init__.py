"""Widgets several tabs share: job list, waveform, player bar, level meter, the needs banner."""
