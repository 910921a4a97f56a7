"""Provider outputs as audio bytes: binary, base64, URLs (capped download), multipart/mixed.

Every way a provider hands back audio ends here as bytes plus an AudioFormat that matches them:
the format is taken from the content type, then checked against the bytes' magic numbers.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audio_studio.core.errors import (
    ProviderError,
    ProviderProtocolError,
    UnsupportedFormatError,
)
from audio_studio.core.models import AudioFormat, AudioResult, Latency
from audio_studio.core.providers.http_reply import header_number

if TYPE_CHECKING:
    from audio_studio.core.providers.http import ProviderHttp, Reply

__all__ = [
    "MAX_AUDIO_BYTES",
    "DownloadedAudio",
    "MimePart",
    "check_audio",
    "checked_result",
    "decode_base64_audio",
    "download_audio",
    "expect_audio",
    "format_from_content_type",
    "parse_multipart",
    "pcm_to_wav",
    "resolve_format",
    "sniff_format",
]

MAX_AUDIO_BYTES = 300 * 1024 * 1024  # a 10-minute WAV at 48 kHz stereo is ~110 MB

_MIME_FORMATS = {
    "audio/mpeg": AudioFormat.MP3,
    "audio/mp3": AudioFormat.MP3,
    "audio/mpeg3": AudioFormat.MP3,
    "audio/wav": AudioFormat.WAV,
    "audio/wave": AudioFormat.WAV,
    "audio/x-wav": AudioFormat.WAV,
    "audio/vnd.wave": AudioFormat.WAV,
    "audio/flac": AudioFormat.FLAC,
    "audio/x-flac": AudioFormat.FLAC,
    "audio/opus": AudioFormat.OPUS,
    "audio/ogg": AudioFormat.OGG,
    "application/ogg": AudioFormat.OGG,
    "audio/aac": AudioFormat.AAC,
    "audio/aacp": AudioFormat.AAC,
    "audio/mp4": AudioFormat.M4A,
    "audio/x-m4a": AudioFormat.M4A,
    "video/mp4": AudioFormat.M4A,
    "audio/webm": AudioFormat.WEBM,
    "video/webm": AudioFormat.WEBM,
    "audio/l16": AudioFormat.PCM,
    "audio/pcm": AudioFormat.PCM,
}
# Content types a download may have: audio, or a generic binary type that we then sniff.
_BINARY_TYPES = ("application/octet-stream", "binary/octet-stream", "application/ogg", "")
_DATA_URL = re.compile(r"^data:([^;,]*)(;[^,]*)?,(.*)$", re.S)


def format_from_content_type(content_type: str) -> AudioFormat | None:
    return _MIME_FORMATS.get(content_type.split(";")[0].strip().lower())


def sniff_format(data: bytes, *, strong_only: bool = False) -> AudioFormat | None:
    """The format the bytes themselves say they are, from their first bytes.

    ``strong_only`` skips the two-byte MP3/AAC frame sync, which raw PCM can match by chance.
    """
    head = data[:64]
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return AudioFormat.WAV
    if head.startswith(b"fLaC"):
        return AudioFormat.FLAC
    if head.startswith(b"OggS"):
        return AudioFormat.OPUS if b"OpusHead" in head else AudioFormat.OGG
    if head.startswith(b"ID3"):
        return AudioFormat.MP3
    if head[4:8] == b"ftyp":
        return AudioFormat.M4A
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return AudioFormat.WEBM
    if not strong_only and len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # MP3 frames and ADTS AAC share the sync word; ADTS has layer bits 00.
        return AudioFormat.AAC if head[1] & 0x06 == 0 else AudioFormat.MP3
    return None


def resolve_format(data: bytes, content_type: str, expected: AudioFormat) -> AudioFormat:
    """The format of audio bytes: what the bytes say, else the content type, else ``expected``.

    Raw PCM (when it was asked for) has no header; only unmistakable magic overrides it.
    """
    if expected is AudioFormat.PCM:
        return sniff_format(data, strong_only=True) or AudioFormat.PCM
    return sniff_format(data) or format_from_content_type(content_type) or expected


def expect_audio(reply: Reply) -> bytes:
    """The body of a reply that should be audio; JSON, a web page or nothing is an error."""
    if reply.content_type in ("application/json", "text/html") or not reply.content:
        raise ProviderProtocolError(
            f"{reply.name} answered with {reply.content_type or 'nothing'} instead of audio. "
            "Check the model and voice names, then try again.",
            provider=reply.provider,
        )
    return reply.content


def pcm_to_wav(pcm: bytes, sample_rate: int, channels: int = 1) -> bytes:
    """Wrap raw signed 16-bit little-endian samples in a WAV header (no resampling)."""
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm[: len(pcm) - len(pcm) % (2 * channels)])
    return out.getvalue()


def decode_base64_audio(text: str, *, name: str, max_bytes: int = MAX_AUDIO_BYTES) -> bytes:
    """Audio given as base64 (plain, URL-safe, or a ``data:`` URL), checked for size and validity.

    Whitespace (MIME-style line breaks) is allowed; any other character outside the alphabet
    means the field is not base64 at all, which is said rather than decoded into noise.
    """
    text = text.strip()
    match = _DATA_URL.match(text)
    if match:
        if "base64" not in (match.group(2) or ""):
            raise ProviderProtocolError(f"{name} sent audio as a data URL that is not base64.")
        text = match.group(3)
    text = "".join(text.split())
    if len(text) * 3 // 4 > max_bytes:
        raise ProviderProtocolError(
            f"{name} sent more than {max_bytes // 2**20} MB of audio; it was refused."
        )
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            data = base64.b64decode(padded, altchars=b"-_", validate=True)
        else:
            data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProviderProtocolError(
            f"{name} sent an audio field that is not valid base64; nothing was saved. Try again."
        ) from exc
    if not data:
        raise ProviderProtocolError(f"{name} sent empty audio. Try again or change the prompt.")
    return data


def check_audio(
    data: bytes, fmt: AudioFormat, *, name: str, provider: str | None = None
) -> float | None:
    """That ``data`` really is audio: it decodes and has a duration. Blocking (decodes).

    Returns the duration in seconds; None for raw PCM, which has no header to check.

    Raises:
        ProviderProtocolError: the bytes are not audio (nothing should be saved from them).
    """
    if fmt is AudioFormat.PCM and sniff_format(data, strong_only=True) is None:
        if len(data) < 2:
            raise ProviderProtocolError(f"{name} sent no audio. Try again.", provider=provider)
        return None
    from audio_studio.core.audio.codec import decode

    try:
        audio = decode(data, name=f"the answer from {name}")
    except UnsupportedFormatError as exc:
        raise ProviderProtocolError(
            f"{name} answered with {len(data):,} bytes that are not audio (they do not decode); "
            "nothing was saved. Check the model and voice names, then try again.",
            provider=provider,
        ) from exc
    return audio.duration_s


async def checked_result(result: AudioResult, *, name: str) -> AudioResult:
    """``result`` once its bytes are known to be audio (:func:`check_audio`, off the loop).

    Raises:
        ProviderProtocolError: the bytes are not audio; nothing should be saved from them.
    """
    await asyncio.to_thread(
        check_audio, result.data, result.format, name=name, provider=result.provider
    )
    return result


@dataclass(frozen=True)
class MimePart:
    headers: dict[str, str]
    content: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_multipart(body: bytes, content_type: str, *, name: str) -> list[MimePart]:
    """Split a multipart/* body (ElevenLabs music /detailed is multipart/mixed) into its parts."""
    from email.parser import BytesParser
    from email.policy import HTTP

    if "boundary=" not in content_type.lower():
        raise ProviderProtocolError(f"{name} sent a multipart reply without a boundary.")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ProviderProtocolError(f"{name} sent a multipart reply that could not be split.")
    parts: list[MimePart] = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        headers = {k.lower(): str(v) for k, v in part.items()}
        parts.append(MimePart(headers, payload if isinstance(payload, bytes) else b""))
    if not parts:
        raise ProviderProtocolError(f"{name} sent a multipart reply with no parts.")
    return parts


@dataclass(frozen=True)
class DownloadedAudio:
    data: bytes
    format: AudioFormat
    latency: Latency
    duration_s: float | None = None  # when it was checked (check_audio)


async def download_audio(
    http: ProviderHttp,
    url: str,
    *,
    expected: AudioFormat,
    max_bytes: int = MAX_AUDIO_BYTES,
) -> DownloadedAudio:
    """Fetch audio from a URL a provider returned: http(s) or data: only, size-capped, audio only.

    Raises:
        ProviderError: a refused scheme, a web page or JSON instead of audio, or too large.
    """
    if url.startswith("data:"):
        data = decode_base64_audio(url, name=http.name, max_bytes=max_bytes)
        return DownloadedAudio(data, resolve_format(data, "", expected), Latency())
    try:
        async with http.stream("GET", url, long=True, max_bytes=max_bytes) as reply:
            ctype = reply.content_type
            size = int(header_number(reply.headers, "content-length") or 0)
            if size > max_bytes:
                raise ProviderError(
                    f"The audio {http.name} made is {size // 2**20} MB, over the "
                    f"{max_bytes // 2**20} MB the studio downloads. Ask for a shorter result.",
                    provider=http.provider_id,
                )
            if not (ctype.startswith("audio/") or ctype in _BINARY_TYPES or ctype in _MIME_FORMATS):
                raise ProviderProtocolError(
                    f"The result link from {http.name} gave {ctype or 'something'} instead of "
                    "audio (it may have expired); nothing was saved. Try again.",
                    provider=http.provider_id,
                )
            data = b"".join([chunk async for chunk in reply.aiter_bytes()])
            latency = reply.latency
    except ProviderError as exc:
        if exc.status is None or not 400 <= exc.status < 500 or exc.status in (408, 409, 429):
            raise
        # A result link is not the API: "check the key / base URL" would send the user astray.
        raise ProviderProtocolError(
            f"The result link from {http.name} could not be downloaded (HTTP {exc.status}); it "
            "may have expired. Nothing was saved. Try again.",
            provider=http.provider_id,
        ) from exc
    if not data:
        raise ProviderProtocolError(
            f"The result link from {http.name} gave no audio. Try again.", provider=http.provider_id
        )
    return DownloadedAudio(data, resolve_format(data, ctype, expected), latency)
