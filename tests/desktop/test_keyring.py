"""Keys through a real Secret Service (gnome-keyring on a private bus), and with no keyring."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from audio_studio.core.store.secrets import KeyringSecretStore, MemorySecretStore, open_secret_store
from tests.support.desktop import SecretService, environ


@pytest.fixture
def real_keyring(secret_service: SecretService) -> Iterator[SecretService]:
    import keyring.backends.fail
    import keyring.core

    with environ(secret_service.env(), remove=("AUDIO_STUDIO_KEYRING",)):
        keyring.core.init_backend()
        yield secret_service
    # Back to "no keyring" for the rest of the session, as conftest set it up.
    keyring.core.set_keyring(keyring.backends.fail.Keyring())


def test_store_read_and_delete_a_key(real_keyring: SecretService) -> None:
    store = open_secret_store()
    assert isinstance(store, KeyringSecretStore) and store.persistent
    assert "SecretService" in store.status
    store.set("elevenlabs", "xi-test-0123456789abcdef")
    assert store.get("elevenlabs").reveal() == "xi-test-0123456789abcdef"  # type: ignore[union-attr]
    # libsecret's own tool, not our code, finds the item in gnome-keyring.
    assert real_keyring.lookup("elevenlabs") == "xi-test-0123456789abcdef"
    store.set("elevenlabs", "xi-test-replaced")
    assert real_keyring.lookup("elevenlabs") == "xi-test-replaced"
    store.delete("elevenlabs")
    assert store.get("elevenlabs") is None
    assert real_keyring.lookup("elevenlabs") is None
    store.delete("elevenlabs")  # deleting nothing is fine


async def test_service_keeps_keys_in_the_keyring(
    real_keyring: SecretService, tmp_path: Path
) -> None:
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.studio import open_studio

    service = open_studio(resolve_paths(tmp_path / "home"))
    await service.set_api_key("openai", "sk-test-keyring-abcdefgh")
    assert await service.has_api_key("openai")
    assert real_keyring.lookup("openai") == "sk-test-keyring-abcdefgh"
    await service.aclose()
    # A new run of the studio reads it back from the keyring.
    again = open_studio(resolve_paths(tmp_path / "home"))
    assert await again.has_api_key("openai")
    await again.delete_api_key("openai")
    assert real_keyring.lookup("openai") is None
    await again.aclose()
    stored = b"".join(p.read_bytes() for p in (tmp_path / "home").rglob("*") if p.is_file())
    assert b"sk-test-keyring" not in stored


NO_KEYRING_SCRIPT = r"""
import asyncio, sys
from pathlib import Path
from audio_studio.core.studio import open_studio
from audio_studio.core.store.paths import resolve_paths

async def main():
    service = open_studio(resolve_paths(Path(sys.argv[1])))
    store = await service.secret_store()
    await service.set_api_key("openai", "sk-nokeyring-0123456789abcdef")
    assert await service.has_api_key("openai")
    print(type(store).__name__)
    print(store.status)
    await service.aclose()

asyncio.run(main())
"""


def test_no_keyring_says_so_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "user"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("AUDIO_STUDIO_KEYRING", "DBUS_SESSION_BUS_ADDRESS")
    }
    env.update(
        HOME=str(root),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "cfg"),
        XDG_CACHE_HOME=str(root / "cache"),
        XDG_RUNTIME_DIR=str(root / "run"),
    )
    (root / "run").mkdir(parents=True)
    out = subprocess.run(
        [sys.executable, "-c", NO_KEYRING_SCRIPT, str(root / "studio")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    kind, status = out.stdout.splitlines()[:2]
    assert kind == MemorySecretStore.__name__
    assert status.startswith("No system keyring is available")
    assert "this session only" in status and "never written to disk" in status
    leaked = [p for p in tmp_path.rglob("*") if p.is_file() and b"sk-nokeyring" in p.read_bytes()]
    assert leaked == []
