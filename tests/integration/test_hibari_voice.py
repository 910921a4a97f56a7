"""hibari, the second offline voice engine, for real: its bundled voice beside Piper's Joe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import decode
from audio_studio.core.errors import ConfigurationError, InputError
from audio_studio.core.models import AudioFormat, Capability, SpeechRequest, TranscriptionRequest
from audio_studio.core.providers.local.models import installed_models
from audio_studio.core.providers.local.provider import LocalProvider
from tests.support.offline import PARAGRAPH, wer

pytestmark = pytest.mark.slow


async def local(service) -> LocalProvider:  # type: ignore[no-untyped-def]
    provider: LocalProvider = await service.context.provider("local", Capability.SPEECH)
    return provider


async def test_heart_speaks_words_whisper_can_read_back(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    voices = {v.id: v for v in await provider.list_voices()}
    assert {"en_US-joe-medium", "hibari-heart"} <= set(voices)
    assert "US English" in voices["hibari-heart"].name
    models = {m.id for m in await provider.list_models()}
    assert {"piper", "hibari"} <= models
    speech = await provider.synthesize(
        SpeechRequest(text=PARAGRAPH, voice="hibari-heart", format=AudioFormat.WAV)
    )
    assert speech.model == "hibari" and speech.params["voice"] == "hibari-heart"
    assert speech.sample_rate == 24_000 and speech.duration_s and 12 < speech.duration_s < 35
    audio = tmp_path / "heart.wav"
    audio.write_bytes(speech.data)
    transcript = await provider.transcribe(TranscriptionRequest(audio=audio))
    assert wer(PARAGRAPH, transcript.text) <= 0.2, transcript.text


async def test_the_engine_follows_the_voice(service) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    text = "One voice. Then another."
    joe = await provider.synthesize(SpeechRequest(text=text, voice="en_US-joe-medium"))
    heart = await provider.synthesize(SpeechRequest(text=text, voice="hibari-heart"))
    by_model = await provider.synthesize(SpeechRequest(text=text, model="hibari"))
    assert (joe.model, heart.model, by_model.model) == ("piper", "hibari", "hibari")
    assert joe.sample_rate == 22_050 and heart.sample_rate == 24_000
    # A seed gives the same audio twice (hibari has a noise component).
    a = await provider.synthesize(
        SpeechRequest(text=text, voice="hibari-heart", settings={"seed": 3})
    )
    b = await provider.synthesize(
        SpeechRequest(text=text, voice="hibari-heart", settings={"seed": 3})
    )
    assert np.array_equal(decode(a.data).samples, decode(b.data).samples)
    chunks = [c async for c in provider.stream(SpeechRequest(text=text, voice="hibari-heart"))]
    assert [c.text for c in chunks] == ["One voice.", "Then another."]
    assert all(c.format is AudioFormat.PCM and c.sample_rate == 24_000 for c in chunks)


async def test_hibari_voices_are_found_without_importing_hibari(service) -> None:  # type: ignore[no-untyped-def]
    models = installed_models(service.paths.models_dir)
    heart = next(m for m in models if m.id == "hibari-heart")
    assert heart.bundled and heart.engine == "hibari" and heart.config is None
    assert heart.kind is Capability.SPEECH and heart.licence.startswith("Apache-2.0")
    assert all(m.engine == "piper" for m in models if m.id == "en_US-joe-medium")


async def test_bad_requests_say_what_to_do(service) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    with pytest.raises(
        ConfigurationError, match=r"not downloaded yet.*models download hibari-emma"
    ):
        await provider.synthesize(SpeechRequest(text="Hello.", voice="hibari-emma"))
    with pytest.raises(ConfigurationError, match="no hibari voice called 'nobody'"):
        await provider.synthesize(SpeechRequest(text="Hello.", voice="hibari-nobody"))
    with pytest.raises(InputError, match=r"0\.5–2\.0"):
        await provider.synthesize(SpeechRequest(text="Hello.", voice="hibari-heart", speed=3.0))
    with pytest.raises(InputError, match="nothing to say"):
        await provider.synthesize(SpeechRequest(text=" 🙂 ", voice="hibari-heart"))
