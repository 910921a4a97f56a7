"""OpenAI and the OpenAI-shaped presets over a real socket: speech, streams, STT, chat, quirks."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    AudioFormat,
    ChatMessage,
    SfxRequest,
    SpeechRequest,
    TranscriptionRequest,
)
from audio_studio.core.providers.base import ChatCompleter, SfxGenerator, SpeechSynthesizer
from tests.servers.audio import mp3_bytes, wav_bytes
from tests.servers.base import Fault
from tests.support.wire import KEYS


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "note.wav"
    path.write_bytes(wav_bytes())
    return path


async def test_speech_whole_file_with_key_latency_and_provenance(studio, wire):
    provider = await studio.context.provider("openai")
    assert isinstance(provider, SpeechSynthesizer)
    result = await provider.synthesize(
        SpeechRequest(
            "Hello there.",
            voice="coral",
            speed=1.25,
            format=AudioFormat.MP3,
            instructions="Cheerful",
        )
    )
    assert result.data == mp3_bytes() and result.format is AudioFormat.MP3
    assert result.request_id == "req_speech" and result.usage.characters == 12
    assert result.latency.ttfb_ms and result.latency.total_ms
    assert dict(result.params) == {
        "voice": "coral", "response_format": "mp3", "speed": 1.25, "instructions": "Cheerful"
    }  # fmt: skip
    (request,) = wire.requests("POST", "/openai/v1/audio/speech")
    assert request.headers["authorization"] == f"Bearer {KEYS['openai']}"
    assert request.json()["model"] == "gpt-4o-mini-tts"


async def test_speech_streams_raw_chunks_for_tts_1(studio, wire):
    provider = await studio.context.provider("openai")
    chunks = [c async for c in provider.stream(SpeechRequest("Hi", model="tts-1"))]
    assert len(chunks) > 1 and b"".join(c.data for c in chunks) == wav_bytes()
    assert "stream_format" not in wire.requests("POST")[0].json()


async def test_speech_streams_sse_deltas_for_gpt_4o_mini_tts(studio, wire):
    provider = await studio.context.provider("openai")
    request = SpeechRequest("Hi", format=AudioFormat.PCM)
    chunks = [c async for c in provider.stream(request)]
    assert wire.requests("POST")[0].json()["stream_format"] == "sse"
    assert len(chunks) > 1 and all(c.sample_rate == 24_000 for c in chunks)
    assert b"".join(c.data for c in chunks) == wav_bytes()[44:]


async def test_voices_and_models(studio):
    openai = await studio.context.provider("openai")
    voices = await openai.list_voices()
    assert {"alloy", "marin"} <= {v.id for v in voices}
    models = {m.id: m for m in await openai.list_models()}
    assert models["gpt-4o-mini-tts"].takes_instructions
    assert await openai.check() == "Connected: 5 models available."
    kokoro = await studio.context.provider("kokoro")
    assert [v.id for v in await kokoro.list_voices()] == ["af_heart", "bm_george"]


async def test_transcription_verbose_json_with_words_and_segments(studio, wire, clip):
    provider = await studio.context.provider("openai")
    transcript = await provider.transcribe(TranscriptionRequest(clip, language="en"))
    assert [s.text for s in transcript.segments] == ["Hello there.", "General Kenobi."]
    assert [w.text for w in transcript.segments[1].words] == ["General", "Kenobi."]
    assert transcript.language == "english" and transcript.duration_s == 3.0
    assert transcript.segments[0].confidence == pytest.approx(0.9048, abs=1e-3)
    fields = wire.requests("POST")[0].fields()
    assert fields["model"] == ["whisper-1"] and fields["response_format"] == ["verbose_json"]
    assert fields["timestamp_granularities[]"] == ["word", "segment"]
    assert fields["file"] == ["note.wav"] and fields["language"] == ["en"]


async def test_diarization_switches_to_the_diarize_model(studio, wire, clip):
    provider = await studio.context.provider("openai")
    transcript = await provider.transcribe(TranscriptionRequest(clip, diarize=True))
    assert transcript.speakers == ("A", "B")
    fields = wire.requests("POST")[0].fields()
    assert fields["model"] == ["gpt-4o-transcribe-diarize"]
    assert fields["response_format"] == ["diarized_json"]
    assert fields["chunking_strategy"] == ["auto"] and "prompt" not in fields


@pytest.mark.parametrize("fmt", ["text", "srt", "vtt", "json"])
async def test_every_plain_reply_format(studio, clip, fmt):
    provider = await studio.context.provider("openai")
    request = TranscriptionRequest(clip, settings={"response_format": fmt})
    transcript = await provider.transcribe(request)
    assert transcript.text == "Hello there. General Kenobi."
    if fmt in ("srt", "vtt"):
        assert transcript.segments[1].start == 1.5 and transcript.segments[1].end == 3.0
    if fmt == "vtt":
        assert transcript.speakers == ("A", "B")


async def test_json_only_models_say_there_are_no_timestamps(studio, clip):
    provider = await studio.context.provider("openai")
    transcript = await provider.transcribe(TranscriptionRequest(clip, model="gpt-4o-transcribe"))
    assert transcript.text == "Hello there. General Kenobi."
    assert any("without timestamps" in n for n in transcript.notices)


async def test_streamed_transcript_reports_deltas(studio, wire, clip):
    provider = await studio.context.provider("openai")
    seen: list[str | None] = []
    request = TranscriptionRequest(clip, model="gpt-4o-transcribe", settings={"stream": True})
    transcript = await provider.transcribe(request, lambda share, msg: seen.append(msg))
    assert transcript.text == "Hello there. General Kenobi."
    assert seen[0] == "Hello" and seen[-1] == "Hello there. General Kenobi."
    assert wire.requests("POST")[0].fields()["stream"] == ["true"]


async def test_translation_goes_to_its_endpoint(studio, wire, clip):
    provider = await studio.context.provider("openai")
    await provider.transcribe(TranscriptionRequest(clip, translate=True, language="de"))
    (request,) = wire.requests("POST")
    assert request.path.endswith("/audio/translations") and "language" not in request.fields()


async def test_chat_completion_for_summaries(studio, wire):
    provider = await studio.context.provider("openai")
    assert isinstance(provider, ChatCompleter)
    text, usage = await provider.complete([ChatMessage("user", "Summarise: it rained.")])
    assert text == "Summary: Summarise: it rained" and usage.characters == 21


async def test_groq_quirks(studio, wire, clip):
    groq = await studio.context.provider("groq")
    with pytest.raises(InputError, match="cannot answer in 'srt'"):
        await groq.transcribe(TranscriptionRequest(clip, settings={"response_format": "srt"}))
    assert wire.log == []
    await groq.transcribe(TranscriptionRequest(clip))
    fields = wire.requests("POST")[0].fields()
    assert fields["model"] == ["whisper-large-v3-turbo"]
    assert wire.requests("POST")[0].headers["authorization"] == f"Bearer {KEYS['groq']}"


async def test_self_hosted_presets_need_no_key_and_keep_their_quirks(studio, wire):
    kokoro = await studio.context.provider("kokoro")
    await kokoro.synthesize(SpeechRequest("Hi"))
    body = wire.requests("POST")[0].json()
    assert body == {
        "model": "kokoro", "input": "Hi", "voice": "af_heart", "response_format": "wav",
        "stream": False,
    }  # fmt: skip
    assert "authorization" not in wire.requests("POST")[0].headers
    localai = await studio.context.provider("localai")
    assert isinstance(localai, SfxGenerator)
    result = await localai.generate_sfx(SfxRequest("door slam", duration_s=2, model="ace-step"))
    assert result.format is AudioFormat.WAV
    assert wire.requests("POST")[-1].json() == {
        "model_id": "ace-step", "text": "door slam", "duration_seconds": 2
    }  # fmt: skip


async def test_limits_are_checked_before_anything_is_sent(studio, wire, tmp_path):
    openai = await studio.context.provider("openai")
    with pytest.raises(InputError, match="4,096 per request"):
        await openai.synthesize(SpeechRequest("x" * 4097))
    with pytest.raises(InputError, match="needs gpt-4o-mini-tts"):
        await openai.synthesize(SpeechRequest("Hi", model="tts-1", voice="marin"))
    big = tmp_path / "long.wav"
    with big.open("wb") as fh:
        fh.truncate(26_214_401)  # sparse: no real disk used
    with pytest.raises(InputError, match="at most 26 MB"):
        await openai.transcribe(TranscriptionRequest(big))
    assert wire.log == []


async def test_a_gateway_without_a_voice_list_offers_openai_voices(studio, wire):
    wire.fail("GET", "/gateway/v1/audio/voices", Fault("status", 404, b"", {}))
    voices = await (await studio.context.provider("gateway")).list_voices()
    assert "alloy" in {v.id for v in voices}
    wire.fail("GET", "/speaches/v1/audio/voices", Fault("status", 404, b"", {}))
    assert await (await studio.context.provider("speaches")).list_voices() == []
