"""Settings (defaults, validation, atomic save) and secrets (memory store, redaction)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from audio_studio.core.logs import RedactingFilter, redact
from audio_studio.core.models import Secret
from audio_studio.core.settings import Budget, Settings
from audio_studio.core.store.secrets import MemorySecretStore, open_secret_store
from audio_studio.core.store.settings import load_settings, save_settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings, warnings = load_settings(tmp_path / "settings.json")
    assert settings == Settings() and warnings == []


def test_garbage_file_gives_defaults_and_a_warning(tmp_path: Path, expect_warnings: None) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b"\x00\xff{{{ not json")
    settings, warnings = load_settings(path)
    assert settings == Settings()
    assert len(warnings) == 1 and str(path) in warnings[0] and "default" in warnings[0]


def test_each_bad_field_falls_back_alone(tmp_path: Path, expect_warnings: None) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "retry_limit": 99,
                "read_timeout_s": "soon",
                "speech_provider": "openai",
                "input_device": None,
                "providers": {
                    "openai": {"base_url": "http://127.0.0.1:1/v1", "enabled": "yes"},
                    "bad": 3,
                },
                "budgets": {"openai": {"monthly_usd": 20, "block_at": 1.0}},
                "unknown_key": 1,
            }
        )
    )
    settings, warnings = load_settings(path)
    assert settings.retry_limit == Settings().retry_limit
    assert settings.read_timeout_s == Settings().read_timeout_s
    assert settings.speech_provider == "openai"
    assert settings.provider("openai").base_url == "http://127.0.0.1:1/v1"
    assert settings.provider("openai").enabled is True  # "yes" is not a bool: default kept
    assert settings.budget("openai") == Budget(monthly_usd=20.0, block_at=1.0)
    assert "bad" not in settings.providers
    assert len(warnings) == 4
    assert any("retry_limit" in w for w in warnings)
    assert any("providers.openai.enabled" in w for w in warnings)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    original = Settings(output_dir="/tmp/out", loudness_target_lufs=-14.0).with_provider(
        "groq", base_url="https://api.groq.com/openai/v1", max_concurrency=2
    )
    save_settings(path, original)
    loaded, warnings = load_settings(path)
    assert warnings == [] and loaded == original
    assert "api_key" not in path.read_text()


def test_secret_never_shows_itself() -> None:
    secret = Secret("sk-abcdefghijklmnop1234")
    assert "sk-" not in repr(secret) and "sk-" not in str(secret) and "sk-" not in f"{secret}"
    assert secret.reveal() == "sk-abcdefghijklmnop1234"
    assert not Secret("")


def test_memory_store_and_its_honest_status() -> None:
    store = MemorySecretStore("no Secret Service was found")
    assert not store.persistent
    assert "session only" in store.status and "never written to disk" in store.status
    store.set("openai", "k1")
    assert store.get("openai") == Secret("k1")
    store.delete("openai")
    store.delete("openai")
    assert store.get("openai") is None


def test_keyring_env_override_gives_memory_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIO_STUDIO_KEYRING", "memory")
    assert isinstance(open_secret_store(), MemorySecretStore)


def test_redaction_of_log_lines() -> None:
    line = (
        "POST https://api.x/v1 headers={'Authorization': 'Bearer sk-proj-abcdefghijklmnopqrstu', "
        "'xi-api-key': 'abcdef0123456789'} api_key=gsk_abcdefghijklmnopqrst"
    )
    cleaned = redact(line)
    for secret in ("sk-proj-abcdefghijklmnopqrstu", "abcdef0123456789", "gsk_abcdefghijklmnopqrst"):
        assert secret not in cleaned
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "key %s", ("sk-abcdefghijklmnopq",), None
    )
    RedactingFilter().filter(record)
    assert "sk-abcdefghijklmnopq" not in record.getMessage()


def test_transcription_settings_round_trip_and_fall_back(
    tmp_path: Path, expect_warnings: None
) -> None:
    path = tmp_path / "settings.json"
    original = Settings(
        playback_speed=1.25,
        caption_preset="bbc",
        caption_max_chars=32,
        watch_folders=("/srv/in", "/home/me/Recordings"),
        watch_formats=("srt", "docx"),
        export_name_template="{date} {title}",
    )
    save_settings(path, original)
    loaded, warnings = load_settings(path)
    assert warnings == [] and loaded == original
    path.write_text(json.dumps({"playback_speed": 3.0, "watch_folders": "/srv/in",
                                "watch_formats": ["txt", 4], "caption_preset": "bbc"}))  # fmt: skip
    loaded, warnings = load_settings(path)
    assert loaded.playback_speed == 1.0 and loaded.watch_folders == ()
    assert loaded.watch_formats == Settings().watch_formats and loaded.caption_preset == "bbc"
    assert len(warnings) == 3
