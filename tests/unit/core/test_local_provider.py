"""The `local` provider's face: registration, availability messages, cheap import, text checks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.models import Capability
from audio_studio.core.narration.speech import check_text
from audio_studio.core.providers.local import provider as local
from audio_studio.core.providers.local.piper import has_words, split_sentences
from audio_studio.core.providers.registry import load_builtin_specs


def test_registered_as_local_with_three_capabilities() -> None:
    spec = next(s for s in load_builtin_specs() if s.info.id == "local")
    info = spec.info
    assert info.name == "Offline (this computer)"
    assert info.capabilities == {Capability.SPEECH, Capability.TRANSCRIPTION, Capability.SFX}
    assert not info.needs_key and info.local and info.streams_speech
    assert spec.unavailable(None) is None and spec.unavailable(Capability.SFX) is None


def test_missing_engines_name_the_pip_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    assert local.local_unavailable(Capability.SPEECH) is None  # installed here
    monkeypatch.setattr(local.importlib.util, "find_spec", lambda name: None)
    speech = local.local_unavailable(Capability.SPEECH)
    assert speech is not None and "piper-tts" in speech
    assert "pip install 'audio-studio[offline]'" in speech
    stt = local.local_unavailable(Capability.TRANSCRIPTION)
    assert stt is not None and "faster-whisper" in stt
    assert local.local_unavailable(Capability.SFX) is None  # numpy only
    assert local.local_unavailable(Capability.MUSIC) == "The offline engines cannot do music."


def test_importing_the_provider_loads_no_engine_or_numpy() -> None:
    code = (
        "import sys, audio_studio.core.providers.local.provider\n"
        "heavy = ('numpy', 'piper', 'faster_whisper', 'onnxruntime', 'ctranslate2', 'av')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_sentences_and_words() -> None:
    assert split_sentences("Dr. Smith arrived. He sat down!\nThen: coffee? Yes… 🎉") == [
        "Dr. Smith arrived.",
        "He sat down!",
        "Then: coffee?",
        "Yes… 🎉",  # nothing to say alone: it stays with the sentence before it
    ]
    assert has_words("é") and has_words("42") and not has_words("🎉 … ?!")
    assert check_text("  Hello  ") == "Hello"
    with pytest.raises(InputError, match="text is empty"):
        check_text(" \n\t")
    with pytest.raises(InputError, match="no letters or digits"):
        check_text("🎉🎉")
