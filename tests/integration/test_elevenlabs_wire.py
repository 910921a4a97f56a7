"""ElevenLabs over a real socket: TTS three ways, voices, models, effects, music, STT, cloning."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    AudioFormat,
    HistoryStatus,
    MusicRequest,
    SfxRequest,
    SpeechRequest,
    TranscriptionRequest,
    VoiceCloneRequest,
)
from audio_studio.core.providers.base import (
    MusicGenerator,
    SfxGenerator,
    SpeechSynthesizer,
    Transcriber,
    VoiceCloner,
)
from tests.servers.audio import mp3_bytes, pcm_bytes, wav_bytes
from tests.servers.base import Fault
from tests.support.wire import KEYS

TTS = "/elevenlabs/v1/text-to-speech/"


async def test_it_implements_every_capability_protocol(studio):
    provider = await studio.context.provider("elevenlabs")
    for protocol in (SpeechSynthesizer, Transcriber, SfxGenerator, MusicGenerator, VoiceCloner):
        assert isinstance(provider, protocol)
    assert await provider.check() == "Connected: creator plan, 98,800 of 100,000 credits left."


async def test_tts_plain_uses_the_vendor_header_and_query(studio, wire):
    provider = await studio.context.provider("elevenlabs")
    request = SpeechRequest(
        "Hello there.", voice="v1", format=AudioFormat.MP3, speed=1.1,
        settings={"stability": 0.4, "seed": 7, "previous_text": "Before."},
    )  # fmt: skip
    result = await provider.synthesize(request)
    assert result.data == mp3_bytes() and result.usage.credits == 12
    (sent,) = wire.requests("POST", TTS)
    assert sent.path == f"{TTS}v1" and sent.query["output_format"] == ["mp3_44100_128"]
    assert sent.headers["xi-api-key"] == KEYS["elevenlabs"] and "authorization" not in sent.headers
    assert sent.json() == {
        "text": "Hello there.", "model_id": "eleven_multilingual_v2",
        "voice_settings": {"stability": 0.4, "speed": 1.1}, "seed": 7, "previous_text": "Before.",
    }  # fmt: skip


async def test_wav_is_pcm_wrapped_locally(studio, wire):
    provider = await studio.context.provider("elevenlabs")
    result = await provider.synthesize(SpeechRequest("Hi", format=AudioFormat.WAV))
    assert wire.requests("POST")[0].query["output_format"] == ["pcm_24000"]
    assert result.format is AudioFormat.WAV
    with wave.open(io.BytesIO(result.data)) as w:
        assert w.getframerate() == 24_000 and w.readframes(w.getnframes()) == pcm_bytes()


async def test_stream_and_timestamps(studio, wire):
    provider = await studio.context.provider("elevenlabs")
    chunks = [c async for c in provider.stream(SpeechRequest("Hi", format=AudioFormat.MP3))]
    assert len(chunks) > 1 and b"".join(c.data for c in chunks) == mp3_bytes()
    timed = await provider.synthesize_with_timestamps(SpeechRequest("Hi you"))
    assert timed.audio.data == mp3_bytes() or timed.audio.format is AudioFormat.WAV
    assert timed.alignment is not None
    assert [(w.text, w.start, w.end) for w in timed.alignment.words()] == [
        ("Hi", 0.0, pytest.approx(0.1)), ("you", pytest.approx(0.15), pytest.approx(0.3))
    ]  # fmt: skip


async def test_stream_with_timestamps_is_ndjson(studio, wire):
    provider = await studio.context.provider("elevenlabs")
    pieces = [p async for p in provider.stream_with_timestamps(SpeechRequest("One two three"))]
    assert len(pieces) == 3 and b"".join(p.audio.data for p in pieces) == pcm_bytes()
    assert [p.alignment.words()[0].text for p in pieces if p.alignment] == ["One", "two", "three"]
    assert pieces[0].audio.sample_rate == 24_000


async def test_voices_are_read_page_by_page_and_searchable(studio, wire):
    provider = await studio.context.provider("elevenlabs")
    voices = await provider.list_voices()
    assert [(v.id, v.cloned, v.language) for v in voices] == [
        ("v1", False, "en"),
        ("v2", True, "en"),
    ]
    first, second = wire.requests("GET", "/elevenlabs/v2/voices")
    assert first.query["page_size"] == ["100"] and second.query["next_page_token"] == ["page-2"]
    await provider.search_voices("calm")
    assert wire.requests("GET")[-2].query["search"] == ["calm"]


async def test_model_limits_come_from_the_model_list(studio, wire):
    provider = await studio.context.provider("elevenlabs")
    models = {m.id: m for m in await provider.list_models()}
    assert models["eleven_v3"].max_chars == 20  # what this server says
    with pytest.raises(InputError, match="at most 20 per request"):
        await provider.synthesize(SpeechRequest("x" * 21, model="eleven_v3"))


async def test_sound_effects(studio, wire):
    provider = await studio.context.provider("elevenlabs")
    request = SfxRequest("thunder", duration_s=3.5, prompt_influence=0.6, loop=True)
    result = await provider.generate_sfx(request)
    assert result.usage.credits == 80 and result.format is AudioFormat.WAV
    assert result.data[:4] == b"RIFF" and wire.requests()[0].query["output_format"] == ["pcm_24000"]
    assert wire.requests("POST")[0].json() == {
        "text": "thunder", "duration_seconds": 3.5, "prompt_influence": 0.6, "loop": True
    }  # fmt: skip
    with pytest.raises(InputError, match=r"0\.5 to 22 seconds"):
        await provider.generate_sfx(SfxRequest("thunder", duration_s=40))


async def test_music_detailed_plain_and_streamed(studio, wire):
    provider = await studio.context.provider("elevenlabs")
    song = await provider.generate_music(MusicRequest("rainy lofi", duration_s=30))
    assert song.data == mp3_bytes() and song.request_id == "song_2"
    assert song.params["title"] == "Rainy Loop" and song.params["genres"] == ["lofi"]
    assert wire.requests("POST")[0].json() == {
        "prompt": "rainy lofi", "model_id": "music_v1", "music_length_ms": 30000
    }  # fmt: skip
    plain = await provider.sound.compose(MusicRequest("rainy lofi"))
    assert plain.request_id == "song_1"
    chunks = [c async for c in provider.sound.stream_music(MusicRequest("rainy lofi"))]
    assert b"".join(c.data for c in chunks) == mp3_bytes()


async def test_music_through_the_service_writes_history_without_a_remote_job(studio, tmp_path):
    out = tmp_path / "song.mp3"
    outcome = await studio.music.generate(
        MusicRequest("rainy lofi", duration_s=12), provider_id="elevenlabs", output=out
    )
    assert outcome.remote is None and out.read_bytes() == mp3_bytes()
    item = studio.history.get(outcome.item_id)
    assert item is not None and item.status is HistoryStatus.DONE and item.file() is not None
    assert item.params["song_id"] == "song_2" and await studio.music.remote_jobs() == []


async def test_scribe_with_speakers_and_audio_events(studio, wire, tmp_path):
    clip = tmp_path / "talk.wav"
    clip.write_bytes(wav_bytes())
    provider = await studio.context.provider("elevenlabs")
    transcript = await provider.transcribe(TranscriptionRequest(clip, diarize=True, num_speakers=2))
    assert [(s.speaker, s.text) for s in transcript.segments] == [
        ("Speaker 1", "Hi there."), ("Speaker 2", "(laughter) Yes?")
    ]  # fmt: skip
    assert transcript.language == "eng" and transcript.segments[0].words[0].confidence
    fields = wire.requests("POST")[0].fields()
    assert fields["diarize"] == ["true"] and fields["num_speakers"] == ["2"]
    assert fields["model_id"] == ["scribe_v1"] and fields["file"] == ["talk.wav"]


async def test_cloning_needs_consent(studio, wire, tmp_path: Path):
    samples = []
    for n in range(2):
        samples.append(tmp_path / f"s{n}.wav")
        samples[-1].write_bytes(wav_bytes())
    provider = await studio.context.provider("elevenlabs")
    with pytest.raises(InputError, match="consent"):
        await provider.clone_voice(VoiceCloneRequest("Me", tuple(samples), consent=" "))
    assert wire.log == []
    consent = "This is my own voice and I agree to it being cloned."
    voice = await provider.clone_voice(VoiceCloneRequest("Me", tuple(samples), consent=consent))
    assert voice.id == "cloned_1" and voice.cloned
    fields = wire.requests("POST")[0].fields()
    assert fields["files"] == ["s0.wav", "s1.wav"] and fields["name"] == ["Me"]
    assert json.loads(fields["labels"][0]) == {"consent": "given by the user in Audio Studio"}


async def test_a_key_that_cannot_read_credits_still_connects(studio, wire):
    body = b'{"detail": {"status": "missing_permissions", "message": "needs user_read"}}'
    wire.fail("GET", "/elevenlabs/v1/user/subscription",
              Fault("status", 401, body, {"Content-Type": "application/json"}))  # fmt: skip
    provider = await studio.context.provider("elevenlabs")
    assert (await provider.check()).startswith("Connected (this key may not read")
