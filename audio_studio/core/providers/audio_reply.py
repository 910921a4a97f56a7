"""Audio a provider answers with, in every shape gateways use, checked to be audio.

Speech (``POST …/audio/speech``) and ImaRouter's ``POST …/audio/generate`` answer with one of:
the audio itself; JSON naming an audio URL (downloaded with the caps and checks of
outputs.download_audio); or JSON holding the audio as base64. The JSON field names are those the
async job parser reads too (``audio_url``, ``url``, ``output(s)``, ``b64_json``,
``audio_base64``, ``audio``), at the top level, in ``result`` or in ``data[0]``. Whatever the
shape, the bytes must decode (outputs.check_audio) before anyone keeps them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import ProviderProtocolError
from audio_studio.core.models import AudioFormat, Latency
from audio_studio.core.providers.outputs import (
    DownloadedAudio,
    check_audio,
    decode_base64_audio,
    download_audio,
    expect_audio,
    resolve_format,
)

if TYPE_CHECKING:
    from audio_studio.core.providers.http import ProviderHttp, Reply

__all__ = ["AudioRef", "audio_in_json", "first_value", "is_json_reply", "read_audio_reply"]

_URL_KEYS = ("audio_url", "url", "audio", "output", "outputs")
_B64_KEYS = ("audio_base64", "b64_json", "audio_b64")
_TYPE_KEYS = ("content_type", "mime_type", "format")
_LINKS = ("http://", "https://", "data:")


def first_value(d: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` in ``d`` with a value (not None, "" or [])."""
    for key in keys:
        value = d.get(key)
        if value not in (None, "", []):
            return value
    return None


def _url_in(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(_LINKS):
        return value
    if isinstance(value, list) and value:
        return _url_in(value[0])
    if isinstance(value, Mapping):
        return _url_in(first_value(value, "audio_url", "url", "audio", "output"))
    return None


@dataclass(frozen=True)
class AudioRef:
    """Where a JSON answer keeps its audio: an http(s) URL, or base64 (plain or a data: URL)."""

    url: str | None = None
    b64: str | None = None
    content_type: str = ""

    @property
    def found(self) -> bool:
        return bool(self.url or self.b64)


def audio_in_json(data: Mapping[str, Any]) -> AudioRef:
    """The audio a JSON answer names, whatever it calls the field (see the module docstring)."""
    places: list[Mapping[str, Any]] = [data]
    url = b64 = None
    for key in ("result", "data"):
        inner = data.get(key)
        if isinstance(inner, Mapping):
            places.append(inner)
        elif isinstance(inner, list) and inner and isinstance(inner[0], Mapping):
            places.append(inner[0])
        elif isinstance(inner, list):
            url = url or _url_in(inner)  # "data": ["https://…/a.mp3"]
    ctype = ""
    for place in places:
        url = url or next((u for k in _URL_KEYS if (u := _url_in(place.get(k)))), None)
        found = first_value(place, *_B64_KEYS)
        audio = place.get("audio")
        if not found and isinstance(audio, str) and not audio.startswith(_LINKS):
            found = audio
        b64 = b64 or (found if isinstance(found, str) else None)
        kind = first_value(place, *_TYPE_KEYS)
        ctype = ctype or (kind if isinstance(kind, str) and "/" in kind else "")
    if url and url.startswith("data:"):
        url, b64 = None, b64 or url
    return AudioRef(url, b64, ctype)


def is_json_reply(content_type: str, content: bytes) -> bool:
    """Whether a reply is JSON (by its type, or by its first byte when it has no type)."""
    if content_type == "application/json" or content_type.endswith("+json"):
        return True
    return not content_type and content.lstrip()[:1] in (b"{", b"[")


async def read_audio_reply(
    http: ProviderHttp, reply: Reply, expected: AudioFormat, *, what: str = "audio"
) -> DownloadedAudio:
    """The audio in ``reply`` (binary, a URL in JSON, or base64 in JSON), checked to decode.

    Args:
        expected: the format asked for, used when neither the bytes nor a type say otherwise.
        what: what was asked for, in words, for messages ("speech", "music").

    Raises:
        ProviderProtocolError: JSON without audio, a link that gives no audio, base64 that is
            not base64, or bytes that do not decode; nothing should be saved.
        ProviderError / NetworkError: the download of a URL failed.
    """
    latency = reply.latency
    if is_json_reply(reply.content_type, reply.content):
        body = reply.json()
        ref = audio_in_json(body) if isinstance(body, Mapping) else AudioRef()
        if ref.b64:
            data = decode_base64_audio(ref.b64, name=http.name)
            fmt = resolve_format(data, ref.content_type, expected)
        elif ref.url:
            got = await download_audio(http, ref.url, expected=expected)
            data, fmt = got.data, got.format
            # The answer's first byte, then the whole of both requests.
            total = (latency.total_ms or 0.0) + (got.latency.total_ms or 0.0)
            latency = Latency(latency.ttfb_ms, round(total, 3), latency.upload_ms)
        else:
            raise ProviderProtocolError(
                f"{http.name} answered the {what} request with JSON that holds no audio (no "
                "url, audio_url, b64_json, audio_base64 or audio field); nothing was saved. "
                "Check the model and voice names, then try again.",
                provider=http.provider_id,
            )
    else:
        data = expect_audio(reply)
        fmt = resolve_format(data, reply.content_type, expected)
    duration = await asyncio.to_thread(
        check_audio, data, fmt, name=http.name, provider=http.provider_id
    )
    return DownloadedAudio(data, fmt, latency, duration)
