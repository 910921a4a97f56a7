"""The providers' one HTTP boundary: retries, timeouts, latency, and every failure as a StudioError.

Every provider call goes through :class:`ProviderHttp` on the shared ``httpx.AsyncClient``.

Retries happen only where the server cannot have acted on the request: connection failures
(nothing was sent) and the statuses 408, 409, 429 and 5xx (the server answered "not done").
A request that reached the server and then timed out, or a reply that broke after bytes arrived,
is reported and never re-sent, so a POST the server accepted is never sent twice.
``asyncio.CancelledError`` always propagates. Keys are attached only to the base URL's origin,
redirects are followed by hand for that reason, and no error text ever carries the key.

httpx is imported inside functions: provider modules are imported at start-up and must be cheap.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from audio_studio.core.errors import (
    ConfigurationError,
    NetworkError,
    ProviderError,
    RateLimitedError,
)
from audio_studio.core.logs import redact
from audio_studio.core.models import Secret
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.providers.http_errors import (
    error_for_status,
    is_quota,
    parse_error_body,
    read_error_body,
    retry_after_seconds,
)
from audio_studio.core.providers.http_reply import Reply, StreamReply, Timing, timed_upload
from audio_studio.core.providers.http_retry import RetryPolicy, SleepFn
from audio_studio.core.providers.http_urls import (
    AuthFn,
    bearer_auth,
    check_base_url,
    check_response_url,
    header_auth,
    is_loopback,
    same_origin,
)
from audio_studio.core.settings import Settings

if TYPE_CHECKING:
    import httpx

    from audio_studio.core.providers.base import ProviderInfo
    from audio_studio.core.providers.registry import ProviderContext

__all__ = [
    "AuthFn",
    "ProviderHttp",
    "Reply",
    "RetryPolicy",
    "SleepFn",
    "StreamReply",
    "bearer_auth",
    "check_base_url",
    "check_response_url",
    "header_auth",
    "is_loopback",
]

log = logging.getLogger(__name__)

# The retry policy (README "Retries", http_retry.RetryPolicy): see ``_failure``.
# Any request may be sent again after these: the server refused it before doing the work, and
# an error answer delivers nothing, so nothing is billed for it.
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# A GET is also sent again after these (reading twice costs nothing); a POST is not: a 409 or
# an unusual 5xx may mean the work was (or is being) done.
_RETRY_STATUSES_GET = frozenset({409}) | frozenset(range(500, 600))
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


class ProviderHttp:
    """One provider's view of the shared client: its base URL, key, retry policy and timeouts.

    Args:
        provider_id / name: for errors and logs.
        client: returns the shared AsyncClient (created lazily by the service).
        base_url: the API root; paths are joined to it. Checked on first use.
        api_key: sent only to the base URL's origin, built into a header by ``auth``.
        settings: timeouts (connect, read, long read for music) and the retry limit.
        retry: overrides the policy built from settings (tests use short delays).
        sleep: the wait between retries (tests record it).
        upload_limit: the upload limit in words, for "too large" messages.
    """

    def __init__(
        self,
        *,
        provider_id: str,
        name: str,
        client: Callable[[], httpx.AsyncClient],
        base_url: str | None,
        settings: Settings,
        api_key: Secret | None = None,
        auth: AuthFn = bearer_auth,
        retry: RetryPolicy | None = None,
        sleep: SleepFn = asyncio.sleep,
        upload_limit: str | None = None,
    ) -> None:
        self.provider_id = provider_id
        self.name = name
        self._client = client
        self._base_url = base_url
        self._settings = settings
        self._key = api_key
        self._auth = auth
        self.retry = retry or RetryPolicy.from_settings(settings)
        self.sleep = sleep
        self.upload_limit = upload_limit

    @classmethod
    def for_context(
        cls,
        info: ProviderInfo,
        ctx: ProviderContext,
        *,
        auth: AuthFn = bearer_auth,
        retry: RetryPolicy | None = None,
        sleep: SleepFn | None = None,
        upload_limit: str | None = None,
    ) -> ProviderHttp:
        """The boundary for one provider, from what the service hands every provider."""
        return cls(
            provider_id=info.id,
            name=info.name,
            client=ctx.http,
            base_url=ctx.base_url,
            settings=ctx.settings,
            api_key=ctx.api_key,
            auth=auth,
            retry=retry,
            sleep=sleep or asyncio.sleep,
            upload_limit=upload_limit,
        )

    # -- URLs, headers, text ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if not self._base_url:
            raise ConfigurationError(
                f"{self.name} has no base URL. Set one in Settings → Providers "
                "(or pass --base-url).",
                provider=self.provider_id,
            )
        return check_base_url(self._base_url, self.name)

    def url(self, path: str) -> str:
        """``path`` joined to the base URL; absolute URLs (poll URLs from replies) are checked."""
        if path.startswith(("http://", "https://")):
            return check_response_url(path, self.name, self.provider_id)
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"

    def scrub(self, text: str) -> str:
        """Remove the key itself and anything key-shaped from text that may reach the user."""
        if self._key and len(self._key.reveal()) >= 4:
            text = text.replace(self._key.reveal(), "***")
        return redact(text)

    def _headers(self, url: str, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self._key and self._base_url and same_origin(url, self._base_url):
            headers.update(self._auth(self._key))
        return headers

    @property
    def deadline_s(self) -> float:
        """How long an async job is polled before the studio stops waiting (it can resume)."""
        return self._settings.music_read_timeout_s

    def timeout(self, *, long: bool = False) -> httpx.Timeout:
        import httpx

        s = self._settings
        read = s.music_read_timeout_s if long else s.read_timeout_s
        return httpx.Timeout(read, connect=s.connect_timeout_s, pool=s.connect_timeout_s)

    # -- calls -----------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        long: bool = False,
        progress: ProgressFn | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Reply:
        """Send a request and read the whole reply; error statuses raise.

        ``kwargs`` are httpx's: json, data, files, params, content.

        Raises:
            ProviderError subclasses for error statuses, NetworkError for transport failures.
        """
        url = self.url(path)
        response, timing = await self._send(method, url, long, progress, headers, kwargs)
        stream = StreamReply(self, response, timing, max_bytes)
        try:
            content = b"".join([chunk async for chunk in stream.aiter_bytes()])
        finally:
            await response.aclose()
        return Reply(
            response.status_code,
            response.headers,
            content,
            str(response.url),
            stream.latency,
            self.name,
            self.provider_id,
        )

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        long: bool = False,
        progress: ProgressFn | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[StreamReply]:
        """Send a request and yield the reply for reading as it arrives (audio, SSE, NDJSON)."""
        url = self.url(path)
        response, timing = await self._send(method, url, long, progress, headers, kwargs)
        try:
            yield StreamReply(self, response, timing, max_bytes)
        finally:
            await response.aclose()

    async def _send(
        self,
        method: str,
        url: str,
        long: bool,
        progress: ProgressFn | None,
        headers: Mapping[str, str] | None,
        kwargs: dict[str, Any],
    ) -> tuple[httpx.Response, Timing]:
        import httpx

        what = f"{method} {urlsplit(url).path}"
        timing = Timing(time.perf_counter())
        retry = 0
        while True:
            timing.attempt(time.perf_counter())
            try:
                response = await self._send_once(
                    method, url, long, progress, headers, kwargs, timing
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Nothing reached the server: safe to try again, even for a POST.
                if retry >= self.retry.limit:
                    raise self.network_error(exc, url) from exc
                delay = self.retry.backoff(retry)
                retry += 1
                log.info(
                    "%s: %s failed to connect; retry %d in %.2f s", self.name, what, retry, delay
                )
                await self.sleep(delay)
                continue
            except httpx.HTTPError as exc:
                raise self.network_error(exc, url, method) from exc
            log.info(
                "%s: %s -> %d in %.0f ms", self.name, what, response.status_code, timing.ttfb_ms()
            )
            if response.status_code < 400:
                return response, timing
            try:
                body = await read_error_body(response)
            finally:
                await response.aclose()
            wait, error = self._failure(response, body, what, retry, method)
            if wait is None:
                raise error
            delay = wait
            retry += 1
            log.info(
                "%s: %s answered %d; retry %d in %.2f s",
                self.name,
                what,
                response.status_code,
                retry,
                delay,
            )
            await self.sleep(delay)

    def _failure(
        self, response: httpx.Response, body: bytes, what: str, retry: int, method: str = "GET"
    ) -> tuple[float | None, ProviderError]:
        """The error for a failed reply, and the wait before retrying (None: do not retry).

        Retried: 408, 429 (not a spent quota) and 500/502/503/504 for any method; any 5xx and
        409 for a GET; whatever the server marks ``x-should-retry: true``. Never: another 4xx,
        a quota, a POST's 409 or other 5xx. A reply that began as a success and then broke is
        not an error status and never gets here: it is not sent again (``_send``).
        """
        status = response.status_code
        parsed = parse_error_body(body, response.headers.get("content-type", ""))
        hint = retry_after_seconds(response.headers)
        error = error_for_status(
            status,
            parsed,
            name=self.name,
            provider=self.provider_id,
            what=what,
            retry_after=hint,
            scrub=self.scrub,
            upload_limit=self.upload_limit,
        )
        should = response.headers.get("x-should-retry", "").lower()
        statuses = _RETRY_STATUSES | (_RETRY_STATUSES_GET if method == "GET" else frozenset())
        retryable = status in statuses and not is_quota(status, parsed)
        if should in ("true", "false"):
            retryable = should == "true" and not is_quota(status, parsed)
        if not retryable or retry >= self.retry.limit:
            return None, error
        if hint is None:
            return self.retry.backoff(retry), error
        if hint > self.retry.max_hint_s:
            if isinstance(error, RateLimitedError):
                error.retry_after = hint
            return None, error
        return hint, error

    async def _send_once(
        self,
        method: str,
        url: str,
        long: bool,
        progress: ProgressFn | None,
        headers: Mapping[str, str] | None,
        kwargs: dict[str, Any],
        timing: Timing,
    ) -> httpx.Response:
        client = self._client()
        for _hop in range(_MAX_REDIRECTS + 1):
            request = client.build_request(
                method,
                url,
                headers=self._headers(url, headers),
                timeout=self.timeout(long=long),
                **kwargs,
            )
            if method != "GET":
                request.stream = timed_upload(request, timing, progress)
            response = await client.send(request, stream=True, follow_redirects=False)
            timing.headers_at = time.perf_counter()
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            await response.aclose()
            if method != "GET" and response.status_code not in (307, 308):
                raise ProviderError(
                    f"{self.name} redirected a {method} request to {location}; set the base "
                    "URL to the address the server wants (Settings → Providers).",
                    provider=self.provider_id,
                )
            # The key goes only to the base URL's origin (_headers checks on every hop).
            url = check_response_url(urljoin(url, location), self.name, self.provider_id)
        raise ProviderError(
            f"{self.name} redirected too many times; check the base URL.",
            provider=self.provider_id,
        )

    def network_error(
        self, exc: Exception, url: str, method: str = "GET"
    ) -> NetworkError | ConfigurationError:
        """A transport failure in words: what happened and what to do."""
        import httpx

        host = urlsplit(url).netloc or url
        kind = exc.__class__.__name__
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return ConfigurationError(
                f"{self.name}: {url!r} is not a usable address. Check the base URL.",
                provider=self.provider_id,
            )
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            text = f"Could not connect to {host} within {self._settings.connect_timeout_s:.0f} s."
            hint = "Check your connection and the base URL, then try again."
        elif isinstance(exc, httpx.ConnectError):
            text = f"Could not connect to {host} ({self.scrub(str(exc)) or kind})."
            hint = "Check the base URL, that the server is running, and your connection."
        elif isinstance(exc, httpx.ReadTimeout):
            text = f"{self.name} did not answer in time ({host})."
            hint = (
                "The request may still be running there; try again later, or raise the read "
                "timeout in Settings."
            )
        elif isinstance(exc, httpx.WriteTimeout | httpx.WriteError):
            text = f"Sending the request to {host} failed ({kind})."
            hint = "Check your connection and try again."
        else:
            text = f"The connection to {host} broke before an answer came ({kind})."
            hint = "Check your connection and try again."
        if method != "GET" and not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            hint = (
                "It was not sent again automatically, because the provider may already have "
                f"done (and billed) the work. {hint}"
            )
        return NetworkError(f"{text} {hint}", provider=self.provider_id)
