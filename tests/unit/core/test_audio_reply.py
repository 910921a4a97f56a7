"""Where a JSON answer keeps its audio (audio_reply.audio_in_json), base64 strictness, and the
"is it audio" check every answer passes before it is kept."""

from __future__ import annotations

import base64

import pytest

from audio_studio.core.errors import ProviderProtocolError
from audio_studio.core.models import AudioFormat
from audio_studio.core.providers.audio_reply import AudioRef, audio_in_json, is_json_reply
from audio_studio.core.providers.outputs import check_audio, decode_base64_audio
from audio_studio.core.providers.polling import parse_gateway_status
from tests.servers.audio import mp3_bytes, wav_bytes

URL = "https://cdn.example/a.mp3"


@pytest.mark.parametrize(
    ("body", "want"),
    [
        ({"url": URL}, AudioRef(url=URL)),
        ({"audio_url": URL, "content_type": "audio/mpeg"}, AudioRef(url=URL,
                                                                     content_type="audio/mpeg")),
        ({"audio": URL}, AudioRef(url=URL)),
        ({"audio": {"url": URL}}, AudioRef(url=URL)),
        ({"output": [URL]}, AudioRef(url=URL)),
        ({"data": [{"url": URL}]}, AudioRef(url=URL)),
        ({"data": [URL]}, AudioRef(url=URL)),
        ({"result": {"audio_url": URL}}, AudioRef(url=URL)),
        ({"b64_json": "QUJD"}, AudioRef(b64="QUJD")),
        ({"audio_base64": "QUJD"}, AudioRef(b64="QUJD")),
        ({"audio": "QUJD"}, AudioRef(b64="QUJD")),
        ({"data": [{"b64_json": "QUJD", "mime_type": "audio/wav"}]},
         AudioRef(b64="QUJD", content_type="audio/wav")),
        ({"audio": "data:audio/mpeg;base64,QUJD"}, AudioRef(b64="data:audio/mpeg;base64,QUJD")),
        ({"id": "x", "status": "done"}, AudioRef()),
        ({"audio": "QUJD", "output": URL}, AudioRef(url=URL, b64="QUJD")),
    ],
)  # fmt: skip
def test_every_field_name_gateways_use(body, want):
    assert audio_in_json(body) == want
    assert audio_in_json(body).found is (want != AudioRef())


def test_the_job_parser_reads_the_same_fields():
    status = parse_gateway_status({"status": "completed", "data": [{"b64_json": "QUJD"}]})
    assert status.audio_b64 == "QUJD" and status.audio_url is None
    status = parse_gateway_status({"status": "completed", "result": {"audio_url": URL}})
    assert status.audio_url == URL


def test_json_is_recognised_with_or_without_a_type():
    assert is_json_reply("application/json", b"")
    assert is_json_reply("application/problem+json", b"")
    assert is_json_reply("", b'  {"url": 1}')
    assert not is_json_reply("", b"ID3\x04") and not is_json_reply("audio/mpeg", b"{")


def test_base64_that_is_not_base64_is_refused_not_decoded_into_noise():
    raw = mp3_bytes()
    text = base64.b64encode(raw).decode()
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))  # MIME lines
    assert decode_base64_audio(wrapped, name="P") == raw
    assert decode_base64_audio(base64.urlsafe_b64encode(raw).decode(), name="P") == raw
    with pytest.raises(ProviderProtocolError, match="not valid base64; nothing was saved"):
        decode_base64_audio("this is not base64 at all!", name="P")


def test_only_audio_passes_the_check():
    assert check_audio(mp3_bytes(), AudioFormat.MP3, name="P") == pytest.approx(1.0, abs=0.06)
    assert check_audio(wav_bytes(), AudioFormat.WAV, name="P") == pytest.approx(0.5)
    assert check_audio(wav_bytes()[44:], AudioFormat.PCM, name="P") is None  # no header to read
    for junk in (b"string", b"<html>quota</html>" * 30, b'{"error": "none"}'):
        with pytest.raises(ProviderProtocolError, match="not audio"):
            check_audio(junk, AudioFormat.MP3, name="P")
