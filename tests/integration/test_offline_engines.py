"""The offline engines for real: Piper and tiny.en in their worker, on real speech.

The worker processes are shared by the session, so each model loads once.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import decode
from audio_studio.core.errors import ConfigurationError, InputError, InvalidRequestError
from audio_studio.core.models import AudioFormat, Capability, SpeechRequest, TranscriptionRequest
from audio_studio.core.providers.local.models import installed_models
from audio_studio.core.providers.local.piper import PiperEngine
from audio_studio.core.providers.local.provider import LocalProvider
from audio_studio.core.providers.local.whisper import EMPTY, NO_SPEECH, SILENT, WhisperEngine
from audio_studio.core.providers.local.worker import shared_worker
from tests.support.offline import (
    JFK,
    JFK_REFERENCE,
    PARAGRAPH,
    empty_wav,
    long_speech,
    process_ended,
    wer,
    write_audio,
)

pytestmark = pytest.mark.slow


async def local(service) -> LocalProvider:  # type: ignore[no-untyped-def]
    provider: LocalProvider = await service.context.provider("local", Capability.SPEECH)
    return provider


async def test_jfk_through_the_bundled_model(service) -> None:  # type: ignore[no-untyped-def]
    progress: list[tuple[float | None, str | None]] = []
    provider = await local(service)
    transcript = await provider.transcribe(
        TranscriptionRequest(audio=JFK), lambda share, message: progress.append((share, message))
    )
    assert wer(JFK_REFERENCE, transcript.text) <= 0.10, transcript.text
    assert transcript.language == "en" and transcript.language_probability == pytest.approx(1.0)
    assert transcript.model == "tiny.en" and transcript.duration_s == pytest.approx(11.0, abs=0.01)
    words = [w for s in transcript.segments for w in s.words]
    assert len(words) >= 20
    starts = [w.start for w in words]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all(0.0 <= w.start < w.end <= 11.0 for w in words)
    assert all(w.confidence is not None and 0 < w.confidence <= 1 for w in words)
    shares = [s for s, _ in progress if s]
    assert shares == sorted(shares) and shares[-1] > 0.9
    assert progress[-1][1] == "0:10 of 0:11"


async def test_sixty_words_through_tts_then_stt(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert len(PARAGRAPH.split()) == 60
    provider = await local(service)
    speech = await provider.synthesize(SpeechRequest(text=PARAGRAPH, format=AudioFormat.WAV))
    audio = tmp_path / "paragraph.wav"
    audio.write_bytes(speech.data)
    assert speech.duration_s and 14 < speech.duration_s < 30
    transcript = await provider.transcribe(TranscriptionRequest(audio=audio))
    assert wer(PARAGRAPH, transcript.text) <= 0.15, transcript.text


async def test_speech_streams_one_sentence_at_a_time(service) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    await provider.synthesize(SpeechRequest(text="Warm up."))  # the voice is loaded
    text = "First a short one. Then a much longer second sentence follows it here! Last?"
    times, chunks = [], []
    started = time.perf_counter()
    async for chunk in provider.stream(SpeechRequest(text=text)):
        times.append(time.perf_counter() - started)
        chunks.append(chunk)
    assert [c.text for c in chunks] == [
        "First a short one.",
        "Then a much longer second sentence follows it here!",
        "Last?",
    ]
    assert all(c.format is AudioFormat.PCM and c.sample_rate == 22_050 for c in chunks)
    assert times[0] < times[-1]  # the first sentence was there before the last was made
    pause = np.frombuffer(chunks[0].data, "<i2")[-int(0.2 * 22_050) :]
    assert not pause.any()  # the sentence pause is silence at the end of the chunk


async def test_speed_and_output_formats(service) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    text = "Speed changes how long this sentence takes to say."
    normal = await provider.synthesize(SpeechRequest(text=text))
    fast = await provider.synthesize(SpeechRequest(text=text, speed=1.6))
    assert normal.duration_s and fast.duration_s
    assert fast.duration_s < 0.8 * normal.duration_s
    for fmt in (AudioFormat.MP3, AudioFormat.FLAC, AudioFormat.OGG):
        result = await provider.synthesize(SpeechRequest(text=text, format=fmt, sample_rate=16_000))
        decoded = decode(result.data)
        assert result.format is fmt and decoded.duration_s == pytest.approx(
            result.duration_s, abs=0.1
        )
    with pytest.raises(InputError, match="Speed"):
        await provider.synthesize(SpeechRequest(text=text, speed=9))


async def test_no_model_installed_says_how_to_get_one(service) -> None:  # type: ignore[no-untyped-def]
    def folder_only(models_dir: Path) -> list:  # type: ignore[type-arg]
        return installed_models(models_dir, bundled=False)

    models_dir = service.paths.models_dir
    piper = PiperEngine(models_dir, shared_worker("piper"), discover=folder_only)
    with pytest.raises(ConfigurationError) as caught:
        await piper.synthesize(SpeechRequest(text="Hello."))
    assert "pip install 'audio-studio[offline]'" in caught.value.message
    assert "audio-studio models download en_US-lessac-medium" in caught.value.message
    whisper = WhisperEngine(models_dir, shared_worker("whisper"), discover=folder_only)
    with pytest.raises(ConfigurationError, match="No offline transcription model is installed"):
        await whisper.transcribe(TranscriptionRequest(audio=JFK))
    with pytest.raises(ConfigurationError, match="Installed: en_US-joe-medium"):
        await (await local(service)).synthesize(SpeechRequest(text="Hi.", voice="nobody"))


async def test_corrupt_models_give_a_clear_error_and_the_studio_keeps_working(service) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    joe = next(m for m in installed_models(service.paths.models_dir) if m.id == "en_US-joe-medium")
    voices = service.paths.models_dir / "piper"
    voices.mkdir(parents=True)
    (voices / "broken.onnx").write_bytes(b"this is not an onnx model" * 100)
    shutil.copy(joe.config, voices / "broken.onnx.json")
    with pytest.raises(ConfigurationError, match="voice broken could not be loaded") as caught:
        await provider.synthesize(SpeechRequest(text="Hello.", voice="broken"))
    assert "audio-studio models remove broken" in caught.value.message
    works = await provider.synthesize(SpeechRequest(text="Still working."))
    assert works.duration_s and works.duration_s > 0.5

    tiny = next(m for m in installed_models(service.paths.models_dir) if m.id == "tiny.en")
    folder = service.paths.models_dir / "whisper" / "small.en"
    folder.mkdir(parents=True)
    shutil.copy(tiny.location / "config.json", folder / "config.json")
    (folder / "model.bin").write_bytes(b"\0garbage" * 1000)
    with pytest.raises(ConfigurationError, match=r"model small\.en could not be loaded"):
        await provider.transcribe(TranscriptionRequest(audio=JFK, model="small.en"))
    transcript = await provider.transcribe(TranscriptionRequest(audio=JFK, model="tiny.en"))
    assert "country" in transcript.text


async def test_silent_and_empty_audio_give_an_empty_transcript_with_a_notice(
    service, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    silent = write_audio(tmp_path / "silent.wav", np.zeros(32_000))
    transcript = await provider.transcribe(TranscriptionRequest(audio=silent))
    assert transcript.segments == () and transcript.notices == (SILENT,)
    assert transcript.duration_s == pytest.approx(2.0)
    empty = empty_wav(tmp_path / "empty.wav")
    transcript = await provider.transcribe(TranscriptionRequest(audio=empty))
    assert transcript.segments == () and transcript.notices == (EMPTY,)
    # Quiet noise is not silence, but there is no speech in it either (VAD on).
    hiss = write_audio(tmp_path / "hiss.wav", np.random.default_rng(1).normal(0, 0.01, 48_000))
    transcript = await provider.transcribe(TranscriptionRequest(audio=hiss, vad=True))
    assert transcript.segments == () and transcript.notices == (NO_SPEECH,)


async def test_text_without_words_is_a_clear_input_error(service) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    for text in ("", "   \n\t ", "😀🎉👍", " ... !!! "):
        with pytest.raises(InputError, match="nothing to say"):
            await provider.synthesize(SpeechRequest(text=text))


async def test_requests_the_engine_cannot_do(service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    with pytest.raises(InvalidRequestError, match="English only"):
        await provider.transcribe(TranscriptionRequest(audio=JFK, language="de"))
    with pytest.raises(InvalidRequestError, match="speakers apart"):
        await provider.transcribe(TranscriptionRequest(audio=JFK, diarize=True))
    with pytest.raises(InputError, match="does not exist"):
        await provider.transcribe(TranscriptionRequest(audio=tmp_path / "missing.wav"))


async def test_cancel_stops_the_engine_within_a_second(service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    provider = await local(service)
    audio = long_speech(tmp_path / "long.flac", repeats=8)  # about a minute and a half
    started = asyncio.Event()

    def progress(share: float | None, message: str | None) -> None:
        if share:
            started.set()

    task = asyncio.create_task(provider.transcribe(TranscriptionRequest(audio=audio), progress))
    await asyncio.wait_for(started.wait(), 60)
    worker = provider.whisper.worker
    process = worker._proc
    assert process is not None and process.is_alive()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await process_ended(process, 10)  # how fast: bench/engine_cancel.py
    # The next request starts a fresh worker.
    again = await provider.transcribe(TranscriptionRequest(audio=JFK))
    assert "country" in again.text and worker.pid != process.pid
