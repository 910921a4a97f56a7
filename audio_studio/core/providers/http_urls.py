"""Addresses and keys: where a key may be sent, and which URLs from replies the studio opens.

Keys go only to the base URL's origin; plain http:// is allowed only for servers on this
computer; URLs found in replies must be http(s) (data: URLs are decoded, never fetched).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit

from audio_studio.core.errors import ConfigurationError, ProviderError
from audio_studio.core.models import Secret

__all__ = [
    "AuthFn",
    "bearer_auth",
    "check_base_url",
    "check_response_url",
    "header_auth",
    "is_loopback",
    "same_origin",
]

AuthFn = Callable[[Secret], dict[str, str]]


def bearer_auth(key: Secret) -> dict[str, str]:
    return {"Authorization": f"Bearer {key.reveal()}"}


def header_auth(name: str) -> AuthFn:
    """Auth by a vendor header, e.g. ElevenLabs' ``xi-api-key``."""
    return lambda key: {name: key.reveal()}


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, name: str) -> str:
    """A base URL the studio may send a key to: https, or plain http only on this computer.

    Raises:
        ConfigurationError: not http(s), no host, or plain http to another machine.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"The base URL {url!r} of {name} is not a web address. Use one like "
            "https://api.example.com/v1 in Settings → Providers (or --base-url)."
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"The base URL of {name} uses plain http:// to another computer ({parts.hostname}); "
            "keys and audio would travel unencrypted. Use https://, or http:// only for a "
            "server on this computer (localhost)."
        )
    return url.strip()


def check_response_url(url: str, name: str, provider: str | None = None) -> str:
    """A URL found in a reply (audio output, poll URL, a redirect): https, or plain http only
    on this computer (what comes over plain http from elsewhere could be anything)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProviderError(
            f"{name} pointed to {parts.scheme or 'a'}: address the studio will not open; "
            "only http(s) downloads are allowed. Try again or choose another provider.",
            provider=provider,
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ProviderError(
            f"{name} pointed to a plain http:// address on another computer "
            f"({parts.hostname}); the studio only fetches results over https:// (or from this "
            "computer). Try again or choose another provider.",
            provider=provider,
        )
    return url.strip()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


def same_origin(a: str, b: str) -> bool:
    return _origin(a) == _origin(b)
