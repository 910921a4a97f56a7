"""API keys: the OS keyring (Secret Service, Keychain, Credential Locker), or memory for one run.

Keys never go to disk in plain text, nor into SQLite, settings, logs or exception messages.
When no keyring backend works, the studio says so and keeps keys in memory until it quits;
there is deliberately no home-made encrypted file fallback.

Blocking: keyring calls may wait on D-Bus; call them via asyncio.to_thread.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Protocol

from audio_studio.core.errors import StorageError
from audio_studio.core.models import Secret

__all__ = [
    "KEYRING_SERVICE",
    "KeyringSecretStore",
    "MemorySecretStore",
    "SecretStore",
    "open_secret_store",
]

log = logging.getLogger(__name__)

KEYRING_SERVICE = "audio-studio"


class SecretStore(Protocol):
    """Where API keys live. ``persistent`` is False when keys last only for this run."""

    @property
    def persistent(self) -> bool: ...

    @property
    def status(self) -> str:
        """One sentence for Settings: where keys are kept, or why they are not saved."""
        ...

    def get(self, name: str) -> Secret | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


class MemorySecretStore:
    """Keys in memory only; used in tests and when no OS keyring is usable."""

    def __init__(self, reason: str | None = None) -> None:
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()
        self._reason = reason

    @property
    def persistent(self) -> bool:
        return False

    @property
    def status(self) -> str:
        if self._reason:
            return (
                f"No system keyring is available ({self._reason}). Keys you enter are kept "
                "for this session only and are never written to disk."
            )
        return "Keys are kept in memory for this session only."

    def get(self, name: str) -> Secret | None:
        with self._lock:
            value = self._values.get(name)
        return Secret(value) if value else None

    def set(self, name: str, value: str) -> None:
        with self._lock:
            self._values[name] = value

    def delete(self, name: str) -> None:
        with self._lock:
            self._values.pop(name, None)


class KeyringSecretStore:
    """Keys in the OS keyring under the service name ``audio-studio``, one item per provider."""

    def __init__(self, backend_name: str) -> None:
        self._backend_name = backend_name

    @property
    def persistent(self) -> bool:
        return True

    @property
    def status(self) -> str:
        return f"Keys are stored in the system keyring ({self._backend_name})."

    def get(self, name: str) -> Secret | None:
        import keyring

        try:
            value = keyring.get_password(KEYRING_SERVICE, name)
        except Exception as exc:  # keyring backends raise many unrelated types
            raise _keyring_error("read", exc) from None
        return Secret(value) if value else None

    def set(self, name: str, value: str) -> None:
        import keyring

        try:
            keyring.set_password(KEYRING_SERVICE, name, value)
        except Exception as exc:
            raise _keyring_error("save", exc) from None

    def delete(self, name: str) -> None:
        import keyring
        import keyring.errors

        try:
            keyring.delete_password(KEYRING_SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: already the state asked for
        except Exception as exc:
            raise _keyring_error("delete", exc) from None


def _keyring_error(action: str, exc: Exception) -> StorageError:
    # `from None` above and only the class name here: a backend's message could echo the value.
    return StorageError(
        f"Could not {action} the key in the system keyring ({exc.__class__.__name__}). "
        "Unlock your keyring (for example by logging in to the desktop) and try again."
    )


def open_secret_store() -> SecretStore:
    """Return the keyring store if a real, unlocked backend answers; else an honest memory store.

    Blocking: it imports keyring and talks to D-Bus; call via asyncio.to_thread.
    """
    if os.environ.get("AUDIO_STUDIO_KEYRING") == "memory":
        return MemorySecretStore("the AUDIO_STUDIO_KEYRING variable asks for memory only")
    try:
        import keyring
        import keyring.backends.fail
    except Exception as exc:  # pragma: no cover - keyring is a dependency
        return MemorySecretStore(f"the keyring library failed to load: {exc.__class__.__name__}")
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a backend's own probe can raise (e.g. an odd D-Bus address)
        log.warning("no usable keyring backend: %s", exc.__class__.__name__)
        return MemorySecretStore(f"the keyring backends failed to start: {exc.__class__.__name__}")
    name = _backend_name(backend)
    if isinstance(backend, keyring.backends.fail.Keyring) or _is_plaintext(backend):
        return MemorySecretStore("no Secret Service, Keychain or Credential Locker was found")
    try:
        # A read reaches the collection: it fails if the keyring is locked or cannot prompt.
        keyring.get_password(KEYRING_SERVICE, "__probe__")
    except Exception as exc:
        log.warning("system keyring %s is not usable: %s", name, exc.__class__.__name__)
        return MemorySecretStore(f"{name} did not answer: {exc.__class__.__name__}")
    return KeyringSecretStore(name)


def _backend_name(backend: object) -> str:
    return f"{type(backend).__module__.split('.')[-1]} {type(backend).__name__}".strip()


def _is_plaintext(backend: object) -> bool:
    # keyrings.alt's file backends store base64 or weakly encrypted text on disk.
    chain = getattr(backend, "backends", None) or [backend]
    return all("keyrings.alt" in type(b).__module__ for b in chain)
