"""Sound: effects and their variations, packs of the starred ones, and music jobs.

A newcomer starts at service.py (SoundService, effects) and music.py (MusicService).
"""

from audio_studio.core.sound.effects import SfxOutcome
from audio_studio.core.sound.music import MusicOutcome, MusicService
from audio_studio.core.sound.service import SoundService
from audio_studio.core.sound.variations import EffectSpec, Variation

__all__ = [
    "EffectSpec",
    "MusicOutcome",
    "MusicService",
    "SfxOutcome",
    "SoundService",
    "Variation",
]
