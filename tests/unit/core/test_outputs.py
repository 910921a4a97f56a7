"""Normalising provider outputs: magic numbers, content types, base64, data URLs, multipart, PCM."""

from __future__ import annotations

import base64
import io
import wave

import pytest

from audio_studio.core.errors import ProviderProtocolError
from audio_studio.core.models import AudioFormat
from audio_studio.core.providers.outputs import (
    decode_base64_audio,
    format_from_content_type,
    parse_multipart,
    pcm_to_wav,
    resolve_format,
    sniff_format,
)


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", AudioFormat.WAV),
        (b"fLaC\x00", AudioFormat.FLAC),
        (b"OggS\x00" + b"\x00" * 23 + b"OpusHead", AudioFormat.OPUS),
        (b"OggS\x00" + b"\x00" * 23 + b"\x01vorbis", AudioFormat.OGG),
        (b"ID3\x04\x00", AudioFormat.MP3),
        (b"\xff\xfb\x90\x64", AudioFormat.MP3),
        (b"\xff\xf1\x50\x80", AudioFormat.AAC),
        (b"\x00\x00\x00\x20ftypM4A ", AudioFormat.M4A),
        (b"\x1a\x45\xdf\xa3\x01", AudioFormat.WEBM),
        (b'{"error": 1}', None),
    ],
)
def test_magic_numbers(head, fmt):
    assert sniff_format(head) is fmt


def test_the_bytes_win_over_the_label_and_pcm_stays_pcm():
    assert resolve_format(b"ID3....", "audio/wav", AudioFormat.WAV) is AudioFormat.MP3
    assert resolve_format(b"????", "audio/flac", AudioFormat.MP3) is AudioFormat.FLAC
    assert resolve_format(b"\xff\xfb\x00\x00", "", AudioFormat.PCM) is AudioFormat.PCM
    assert resolve_format(b"RIFF\x00\x00\x00\x00WAVE", "", AudioFormat.PCM) is AudioFormat.WAV
    assert format_from_content_type("audio/mpeg; charset=x") is AudioFormat.MP3


def test_base64_and_data_urls():
    raw = b"ID3" + bytes(range(200))
    text = base64.b64encode(raw).decode()
    assert decode_base64_audio(text, name="P") == raw
    assert decode_base64_audio(text.rstrip("="), name="P") == raw
    assert decode_base64_audio(f"data:audio/mpeg;base64,{text}", name="P") == raw
    with pytest.raises(ProviderProtocolError, match="more than"):
        decode_base64_audio(text, name="P", max_bytes=10)
    with pytest.raises(ProviderProtocolError):
        decode_base64_audio("data:audio/mpeg,notbase64", name="P")
    with pytest.raises(ProviderProtocolError, match="empty"):
        decode_base64_audio("", name="P")


def test_pcm_to_wav_keeps_the_samples():
    pcm = bytes(range(256)) * 4 + b"\x01"  # an odd trailing byte is dropped
    with wave.open(io.BytesIO(pcm_to_wav(pcm, 22050))) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (22050, 1, 2)
        assert w.readframes(w.getnframes()) == pcm[:-1]


def test_multipart_mixed():
    body = (
        b'--XyZ\r\nContent-Type: application/json\r\n\r\n{"a": 1}\r\n'
        b"--XyZ\r\nContent-Type: audio/mpeg\r\nContent-Disposition: attachment; filename=s.mp3"
        b"\r\n\r\nID3\x00\r\n\xff\r\n--XyZ--\r\n"
    )
    json_part, audio_part = parse_multipart(body, "multipart/mixed; boundary=XyZ", name="P")
    assert json_part.content == b'{"a": 1}' and json_part.content_type == "application/json"
    assert audio_part.content == b"ID3\x00\r\n\xff"
    with pytest.raises(ProviderProtocolError, match="boundary"):
        parse_multipart(body, "multipart/mixed", name="P")
