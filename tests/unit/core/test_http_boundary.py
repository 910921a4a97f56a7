"""The HTTP boundary's pure parts: error bodies of every shape, Retry-After, backoff, URLs, keys."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from audio_studio.core.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    ProviderError,
    ProviderUnavailableError,
    QuotaExceededError,
    RateLimitedError,
)
from audio_studio.core.models import Secret
from audio_studio.core.providers.http import ProviderHttp, RetryPolicy
from audio_studio.core.providers.http_errors import (
    error_for_status,
    parse_error_body,
    retry_after_seconds,
)
from audio_studio.core.providers.http_urls import check_base_url, check_response_url, is_loopback
from audio_studio.core.settings import Settings


@pytest.mark.parametrize(
    ("body", "ctype", "message", "code", "kind"),
    [
        (b'{"error": {"message": "Bad voice", "type": "invalid_request_error", "code": "x"}}',
         "application/json", "Bad voice", "x", "json"),
        (b'{"error": {"message": "Quota", "type": "insufficient_quota", "code": null}}',
         "application/json", "Quota", "insufficient_quota", "json"),
        (b'{"detail": {"status": "quota_exceeded", "message": "Over quota"}}', "", "Over quota",
         "quota_exceeded", "json"),
        (b'{"detail": [{"loc": ["body", "text"], "msg": "field required"}]}', "",
         "text: field required", "validation_error", "json"),
        (b'{"detail": "Request was throttled."}', "", "Request was throttled.", None, "json"),
        (b'{"message": "flat", "code": "c", "type": "t"}', "", "flat", "c", "json"),
        (b'{"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials."}', "",
         "Invalid credentials.", "INVALID_AUTH", "json"),
        (b'{"error": "plain string"}', "", "plain string", None, "json"),
        (b"<html><title>503 Service Temporarily Unavailable</title></html>", "text/html",
         "503 Service Temporarily Unavailable", None, "html"),
        (b"  ", "", None, None, "empty"),
        (b'{"error": ', "application/json", None, None, "malformed"),
        (b"upstream connect error\nreset", "text/plain", "upstream connect error", None, "text"),
    ],
    ids=["openai", "openai-quota", "elevenlabs", "fastapi-422", "rfc7807", "flat", "deepgram",
         "string", "html", "empty", "malformed", "text"],
)  # fmt: skip
def test_error_bodies_of_every_shape(body, ctype, message, code, kind):
    parsed = parse_error_body(body, ctype)
    assert (parsed.message, parsed.code, parsed.kind) == (message, code, kind)


def _error(status: int, body: bytes, **kw: object) -> ProviderError:
    return error_for_status(
        status, parse_error_body(body), name="P", provider="p", what="POST /x",
        retry_after=kw.get("retry_after"), scrub=lambda t: t, upload_limit="25 MB",
    )  # type: ignore[arg-type]  # fmt: skip


def test_statuses_map_to_the_error_tree():
    assert isinstance(_error(401, b""), AuthenticationError)
    assert isinstance(_error(403, b""), AuthenticationError)
    assert isinstance(_error(402, b""), QuotaExceededError)
    assert isinstance(_error(401, b'{"detail": {"status": "quota_exceeded"}}'), QuotaExceededError)
    quota = _error(429, b'{"error": {"type": "insufficient_quota", "message": "m"}}')
    assert isinstance(quota, QuotaExceededError) and not quota.retryable
    limited = _error(429, b"", retry_after=7.0)
    assert isinstance(limited, RateLimitedError) and limited.retry_after == 7 and limited.retryable
    assert isinstance(_error(413, b""), InvalidRequestError)
    assert "the limit is 25 MB" in _error(413, b"").message
    assert isinstance(_error(422, b""), InvalidRequestError)
    assert isinstance(_error(404, b""), InvalidRequestError)
    for status in (408, 409, 500, 502, 503, 504):
        assert isinstance(_error(status, b""), ProviderUnavailableError)


def test_retry_after_in_every_spelling():
    now = time.time()
    assert retry_after_seconds({"retry-after-ms": "1500"}) == 1.5
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert 28 <= (retry_after_seconds({"retry-after": date}, now=now) or 0) <= 31
    assert retry_after_seconds({"retry-after": email.utils.formatdate(now - 60, usegmt=True)}) == 0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_backoff_grows_is_capped_and_jittered():
    policy = RetryPolicy(base_s=0.5, cap_s=8.0)
    delays = [policy.backoff(n) for n in range(8)]
    assert 0.375 <= delays[0] <= 0.5 and 0.75 <= delays[1] <= 1.0
    assert all(6.0 <= d <= 8.0 for d in delays[5:])
    # Settings may say more; one request is never sent more than 3 times (README "Retries").
    assert RetryPolicy.from_settings(Settings(retry_limit=5)).limit == 2
    assert RetryPolicy.from_settings(Settings(retry_limit=1)).limit == 1


def test_base_urls_and_reply_urls():
    assert check_base_url("https://api.openai.com/v1", "P")
    assert check_base_url("http://localhost:8880/v1", "P")
    assert check_base_url("http://127.0.0.2:1/v1", "P") and is_loopback("[::1]")
    for bad in ("http://192.168.1.5:8080/v1", "ftp://x/v1", "api.openai.com/v1", "file:///etc"):
        with pytest.raises(ConfigurationError):
            check_base_url(bad, "P")
    assert check_response_url("https://cdn.example.com/a.mp3", "P")
    assert check_response_url("http://127.0.0.1:8080/a.mp3", "P")  # this computer
    # Plain http to another computer is refused for what replies point to (item 3).
    for bad in ("http://cdn.example.com/a.mp3", "file:///etc/passwd", "javascript:alert(1)",
                "ftp://x/a.mp3"):  # fmt: skip
        with pytest.raises(ProviderError):
            check_response_url(bad, "P")


def _http(handler, base: str = "https://api.example.com/v1", **kw) -> ProviderHttp:  # type: ignore[no-untyped-def]
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ProviderHttp(
        provider_id="p", name="P", client=lambda: client, base_url=base, settings=Settings(),
        api_key=Secret("sk-unit-0123456789abcdef"), retry=RetryPolicy(limit=2, base_s=0, cap_s=0),
        **kw,
    )  # fmt: skip


async def test_the_key_follows_a_redirect_only_within_its_origin():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v1/models":
            return httpx.Response(307, headers={"location": "/v1/models/"})
        if request.url.path == "/v1/models/":
            return httpx.Response(302, headers={"location": "https://cdn.example.net/list"})
        return httpx.Response(200, json={"data": []})

    reply = await _http(handler).request("GET", "models")
    assert reply.status == 200 and [str(r.url) for r in seen][-1] == "https://cdn.example.net/list"
    assert [("authorization" in r.headers) for r in seen] == [True, True, False]


async def test_x_should_retry_overrides_the_status():
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(400, headers={"x-should-retry": "true"})
        if len(calls) == 2:
            return httpx.Response(503, headers={"x-should-retry": "false"})
        return httpx.Response(200)

    with pytest.raises(ProviderUnavailableError):
        await _http(handler).request("POST", "x", json={})
    assert len(calls) == 2


async def test_a_post_redirected_with_302_is_not_replayed():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "https://api.example.com/v2/x"})

    with pytest.raises(ProviderError, match="redirected a POST"):
        await _http(handler).request("POST", "x", json={})


async def test_the_scrub_removes_the_key_and_key_shapes():
    http = _http(lambda r: httpx.Response(200))
    text = http.scrub("key sk-unit-0123456789abcdef and sk-other-9999999999999 and fine")
    assert "0123456789abcdef" not in text and "sk-other-9999999999999" not in text
    assert text.endswith("and fine")


@pytest.mark.parametrize(
    ("method", "status", "sent"),
    [
        ("POST", 409, 1),  # may mean the work is being done: never twice
        ("POST", 501, 1),
        ("POST", 500, 3),  # an error answer delivers nothing, so nothing is billed twice
        ("POST", 503, 3),
        ("POST", 408, 3),
        ("GET", 409, 3),  # reading again costs nothing
        ("GET", 501, 3),
    ],
)
async def test_the_retry_policy_by_method_and_status(method: str, status: int, sent: int) -> None:
    """README "Retries": which failures are sent again, and at most 3 attempts in all."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(status, json={"error": {"message": "no"}})

    with pytest.raises(ProviderError):
        await _http(handler).request(method, "x", **({"json": {}} if method == "POST" else {}))
    assert len(calls) == sent
