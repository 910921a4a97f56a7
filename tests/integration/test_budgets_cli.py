"""Budgets from the command line: the provider's own unit, and --yes for an unknown cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from audio_studio.core.store.paths import resolve_paths
from tests.servers.studio_wire import base_urls
from tests.support.wire import KEYS


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ELEVENLABS_API_KEY": KEYS["elevenlabs"],
           "AUDIO_STUDIO_API_KEY": KEYS["gateway"], "HF_HUB_OFFLINE": "1"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def budgets(home: Path, **per_provider: dict[str, float]) -> None:
    path = resolve_paths(home).settings_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"budgets": per_provider}))


def test_unknown_cost_with_a_budget_needs_yes(tmp_path, wire) -> None:  # type: ignore[no-untyped-def]
    home, url = tmp_path / "h", base_urls(wire)["gateway"]
    budgets(home, gateway={"monthly_usd": 5.0})
    args = ("speak", "Hello there.", "-o", str(tmp_path / "hi.wav"), "--provider", "gateway",
            "--base-url", url)  # fmt: skip
    refused = cli(home, *args)
    assert refused.returncode == 1 and "--yes" in refused.stderr and "unknown" in refused.stderr
    assert wire.requests("POST") == [] and not (tmp_path / "hi.wav").exists()
    agreed = cli(home, *args, "--yes")
    assert agreed.returncode == 0, agreed.stderr
    assert (tmp_path / "hi.wav").exists()
    budgets(home)  # no budget: nothing to agree to
    again = cli(home, "speak", "Hello there.", "-o", str(tmp_path / "again.wav"), *args[4:])
    assert again.returncode == 0, again.stderr


def test_elevenlabs_is_budgeted_and_recorded_in_credits(tmp_path, wire) -> None:  # type: ignore[no-untyped-def]
    home, url = tmp_path / "h", base_urls(wire)["elevenlabs"]
    budgets(home, elevenlabs={"monthly_credits": 150})
    args = ("--provider", "elevenlabs", "--base-url", url, "--duration", "2")
    first = cli(home, "sfx", "door slam", "-o", str(tmp_path / "a.mp3"), *args)
    assert first.returncode == 0, first.stderr
    (row,) = json.loads(cli(home, "history", "--json").stdout)
    assert row["usage"]["credits"] == 80.0  # the server's character-cost
    second = cli(home, "sfx", "door slam", "-o", str(tmp_path / "b.mp3"), *args)
    assert second.returncode == 1 and "credits" in second.stderr and "budget" in second.stderr
    assert len(wire.requests("POST", "/elevenlabs/v1/sound-generation")) == 1
