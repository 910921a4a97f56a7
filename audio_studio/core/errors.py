"""The one error tree of the studio: every failure a user can meet is a StudioError.

```
StudioError                   .message (user-safe), .retryable, .provider, .job_id
├── ConfigurationError        missing or invalid setting, no provider for a capability
│   ├── MissingApiKeyError
│   └── BudgetExceededError   a job would cross a provider's monthly "block" threshold
├── InputError                the user's own input cannot be used (empty script, bad file name)
├── ProviderError             anything that came back from a vendor (.status, .code)
│   ├── AuthenticationError   401/403
│   ├── RateLimitedError      429 (.retry_after); retryable
│   ├── QuotaExceededError    out of credits (OpenAI 429 insufficient_quota, ElevenLabs 401)
│   ├── InvalidRequestError   400/413/422: text too long, unsupported voice, refused content
│   ├── ProviderUnavailableError  5xx / maintenance; retryable
│   └── ProviderProtocolError a response we cannot parse (our bug or an API change)
├── NetworkError              timeouts, DNS, TLS, resets; retryable
├── AudioError                decode failure, device trouble
│   ├── DeviceUnavailableError
│   └── UnsupportedFormatError
└── StorageError              disk full, unwritable folder, locked keyring, corrupt database
```

InputError is not in the first drawing of DESIGN.md: bad user input is neither a setting nor a
provider's answer, and the UI shows it next to the field instead of as a failure.

Rules: providers map httpx errors and vendor bodies to these at their boundary with
``raise ... from exc``; ``asyncio.CancelledError`` is never wrapped (cancelled is a state);
anything that is not a StudioError is a bug and goes to the excepthook.
"""

from __future__ import annotations

__all__ = [
    "AudioError",
    "AuthenticationError",
    "BudgetExceededError",
    "ConfigurationError",
    "DeviceUnavailableError",
    "InputError",
    "InvalidRequestError",
    "MissingApiKeyError",
    "NetworkError",
    "ProviderError",
    "ProviderProtocolError",
    "ProviderUnavailableError",
    "QuotaExceededError",
    "RateLimitedError",
    "StorageError",
    "StudioError",
    "UnsupportedFormatError",
]


class StudioError(Exception):
    """Base of every error a user may see.

    Args:
        message: a sentence for the user that says what happened and, where possible, what to do.
        retryable: whether trying the same thing again later may succeed.
        provider: the provider id involved, if any.
        job_id: the job that failed, filled in by the job runner.
    """

    retryable_default = False

    def __init__(
        self,
        message: str,
        *,
        retryable: bool | None = None,
        provider: str | None = None,
        job_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = self.retryable_default if retryable is None else retryable
        self.provider = provider
        self.job_id = job_id

    def __str__(self) -> str:
        return self.message


class ConfigurationError(StudioError):
    """A setting is missing or invalid, or no provider offers what was asked."""


class MissingApiKeyError(ConfigurationError):
    """The provider needs an API key and none is stored."""


class BudgetExceededError(ConfigurationError):
    """Starting the job would cross the provider's monthly block threshold."""


class InputError(StudioError):
    """The user's own input cannot be used as it is."""


class ProviderError(StudioError):
    """Something a provider answered.

    Args:
        status: the HTTP status, when there was one.
        code: the vendor's machine-readable code (``insufficient_quota``, ``quota_exceeded``...).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retryable: bool | None = None,
        provider: str | None = None,
        job_id: str | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable, provider=provider, job_id=job_id)
        self.status = status
        self.code = code


class AuthenticationError(ProviderError):
    """401/403: the key is wrong, revoked, or lacks access."""


class RateLimitedError(ProviderError):
    """429: too many requests; ``retry_after`` seconds is the provider's hint when it gave one."""

    retryable_default = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        code: str | None = None,
        provider: str | None = None,
        job_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, provider=provider, job_id=job_id)
        self.retry_after = retry_after


class QuotaExceededError(ProviderError):
    """The account is out of credits or quota; retrying will not help."""


class InvalidRequestError(ProviderError):
    """400/413/422: the provider refused this request as it is."""


class ProviderUnavailableError(ProviderError):
    """5xx or maintenance: the provider is down for now."""

    retryable_default = True


class ProviderProtocolError(ProviderError):
    """The response could not be understood."""


class NetworkError(StudioError):
    """The provider could not be reached: timeout, DNS, TLS, connection reset."""

    retryable_default = True


class AudioError(StudioError):
    """Audio could not be decoded, encoded, recorded or played."""


class DeviceUnavailableError(AudioError):
    """An audio device is missing, busy, or refused the settings."""


class UnsupportedFormatError(AudioError):
    """A file is not audio the studio can read, or a format it cannot write."""


class StorageError(StudioError):
    """Disk, database or keyring trouble that is not a bug: full disk, unwritable folder..."""
