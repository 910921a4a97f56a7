"""Speak, transcribe and effects through Studio: History rows with their provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import decode
from audio_studio.core.errors import InputError
from audio_studio.core.jobs.runner import JobContext
from audio_studio.core.models import (
    AudioFormat,
    HistoryKind,
    JobKind,
    SfxRequest,
    SpeechRequest,
    TranscriptionRequest,
)
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.transcription.transcribe import load_transcript
from tests.support.offline import JFK, write_audio

pytestmark = pytest.mark.slow


async def test_speak_keeps_audio_and_provenance(service) -> None:  # type: ignore[no-untyped-def]
    chunks = []
    text = "History keeps every take. It also keeps how it was made."
    outcome = await service.narration.speak(
        SpeechRequest(text=text, speed=1.1, format=AudioFormat.FLAC), on_chunk=chunks.append
    )
    item = outcome.item
    assert len(chunks) == 2 and chunks[0].text == "History keeps every take."
    assert item.kind is HistoryKind.SPEECH and item.provider == "local" and item.model == "piper"
    assert item.voice == "en_US-joe-medium" and item.input_text == text
    assert item.params["speed"] == 1.1 and item.params["format"] == "flac"
    assert item.params["sentences"] == 2
    assert item.usage.characters == len(text)
    assert item.latency.ttfb_ms is not None and item.latency.total_ms is not None
    assert 0 < item.latency.ttfb_ms <= item.latency.total_ms
    audio = item.file("audio")
    assert audio is not None and audio.path == outcome.path and audio.format == "flac"
    decoded = decode(outcome.path)
    assert item.duration_s == pytest.approx(decoded.duration_s, abs=0.05)
    assert decoded.sample_rate == 22_050


async def test_speak_refuses_text_without_words_and_writes_nothing(service) -> None:  # type: ignore[no-untyped-def]
    for text in ("  \n ", "🎉🎉"):
        with pytest.raises(InputError, match="nothing to say"):
            await service.narration.speak(SpeechRequest(text=text))
    assert await service.library.count(HistoryQuery()) == 0


async def test_transcripts_hang_off_one_recording(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reports: list[tuple[float | None, str | None]] = []

    async def work(ctx: JobContext):  # type: ignore[no-untyped-def]
        return await service.transcription.transcribe(
            TranscriptionRequest(audio=JFK), progress=ctx.report
        )

    runner = service.runner
    runner.add_listener(lambda snap, _result: reports.append((snap.progress, snap.message)))
    first = await runner.submit(JobKind.TRANSCRIPTION, "jfk", work).result()
    assert any(p and 0 < p < 1 for p, _ in reports)
    item, recording = first.item, first.recording
    assert recording.kind is HistoryKind.RECORDING and recording.title == "jfk.flac"
    assert recording.duration_s == pytest.approx(11.0, abs=0.01)
    stored = recording.file("audio")
    assert stored is not None and stored.path.read_bytes() == JFK.read_bytes()
    assert item.kind is HistoryKind.TRANSCRIPT and item.parent_id == recording.id
    assert item.provider == "local" and item.model == "tiny.en"
    assert "ask not what your country" in item.transcript
    assert item.params["language"] == "en" and item.params["segments"] >= 1
    assert await load_transcript(item) == first.transcript
    # The same audio again (another name): a second transcript under the same recording.
    copy = tmp_path / "copy.flac"
    copy.write_bytes(JFK.read_bytes())
    second = await service.transcription.transcribe(TranscriptionRequest(audio=copy, vad=True))
    assert second.recording.id == recording.id
    children = await service.library.query(HistoryQuery(parent_id=recording.id))
    assert {c.id for c in children} == {item.id, second.item.id}
    found = await service.library.query(HistoryQuery(search="fellow Americans"))
    assert {f.id for f in found} == {item.id, second.item.id}


async def test_silent_audio_is_kept_with_its_notice(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    silent = write_audio(tmp_path / "quiet.wav", np.zeros(16_000))
    outcome = await service.transcription.transcribe(TranscriptionRequest(audio=silent))
    assert outcome.transcript.segments == () and outcome.item.transcript == ""
    assert outcome.item.params["notices"] == [
        "The audio is silent, so there is nothing to transcribe."
    ]


async def test_effects_regenerate_bit_for_bit_from_history(service) -> None:  # type: ignore[no-untyped-def]
    outcome = await service.sound.generate(SfxRequest(preset="explosion", seed=99))
    item = outcome.item
    assert item.kind is HistoryKind.SFX and item.title == "explosion" and item.provider == "local"
    assert item.params["engine"] == "sfxr" and item.params["seed"] == 99
    assert item.params["sfxr"]["wave"] == "noise"
    again = await service.library.query(HistoryQuery(kinds=(HistoryKind.SFX,)))
    remade = await service.sound.render_again(again[0])
    assert remade.data == outcome.path.read_bytes()
    # Prompts that name a preset work offline; a different seed gives a different sound.
    other = await service.sound.generate(
        SfxRequest(prompt="laser zap", seed=1, format=AudioFormat.OGG)
    )
    assert other.item.params["preset"] == "laser" and other.path.suffix == ".ogg"
    random_seed = await service.sound.generate(SfxRequest(preset="coin"))
    assert isinstance(random_seed.item.params["seed"], int)
    stretched = await service.sound.generate(SfxRequest(preset="jump", seed=4, duration_s=1.5))
    assert stretched.item.duration_s == pytest.approx(1.5, abs=0.02)
