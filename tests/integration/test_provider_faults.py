"""Every fault the loopback server can play, through the whole stack over a real socket.

Each case ends in a correct retry or a StudioError whose message says what to do; nothing
crashes; and a POST the server accepted is never sent a second time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re

import pytest

from audio_studio.core.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    NetworkError,
    ProviderProtocolError,
    ProviderUnavailableError,
    QuotaExceededError,
    RateLimitedError,
    StudioError,
)
from audio_studio.core.models import (
    AudioFormat,
    HistoryStatus,
    MusicRequest,
    SpeechRequest,
    TranscriptionRequest,
)
from audio_studio.core.store.history import HistoryQuery
from tests.servers.audio import wav_bytes
from tests.servers.base import Fault, retry_after_date

SPEECH = "/openai/v1/audio/speech"
STT = "/openai/v1/audio/transcriptions"
ACTION = re.compile(
    r"\b(try|check|add|use|wait|choose|resume|set|raise|compress|split|change|ask)\b", re.I
)


def actionable(exc: StudioError) -> None:
    assert exc.message and ACTION.search(exc.message), exc.message


def err(status: int, body: object, **headers: str) -> Fault:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ctype = "text/html" if raw.lstrip().startswith(b"<") else "application/json"
    return Fault("status", status, raw, {"Content-Type": ctype, **headers})


async def speak(studio, provider: str = "openai", fmt: AudioFormat = AudioFormat.WAV):  # type: ignore[no-untyped-def]
    p = await studio.context.provider(provider)
    return await p.synthesize(SpeechRequest("Hello there.", format=fmt))


RATE = {
    "error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}
}


@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        ({"Retry-After": "1"}, 1.0, 1.0),
        ({"Retry-After": retry_after_date(2)}, 0.0, 2.5),
        ({"retry-after-ms": "250"}, 0.25, 0.25),
    ],
    ids=["seconds", "http-date", "ms"],
)
async def test_429_waits_what_the_server_says_then_retries(studio, wire, naps, headers, low, high):
    wire.fail("POST", SPEECH, err(429, RATE, **headers))
    result = await speak(studio)
    assert result.data == wav_bytes()
    assert len(wire.requests("POST", SPEECH)) == 2
    assert len(naps.delays) == 1 and low <= naps.delays[0] <= high


async def test_500_then_503_are_retried_with_backoff(studio, wire, naps):
    wire.fail("POST", SPEECH, err(500, b""))
    wire.fail("POST", SPEECH, err(503, {"error": {"message": "overloaded"}}))
    assert (await speak(studio)).data == wav_bytes()
    assert len(wire.requests("POST", SPEECH)) == 3
    assert len(naps.delays) == 2 and all(0 < d <= 0.05 for d in naps.delays)


async def test_a_lasting_outage_gives_up_after_the_retry_limit(studio, wire, naps):
    wire.fail("POST", SPEECH, err(503, b""), times=5)
    with pytest.raises(ProviderUnavailableError) as info:
        await speak(studio)
    assert len(wire.requests("POST", SPEECH)) == 3  # retry_limit 2
    assert "HTTP 503" in info.value.message and info.value.retryable
    actionable(info.value)


async def test_a_long_retry_after_is_reported_not_waited(studio, wire, naps):
    wire.fail("POST", SPEECH, err(429, RATE, **{"Retry-After": "3600"}))
    with pytest.raises(RateLimitedError) as info:
        await speak(studio)
    assert info.value.retry_after == 3600 and naps.delays == []
    assert len(wire.requests("POST", SPEECH)) == 1
    assert "Wait 3600 s" in info.value.message


async def test_slow_first_byte_is_waited_for_and_measured(studio, wire):
    wire.fail("POST", SPEECH, Fault("slow", delay=0.3))
    result = await speak(studio)
    assert result.latency.ttfb_ms is not None and result.latency.ttfb_ms >= 290
    assert result.latency.total_ms is not None and result.latency.total_ms >= result.latency.ttfb_ms


async def test_a_read_timeout_is_reported_and_not_resent(studio, wire, naps):
    studio.use_settings(dataclasses.replace(studio.settings, read_timeout_s=0.3))
    wire.fail("POST", SPEECH, Fault("hang", delay=1.0))
    with pytest.raises(NetworkError) as info:
        await speak(studio)
    assert "did not answer in time" in info.value.message
    assert len(wire.requests("POST", SPEECH)) == 1 and naps.delays == []
    actionable(info.value)


async def test_a_post_the_server_read_is_never_sent_twice(studio, wire, naps):
    wire.fail("POST", SPEECH, Fault("reset_before"))
    with pytest.raises(NetworkError) as info:
        await speak(studio)
    assert len(wire.requests("POST", SPEECH)) == 1 and naps.delays == []
    assert "not sent again" in info.value.message
    actionable(info.value)


async def test_a_stream_reset_mid_body_is_reported_after_the_audio_so_far(studio, wire):
    wire.fail("POST", SPEECH, Fault("reset_mid", keep=3000))
    provider = await studio.context.provider("openai")
    got = bytearray()
    with pytest.raises(NetworkError) as info:
        async for chunk in provider.stream(
            SpeechRequest("Hi", model="tts-1", format=AudioFormat.WAV)
        ):
            got += chunk.data
    assert len(got) == 3000 and bytes(got) == wav_bytes()[:3000]
    assert "after 3,000 bytes" in info.value.message
    assert len(wire.requests("POST", SPEECH)) == 1
    actionable(info.value)


async def test_a_truncated_body_is_reported_not_kept(studio, wire):
    wire.fail("POST", SPEECH, Fault("truncate", keep=100))
    with pytest.raises(NetworkError) as info:
        await speak(studio)
    assert len(wire.requests("POST", SPEECH)) == 1
    actionable(info.value)


async def test_an_html_error_page_from_a_gateway(studio, wire):
    page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"
    wire.fail("POST", "/gateway/v1/audio/speech", err(502, page), times=3)
    with pytest.raises(ProviderUnavailableError) as info:
        await speak(studio, "gateway")
    assert "HTML error page (502 Bad Gateway)" in info.value.message
    assert "<" not in info.value.message
    actionable(info.value)


async def test_malformed_json_is_a_protocol_error(studio, wire, tmp_path):
    wire.fail("POST", STT, err(200, b'{"text": "hel'))
    clip = tmp_path / "clip.wav"
    clip.write_bytes(wav_bytes())
    provider = await studio.context.provider("openai")
    with pytest.raises(ProviderProtocolError) as info:
        await provider.transcribe(TranscriptionRequest(clip))
    assert len(wire.requests("POST", STT)) == 1
    actionable(info.value)


@pytest.mark.parametrize(
    ("pid", "path", "status", "body", "kind", "words"),
    [
        ("openai", SPEECH, 401,
         {"error": {"message": "Incorrect API key provided: sk-test-*****cdef",
                    "type": "invalid_request_error", "code": "invalid_api_key"}},
         AuthenticationError, "Check the key"),
        ("openai", SPEECH, 429,
         {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota",
                    "code": "insufficient_quota"}},
         QuotaExceededError, "out of credits"),
        ("elevenlabs", "/elevenlabs/v1/text-to-speech", 401,
         {"detail": {"status": "quota_exceeded", "message": "This request exceeds your quota."}},
         QuotaExceededError, "exceeds your quota"),
        ("speaches", "/speaches/v1/audio/speech", 422,
         {"detail": [{"loc": ["body", "voice"], "msg": "Field required", "type": "missing"}]},
         InvalidRequestError, "voice: Field required"),
        ("kokoro", "/kokoro/v1/audio/speech", 400,
         {"message": "Unsupported voice", "code": "bad_voice", "type": "invalid_request"},
         InvalidRequestError, "Unsupported voice"),
        ("kokoro", "/kokoro/v1/audio/speech", 400,
         {"detail": {"error": "invalid_model", "message": "Model not found", "type": "x"}},
         InvalidRequestError, "Model not found"),
    ],
    ids=["401", "openai-quota-429", "elevenlabs-quota-401", "fastapi-422", "flat", "kokoro"],
)  # fmt: skip
async def test_refusals_are_typed_and_never_retried(
    studio, wire, naps, pid, path, status, body, kind, words
):
    wire.fail("POST", path, err(status, body), times=3)
    with pytest.raises(kind) as info:
        await speak(studio, pid, AudioFormat.MP3)
    assert words in info.value.message and not info.value.retryable
    assert len(wire.requests("POST", path)) == 1 and naps.delays == []
    assert info.value.provider == pid
    actionable(info.value)


async def test_413_says_the_limit(studio, wire, tmp_path):
    said = "Maximum content size limit (26214400) exceeded (26214401 bytes read)"
    body = {"error": {"message": said, "type": "server_error", "param": None, "code": None}}
    wire.fail("POST", STT, err(413, body))
    clip = tmp_path / "clip.wav"
    clip.write_bytes(wav_bytes())
    provider = await studio.context.provider("openai")
    with pytest.raises(InvalidRequestError) as info:
        await provider.transcribe(TranscriptionRequest(clip))
    assert "too large (the limit is 26 MB)" in info.value.message
    actionable(info.value)


async def test_an_empty_500_body(studio, wire):
    wire.fail("POST", SPEECH, err(500, b""), times=3)
    with pytest.raises(ProviderUnavailableError) as info:
        await speak(studio)
    assert "HTTP 500: Internal Server Error" in info.value.message


async def test_connection_refused_is_retried_then_reported(studio, naps):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    studio.use_settings(
        studio.settings.with_provider("openai", base_url=f"http://127.0.0.1:{port}/v1")
    )
    with pytest.raises(NetworkError) as info:
        await speak(studio)
    assert len(naps.delays) == 2  # connect errors are safe to retry, up to the limit
    assert f"127.0.0.1:{port}" in info.value.message
    actionable(info.value)


async def test_plain_http_to_another_computer_is_refused(studio, wire):
    studio.use_settings(studio.settings.with_provider("openai", base_url="http://example.com/v1"))
    with pytest.raises(ConfigurationError) as info:
        await speak(studio)
    assert "https://" in info.value.message and wire.log == []


async def test_cancelling_propagates_as_cancellation(studio, wire):
    wire.fail("POST", SPEECH, Fault("slow", delay=2.0))
    task = asyncio.ensure_future(speak(studio))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_polling_rides_out_a_short_outage_and_history_records_it(studio, wire):
    wire.fail("GET", "/replicate/v1/predictions/", err(503, b""))
    outcome = await studio.music.generate(MusicRequest("calm piano", duration_s=4))
    item = studio.history.get(outcome.item_id)
    assert item is not None and item.status is HistoryStatus.DONE


async def test_a_refused_music_job_leaves_a_failed_history_row(studio, wire):
    wire.fail("POST", "/replicate/v1/predictions", err(422, {"detail": "Invalid version"}))
    with pytest.raises(InvalidRequestError) as info:
        await studio.music.generate(MusicRequest("calm piano", duration_s=4))
    actionable(info.value)
    (item,) = studio.history.query(HistoryQuery())
    assert item.status is HistoryStatus.FAILED and "Invalid version" in (item.error or "")
