"""The error tree: retryable defaults, fields, and that messages are what the user sees."""

from __future__ import annotations

from audio_studio.core import errors as e


def test_every_error_is_a_studio_error() -> None:
    for name in e.__all__:
        assert issubclass(getattr(e, name), e.StudioError)


def test_retryable_defaults_follow_the_tree() -> None:
    assert e.RateLimitedError("slow down").retryable
    assert e.ProviderUnavailableError("down").retryable
    assert e.NetworkError("offline").retryable
    assert not e.QuotaExceededError("no credits").retryable
    assert not e.AuthenticationError("bad key", status=401).retryable
    assert not e.InvalidRequestError("too long", status=413).retryable
    assert e.StudioError("x", retryable=True).retryable


def test_fields_and_str() -> None:
    err = e.RateLimitedError("Too many requests", retry_after=2.5, provider="openai")
    assert str(err) == "Too many requests"
    assert err.retry_after == 2.5
    assert err.status == 429
    assert err.provider == "openai"
    assert isinstance(e.MissingApiKeyError("k"), e.ConfigurationError)
    assert isinstance(e.UnsupportedFormatError("f"), e.AudioError)
    assert isinstance(e.DeviceUnavailableError("d"), e.AudioError)
