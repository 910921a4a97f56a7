"""The Sound tab: effects.py (variations grid, audition, packs) and music.py (music jobs)."""
