"""Vendor error bodies of every shape, Retry-After hints, and the StudioError each status becomes.

Pure functions (no I/O), used by ``providers/http.py``: OpenAI ``{"error": {...}}``, ElevenLabs
``{"detail": {...}}``, FastAPI 422 lists, RFC 7807 problems, flat bodies, HTML error pages from
gateways, and empty bodies all end up as one short vendor message plus a machine code.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import (
    AuthenticationError,
    InvalidRequestError,
    ProviderError,
    ProviderUnavailableError,
    QuotaExceededError,
    RateLimitedError,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ErrorBody",
    "error_for_status",
    "is_quota",
    "parse_error_body",
    "read_error_body",
    "retry_after_seconds",
]

# Codes that mean "out of credits": retrying cannot help, whatever the status says.
_QUOTA_CODES = frozenset(
    {
        "insufficient_quota",  # OpenAI, on a 429
        "quota_exceeded",  # ElevenLabs, on a 401
        "billing_hard_limit_reached",
        "payment_required",
        "asr_payment_required",  # Deepgram, on a 402
        "insufficient_credits",
        "insufficient_balance",
    }
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_MAX_MESSAGE = 300


@dataclass(frozen=True)
class ErrorBody:
    """What an error reply said: a short message, the vendor's code, and what the body was."""

    message: str | None
    code: str | None
    kind: str  # json | html | text | empty | malformed


def _short(text: str, limit: int = _MAX_MESSAGE) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _from_dict(d: Mapping[str, Any]) -> tuple[str | None, str | None]:
    err = d.get("error")
    if isinstance(err, Mapping):  # OpenAI, Groq, LocalAI: {"error": {message, type, code}}
        code = err.get("code") or err.get("type")
        return _text(err.get("message")), _text(code) if code is not None else None
    detail = d.get("detail")
    if isinstance(detail, Mapping):
        # ElevenLabs {"detail": {"status": code, "message"}}; Kokoro {"detail": {error, message}}.
        code = (
            detail.get("status") or detail.get("code") or detail.get("error") or detail.get("type")
        )
        message = detail.get("message") or detail.get("msg") or detail.get("error")
        return _text(message), _text(code)
    if isinstance(detail, list):  # FastAPI validation: [{"loc": [...], "msg", "type"}]
        return _validation_list(detail), "validation_error"
    if isinstance(err, str):  # AssemblyAI and friends: {"error": "text"}
        return err, _text(d.get("code"))
    if isinstance(detail, str):  # Replicate (RFC 7807) and FastAPI HTTPException
        return detail, _text(d.get("code") or d.get("title"))
    if "message" in d:  # openedai-speech: flat {message, code, type, param}
        return _text(d.get("message")), _text(d.get("code") or d.get("type"))
    if "err_msg" in d:  # Deepgram
        return _text(d.get("err_msg")), _text(d.get("err_code"))
    if "title" in d:
        return _text(d.get("title")), None
    errors = d.get("errors")
    if isinstance(errors, list) and errors:  # Stability
        return "; ".join(str(e) for e in errors), _text(d.get("name"))
    return None, None


def _validation_list(items: list[Any]) -> str:
    parts = []
    for item in items[:5]:
        if not isinstance(item, Mapping):
            parts.append(str(item))
            continue
        loc = [str(x) for x in item.get("loc") or () if x != "body"]
        msg = str(item.get("msg") or item.get("message") or "invalid")
        parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
    return "; ".join(parts)


def parse_error_body(body: bytes, content_type: str = "") -> ErrorBody:
    """Read an error reply of any shape into a short message and a code."""
    stripped = body.strip()
    if not stripped:
        return ErrorBody(None, None, "empty")
    ctype = content_type.lower()
    if "html" in ctype or stripped[:1] == b"<":
        import html

        match = _TITLE.search(stripped)
        raw = match.group(1) if match else stripped[:2000]
        text = html.unescape(_TAGS.sub(" ", raw.decode("utf-8", "replace")))
        return ErrorBody(_short(text, 120) or None, None, "html")
    if stripped[:1] in (b"{", b"[") or "json" in ctype:
        try:
            data = json.loads(stripped)
        except ValueError:
            return ErrorBody(None, None, "malformed")
        if isinstance(data, Mapping):
            message, code = _from_dict(data)
            return ErrorBody(_short(message) if message else None, code, "json")
        if isinstance(data, list):
            return ErrorBody(_short(_validation_list(data)), None, "json")
        return ErrorBody(_short(str(data)), None, "json")
    return ErrorBody(_short(stripped.decode("utf-8", "replace").splitlines()[0]), None, "text")


def is_quota(status: int, body: ErrorBody) -> bool:
    return status == 402 or (body.code or "").lower() in _QUOTA_CODES


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The server's wait hint: ``retry-after-ms``, else ``Retry-After`` in seconds or as a date."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def error_for_status(
    status: int,
    body: ErrorBody,
    *,
    name: str,
    provider: str,
    what: str,
    retry_after: float | None,
    scrub: Callable[[str], str],
    upload_limit: str | None = None,
) -> ProviderError:
    """The StudioError for an HTTP error reply, with a message that says what to do.

    Args:
        name: the provider's display name.
        what: the request in words, e.g. "POST /audio/speech".
        scrub: removes the key (and anything key-shaped) from vendor text.
        upload_limit: the provider's upload limit in words, for 413 messages.
    """
    said = scrub(body.message) if body.message else _REASONS.get(status, "")
    if body.kind == "html":
        said = f"an HTML error page{f' ({said})' if said else ''}"
    elif body.kind == "malformed":
        said = f"{_REASONS.get(status, 'an error')} with an unreadable body"
    detail = f"HTTP {status}{f': {said}' if said else ''}"
    code = scrub(body.code) if body.code else None
    kwargs: dict[str, Any] = {"status": status, "code": code, "provider": provider}
    if is_quota(status, body):
        return QuotaExceededError(
            f"{name} says the account is out of credits or over its quota ({detail}). Add "
            "credits or raise the limit on the provider's website, or choose another provider.",
            **kwargs,
        )
    if status in (401, 403):
        return AuthenticationError(
            f"{name} refused the API key ({detail}). Check the key in Settings → Providers "
            "(or its environment variable) and that it may use this model.",
            **kwargs,
        )
    if status == 429:
        wait = f" Wait {retry_after:.0f} s and try again" if retry_after else " Try again shortly"
        return RateLimitedError(
            f"{name} is limiting how fast requests may be sent ({detail}).{wait}, or run "
            "fewer jobs at once.",
            retry_after=retry_after,
            code=code,
            provider=provider,
        )
    if status == 413:
        limit = f" (the limit is {upload_limit})" if upload_limit else ""
        return InvalidRequestError(
            f"{name} refused the request as too large{limit} ({detail}). Use a shorter or "
            "compressed file, or split it.",
            **kwargs,
        )
    if status == 404:
        return InvalidRequestError(
            f"{name} has no {what} ({detail}). Check the base URL and the model or voice name.",
            **kwargs,
        )
    if 400 <= status < 500 and status not in (408, 409):
        return InvalidRequestError(
            f"{name} refused the request ({detail}). Check the text, model, voice and options.",
            **kwargs,
        )
    if body.kind == "html" or status >= 500 or status in (408, 409):
        return ProviderUnavailableError(
            f"{name} is not answering properly right now ({detail}). Try again in a few "
            "minutes; if it keeps happening, check the base URL or the provider's status page.",
            **kwargs,
        )
    return ProviderError(f"{name} answered {detail} to {what}.", **kwargs)


_MAX_ERROR_BODY = 64 * 1024


async def read_error_body(response: httpx.Response, limit: int = _MAX_ERROR_BODY) -> bytes:
    """Read up to ``limit`` bytes of an error body; a broken body gives what arrived."""
    import httpx

    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            parts.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    except httpx.HTTPError:
        pass  # the status already says what failed; the body is only detail
    return b"".join(parts)[:limit]
