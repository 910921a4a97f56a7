"""Every request the studio builds for OpenAI, checked against OpenAI's own OpenAPI document, and
every reply format parsed from examples that conform to it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from audio_studio.core.errors import InvalidRequestError
from audio_studio.core.models import AudioFormat, ChatMessage, SpeechRequest, TranscriptionRequest
from tests.contract.conftest import Recorder, json_reply
from tests.contract.examples import OPENAI, TRANSCRIPT_EVENTS
from tests.contract.spec import Spec, multipart_fields
from tests.servers.audio import wav_bytes

SPEECH_CASES = {
    "defaults": SpeechRequest("Hello."),
    "every-field": SpeechRequest(
        "Hello.",
        voice="coral",
        model="gpt-4o-mini-tts",
        speed=1.5,
        format=AudioFormat.PCM,
        instructions="Whisper it.",
    ),
    "tts-1-drops-instructions": SpeechRequest(
        "Hello.", model="tts-1-hd", voice="onyx", format=AudioFormat.MP3, instructions="x"
    ),
    "custom-voice": SpeechRequest("Hello.", voice="voice_1234", format=AudioFormat.FLAC),
    "ogg-is-opus": SpeechRequest("Hello.", format=AudioFormat.OGG),
    "aac": SpeechRequest("Hello.", format=AudioFormat.AAC, speed=0.25),
}


def form(request: httpx.Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value, filename in multipart_fields(request):
        out.setdefault(name, []).append(filename or value.decode())
    return out


def answer_transcription(request: httpx.Request) -> httpx.Response:
    fields = form(request)
    fmt = fields.get("response_format", ["json"])[0]
    translating = request.url.path.endswith("translations")
    if fields.get("stream") == ["true"]:
        body = "".join(f"data: {json.dumps(e)}\n\n" for _, e in TRANSCRIPT_EVENTS)
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})
    if fmt in ("text", "srt", "vtt"):
        return httpx.Response(200, text="1\n00:00:00,000 --> 00:00:01,000\nHi.\n")
    key = {"verbose_json": "verbose_json", "diarized_json": "diarized_json"}.get(fmt, "json")
    if translating:
        key = "translation_verbose" if fmt == "verbose_json" else "translation_json"
    return json_reply(OPENAI[key][1])


@pytest.fixture
def openai_replies(recorder: Recorder) -> Recorder:
    recorder.on(
        "POST",
        "/audio/speech",
        httpx.Response(
            200, content=wav_bytes(), headers={"content-type": "application/octet-stream"}
        ),
    )
    recorder.on("POST", "/audio/transcriptions", answer_transcription)
    recorder.on("POST", "/audio/translations", answer_transcription)
    recorder.on("POST", "/chat/completions", json_reply(OPENAI["chat"][1]))
    recorder.on("GET", "/models", json_reply(OPENAI["models"][1]))
    return recorder


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "meeting.m4a"
    path.write_bytes(wav_bytes())
    return path


def test_the_examples_conform_to_the_spec(openai_spec: Spec):
    for schema, example in OPENAI.values():
        openai_spec.validate(example, openai_spec.ref(schema))
    for schema, event in TRANSCRIPT_EVENTS:
        openai_spec.validate(event, openai_spec.ref(schema))


@pytest.mark.parametrize("case", SPEECH_CASES, ids=list(SPEECH_CASES))
async def test_speech_requests(mock_studio, openai_replies, openai_spec, case):
    provider = await mock_studio.context.provider("openai")
    await provider.synthesize(SPEECH_CASES[case])
    request = openai_replies.last()
    assert str(request.url) == "https://api.openai.com/v1/audio/speech"
    assert request.headers["authorization"].startswith("Bearer sk-")
    openai_spec.check(request)
    body = json.loads(request.content)
    if case == "tts-1-drops-instructions":
        assert "instructions" not in body
    if case == "custom-voice":
        assert body["voice"] == {"id": "voice_1234"}


async def test_streamed_speech_request_and_sse_reply(mock_studio, recorder, openai_spec):
    audio = wav_bytes()
    events = [
        {"type": "speech.audio.delta", "audio": base64.b64encode(audio[:5000]).decode()},
        {"type": "speech.audio.delta", "audio": base64.b64encode(audio[5000:]).decode()},
        {
            "type": "speech.audio.done",
            "usage": {"input_tokens": 3, "output_tokens": 30, "total_tokens": 33},
        },
    ]
    for event in events:
        openai_spec.validate(event, openai_spec.ref("CreateSpeechResponseStreamEvent"))
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events)
    recorder.on(
        "POST",
        "/audio/speech",
        httpx.Response(200, text=body, headers={"content-type": "text/event-stream"}),
    )
    provider = await mock_studio.context.provider("openai")
    chunks = [c async for c in provider.stream(SpeechRequest("Hi", format=AudioFormat.PCM))]
    assert b"".join(c.data for c in chunks) == audio
    openai_spec.check(recorder.last())
    assert json.loads(recorder.last().content)["stream_format"] == "sse"


TRANSCRIPTION_CASES = {
    "whisper-words": TranscriptionRequest(
        Path(), language="en", prompt="Names: Ada.", settings={"temperature": 0.2}
    ),
    "segments-only": TranscriptionRequest(Path(), word_timestamps=False),
    "diarize": TranscriptionRequest(Path(), diarize=True),
    "json-only-model": TranscriptionRequest(Path(), model="gpt-4o-mini-transcribe"),
    "streamed": TranscriptionRequest(Path(), model="gpt-4o-transcribe", settings={"stream": True}),
    "srt": TranscriptionRequest(Path(), settings={"response_format": "srt"}),
    "vtt": TranscriptionRequest(Path(), settings={"response_format": "vtt"}),
    "text": TranscriptionRequest(Path(), settings={"response_format": "text"}),
    "translate": TranscriptionRequest(Path(), translate=True, prompt="Technical talk."),
}


@pytest.mark.parametrize("case", TRANSCRIPTION_CASES, ids=list(TRANSCRIPTION_CASES))
async def test_transcription_requests(mock_studio, openai_replies, openai_spec, clip, case):
    import dataclasses

    provider = await mock_studio.context.provider("openai")
    request = dataclasses.replace(TRANSCRIPTION_CASES[case], audio=clip)
    transcript = await provider.transcribe(request)
    assert transcript.text
    sent = openai_replies.last()
    op = openai_spec.check(sent)
    assert op.template == (
        "/audio/translations" if case == "translate" else "/audio/transcriptions"
    )
    names = [n for n, _, _ in multipart_fields(sent)]
    assert names.count("file") == 1 and form(sent)["file"] == ["meeting.m4a"]


async def test_chat_and_models_requests(mock_studio, openai_replies, openai_spec):
    provider = await mock_studio.context.provider("openai")
    text, _ = await provider.complete(
        [ChatMessage("system", "Summarise."), ChatMessage("user", "We met.")]
    )
    assert text == "Two people talk."
    openai_spec.check(openai_replies.last())
    assert await provider.check() == "Connected: 2 models available."
    openai_spec.check(openai_replies.last())


@pytest.mark.parametrize("fmt", ["json", "verbose_json", "diarized_json"])
async def test_reply_formats_parse(mock_studio, recorder, clip, fmt):
    recorder.on("POST", "/audio/transcriptions", json_reply(OPENAI[fmt][1]))
    provider = await mock_studio.context.provider("openai")
    transcript = await provider.transcribe(TranscriptionRequest(clip))
    if fmt == "json":
        assert transcript.text == OPENAI["json"][1]["text"]
    elif fmt == "verbose_json":
        (segment,) = transcript.segments
        assert [w.text for w in segment.words] == ["The", "beach", "day."]
        assert transcript.duration_s == 3.32 and transcript.language == "english"
    else:
        assert transcript.speakers == ("agent", "A")
        assert transcript.segments[1].start == 5.2


async def test_streamed_transcript_events_parse(mock_studio, recorder, clip):
    body = "".join(f"data: {json.dumps(e)}\n\n" for _, e in TRANSCRIPT_EVENTS)
    recorder.on(
        "POST",
        "/audio/transcriptions",
        httpx.Response(200, text=body, headers={"content-type": "text/event-stream"}),
    )
    provider = await mock_studio.context.provider("openai")
    request = TranscriptionRequest(clip, model="gpt-4o-transcribe", settings={"stream": True})
    transcript = await provider.transcribe(request)
    assert [(s.speaker, s.text) for s in transcript.segments] == [("A", "The beach was popular.")]


async def test_the_error_body_parses(mock_studio, recorder):
    recorder.on("POST", "/audio/speech", json_reply(OPENAI["error"][1], 400))
    provider = await mock_studio.context.provider("openai")
    with pytest.raises(InvalidRequestError, match="Invalid 'voice'"):
        await provider.synthesize(SpeechRequest("Hi"))


@pytest.mark.parametrize(
    "request_",
    [
        httpx.Request(
            "POST",
            "https://api.openai.com/v1/audio/speech",
            json={"model": "tts-1", "input": "x", "voice": "alloy", "response_format": "ogg"},
        ),
        httpx.Request(
            "POST", "https://api.openai.com/v1/audio/speech", json={"model": "tts-1", "input": "x"}
        ),
        httpx.Request(
            "POST",
            "https://api.openai.com/v1/audio/speech",
            json={"model": "tts-1", "input": "x", "voice": "alloy", "pitch": 2},
        ),
        httpx.Request(
            "POST",
            "https://api.openai.com/v1/audio/transcriptions",
            data={"model": "whisper-1", "timestamp_granularity": "word"},
            files={"file": ("a.wav", b"x", "audio/wav")},
        ),
        httpx.Request(
            "POST",
            "https://api.openai.com/v1/audio/transcriptions",
            data={"model": "whisper-1", "timestamp_granularities[]": ["word", "phrase"]},
            files={"file": ("a.wav", b"x", "audio/wav")},
        ),
        httpx.Request(
            "POST",
            "https://api.openai.com/v1/audio/transcriptions",
            data={"model": "whisper-1", "temperature": "warm"},
            files={"file": ("a.wav", b"x", "audio/wav")},
        ),
        httpx.Request(
            "POST", "https://api.openai.com/v1/audio/transcriptions", json={"model": "whisper-1"}
        ),
        httpx.Request("POST", "https://api.openai.com/v1/audio/speak", json={}),
    ],
    ids=[
        "enum",
        "required",
        "unknown-field",
        "field-name",
        "array-enum",
        "type",
        "content-type",
        "path",
    ],
)
def test_the_checker_catches_mistakes(openai_spec: Spec, request_: httpx.Request):
    request_.read()
    with pytest.raises(AssertionError):
        openai_spec.check(request_)
