"""Every request the studio builds for ElevenLabs, checked against its published OpenAPI document,
and the replies parsed from the examples that document carries."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from audio_studio.core.errors import InvalidRequestError, ProviderProtocolError
from audio_studio.core.models import (
    AudioFormat,
    MusicRequest,
    SfxRequest,
    SpeechRequest,
    TranscriptionRequest,
    VoiceCloneRequest,
)
from tests.contract.conftest import Recorder, json_reply
from tests.contract.examples import HTTP_VALIDATION_ERROR
from tests.contract.spec import Spec, multipart_fields
from tests.servers.audio import mp3_bytes, wav_bytes

# Fields newer than this copy of the spec (2026 SDK); sent only when the user asks for them.
NEWER = {"/v1/sound-generation": {"loop", "model_id"}, "/v1/music": {"force_instrumental"}}


def example(spec: Spec, name: str) -> object:
    return spec.doc["components"]["schemas"][name]["example"]


def audio(data: bytes = b"") -> httpx.Response:
    return httpx.Response(200, content=data or mp3_bytes(), headers={"content-type": "audio/mpeg"})


def detailed() -> httpx.Response:
    meta = {
        "composition_plan": {
            "positive_global_styles": [],
            "negative_global_styles": [],
            "sections": [],
        },
        "song_metadata": {
            "title": "T",
            "description": "",
            "genres": [],
            "languages": [],
            "is_explicit": False,
        },
    }
    body = (
        b"--b\r\nContent-Type: application/json\r\n\r\n"
        + json.dumps(meta).encode()
        + b"\r\n--b\r\nContent-Type: audio/mpeg\r\n\r\n"
        + mp3_bytes()
        + b"\r\n--b--\r\n"
    )
    return httpx.Response(
        200, content=body, headers={"content-type": "multipart/mixed; boundary=b"}
    )


@pytest.fixture
def el(recorder: Recorder, elevenlabs_spec: Spec) -> Recorder:
    spec = elevenlabs_spec
    voices = {
        "voices": [example(spec, "VoiceResponseModel")],
        "has_more": False,
        "total_count": 1,
        "next_page_token": None,
    }
    spec.validate(voices, spec.ref("GetVoicesV2ResponseModel"))
    # The published example's audio_base64 is not audio (the studio refuses such answers):
    # the same shape, holding real audio.
    timed = {
        **example(spec, "AudioWithTimestampsResponseModel"),  # type: ignore[dict-item]
        "audio_base64": base64.b64encode(mp3_bytes()).decode(),
    }
    spec.validate(timed, spec.ref("AudioWithTimestampsResponseModel"))
    recorder.on("POST", "/with-timestamps", json_reply(timed))
    recorder.on("POST", "/stream", audio())
    line = json.dumps(example(spec, "AudioWithTimestampsResponseModel")).encode() + b"\n"
    recorder.on("POST", "/stream/with-timestamps", httpx.Response(200, content=line * 2))
    recorder.on("POST", "/v1/sound-generation", audio())
    recorder.on("POST", "/v1/music", audio())
    recorder.on("POST", "/v1/music/detailed", lambda _r: detailed())
    recorder.on(
        "POST", "/v1/speech-to-text", json_reply(example(spec, "SpeechToTextChunkResponseModel"))
    )
    recorder.on("POST", "/v1/voices/add", json_reply(example(spec, "AddVoiceIVCResponseModel")))
    recorder.on("GET", "/v2/voices", json_reply(voices))
    recorder.on("GET", "/v1/models", json_reply([example(spec, "ModelResponseModel")]))
    recorder.on(
        "GET",
        "/v1/user/subscription",
        json_reply(example(spec, "ExtendedSubscriptionResponseModel")),
    )
    recorder.replies.append(("POST", "", lambda r: audio()))  # any TTS voice id
    return recorder


def check(spec: Spec, request: httpx.Request) -> str:
    assert (
        request.headers["xi-api-key"].startswith("xi-") and "authorization" not in request.headers
    )
    path = request.url.path.removesuffix("/stream").removesuffix("/detailed")
    return spec.check(request, allow_extra=NEWER.get(path, ())).template


def test_the_spec_examples_used_here_conform(elevenlabs_spec: Spec):
    for name in (
        "AudioWithTimestampsResponseModel",
        "SpeechToTextChunkResponseModel",
        "MultichannelSpeechToTextResponseModel",
        "AddVoiceIVCResponseModel",
        "ModelResponseModel",
        "ExtendedSubscriptionResponseModel",
    ):
        elevenlabs_spec.validate(example(elevenlabs_spec, name), elevenlabs_spec.ref(name))
    elevenlabs_spec.validate(HTTP_VALIDATION_ERROR, elevenlabs_spec.ref("HTTPValidationError"))


TTS_CASES = {
    "defaults": SpeechRequest("Hello."),
    "every-field": SpeechRequest(
        "Hello.",
        voice="JBFqnCBsd6RMkjVDRZzb",
        model="eleven_flash_v2_5",
        speed=1.1,
        language="de",
        format=AudioFormat.OPUS,
        settings={
            "stability": 0.5,
            "similarity_boost": 0.8,
            "style": 0.1,
            "use_speaker_boost": True,
            "seed": 42,
            "previous_text": "Before.",
            "next_text": "After.",
            "previous_request_ids": ["r1"],
            "apply_text_normalization": "off",
        },
    ),
    "wav-as-pcm": SpeechRequest("Hello.", format=AudioFormat.WAV, sample_rate=16000),
}


@pytest.mark.parametrize("case", TTS_CASES, ids=list(TTS_CASES))
async def test_tts_requests_all_three_ways(mock_studio, el, elevenlabs_spec, case):
    provider = await mock_studio.context.provider("elevenlabs")
    request = TTS_CASES[case]
    await provider.synthesize(request)
    assert check(elevenlabs_spec, el.last()) == "/v1/text-to-speech/{voice_id}"
    [c async for c in provider.stream(request)]
    assert check(elevenlabs_spec, el.last()) == "/v1/text-to-speech/{voice_id}/stream"
    timed = await provider.synthesize_with_timestamps(request)
    assert check(elevenlabs_spec, el.last()) == "/v1/text-to-speech/{voice_id}/with-timestamps"
    assert timed.alignment is not None and "".join(timed.alignment.characters) == "Hello"
    [p async for p in provider.stream_with_timestamps(request)]
    assert (
        check(elevenlabs_spec, el.last()) == "/v1/text-to-speech/{voice_id}/stream/with-timestamps"
    )
    assert [w.text for w in timed.alignment.words()] == ["Hello"]
    # Asked for word times (narration takes), plain speech comes from /with-timestamps.
    worded = await provider.synthesize(replace(request, word_times=True))
    assert check(elevenlabs_spec, el.last()) == "/v1/text-to-speech/{voice_id}/with-timestamps"
    assert [w.text for w in worded.words] == ["Hello"] and worded.data == timed.audio.data
    # Streamed with word times (the preview of a narration), from the timed stream.
    pieces = [c async for c in provider.stream(replace(request, word_times=True))]
    assert (
        check(elevenlabs_spec, el.last()) == "/v1/text-to-speech/{voice_id}/stream/with-timestamps"
    )
    # The recorder sends the same piece twice: its characters twice, in one word at the end.
    assert [w.text for c in pieces for w in c.words] == ["HelloHello"] and not pieces[-1].data


async def test_word_times_missing_or_malformed(mock_studio, el, elevenlabs_spec):
    provider = await mock_studio.context.provider("elevenlabs")
    spoken = base64.b64encode(mp3_bytes()).decode()
    el.on("POST", "/with-timestamps", json_reply({"audio_base64": spoken, "alignment": None}))
    result = await provider.synthesize(SpeechRequest("Hello.", word_times=True))
    assert result.words == () and result.data
    broken = {"characters": ["H", "i"], "character_start_times_seconds": [0.0],
              "character_end_times_seconds": [0.1, 0.2]}  # fmt: skip
    el.on("POST", "/with-timestamps", json_reply({"audio_base64": spoken, "alignment": broken}))
    with pytest.raises(ProviderProtocolError, match="timestamps"):
        await provider.synthesize(SpeechRequest("Hi", word_times=True))


async def test_account_voice_and_model_requests(mock_studio, el, elevenlabs_spec):
    provider = await mock_studio.context.provider("elevenlabs")
    assert "credits left" in await provider.check()
    check(elevenlabs_spec, el.last())
    (voice,) = await provider.search_voices("warm")
    assert voice.id and voice.name
    check(elevenlabs_spec, el.last())
    (model,) = await provider.list_models()
    assert model.max_chars and model.max_chars > 0
    check(elevenlabs_spec, el.last())


@pytest.mark.parametrize(
    "request_",
    [
        SfxRequest("rain"),
        SfxRequest("rain", duration_s=5, prompt_influence=0.7, format=AudioFormat.MP3),
        SfxRequest("rain", loop=True, model="eleven_text_to_sound_v2"),
    ],
    ids=["defaults", "every-2025-field", "newer-fields"],
)
async def test_sound_effect_requests(mock_studio, el, elevenlabs_spec, request_):
    provider = await mock_studio.context.provider("elevenlabs")
    await provider.generate_sfx(request_)
    assert check(elevenlabs_spec, el.last()) == "/v1/sound-generation"


@pytest.mark.parametrize(
    "request_",
    [
        MusicRequest("lofi"),
        MusicRequest("lofi", duration_s=45, lyrics="la la", format=AudioFormat.WAV),
        MusicRequest("lofi", instrumental=True),
    ],
    ids=["defaults", "duration-lyrics", "instrumental"],
)
async def test_music_requests(mock_studio, el, elevenlabs_spec, request_):
    provider = await mock_studio.context.provider("elevenlabs")
    song = await provider.generate_music(request_)
    assert song.data == mp3_bytes() and song.params["title"] == "T"
    assert check(elevenlabs_spec, el.last()) == "/v1/music/detailed"
    await provider.sound.compose(request_)
    assert check(elevenlabs_spec, el.last()) == "/v1/music"
    [c async for c in provider.sound.stream_music(request_)]
    assert check(elevenlabs_spec, el.last()) == "/v1/music/stream"


async def test_speech_to_text_request_and_reply(mock_studio, el, elevenlabs_spec, tmp_path: Path):
    clip = tmp_path / "call.mp3"
    clip.write_bytes(mp3_bytes())
    provider = await mock_studio.context.provider("elevenlabs")
    request = TranscriptionRequest(
        clip,
        language="en",
        diarize=True,
        num_speakers=2,
        word_timestamps=False,
        settings={"tag_audio_events": False},
    )
    transcript = await provider.transcribe(request)
    assert check(elevenlabs_spec, el.last()) == "/v1/speech-to-text"
    assert transcript.text == "Hello world!" and transcript.speakers == ("Speaker 2",)
    names = [n for n, _, _ in multipart_fields(el.last())]
    assert names.count("file") == 1


async def test_multichannel_reply_parses(mock_studio, el, elevenlabs_spec, tmp_path: Path):
    clip = tmp_path / "call.wav"
    clip.write_bytes(wav_bytes())
    el.on(
        "POST",
        "/v1/speech-to-text",
        json_reply(example(elevenlabs_spec, "MultichannelSpeechToTextResponseModel")),
    )
    provider = await mock_studio.context.provider("elevenlabs")
    transcript = await provider.transcribe(TranscriptionRequest(clip))
    assert (
        len(transcript.segments) >= 2
        and transcript.segments[0].start <= transcript.segments[-1].start
    )


async def test_voice_clone_request(mock_studio, el, elevenlabs_spec, tmp_path: Path):
    samples = (tmp_path / "a.wav", tmp_path / "b.mp3")
    samples[0].write_bytes(wav_bytes())
    samples[1].write_bytes(mp3_bytes())
    provider = await mock_studio.context.provider("elevenlabs")
    voice = await provider.clone_voice(
        VoiceCloneRequest(
            "Narrator",
            samples,
            consent="It is my voice; I agree.",
            description="Warm",
            remove_background_noise=True,
        )
    )
    assert voice.id == "c38kUX8pkfYO2kHyqfFy"
    assert check(elevenlabs_spec, el.last()) == "/v1/voices/add"
    assert [n for n, _, _ in multipart_fields(el.last())].count("files") == 2


async def test_a_validation_error_reply(mock_studio, el):
    el.on("POST", "/v1/sound-generation", json_reply(HTTP_VALIDATION_ERROR, 422))
    provider = await mock_studio.context.provider("elevenlabs")
    with pytest.raises(InvalidRequestError, match="text: Field required"):
        await provider.generate_sfx(SfxRequest("rain"))
