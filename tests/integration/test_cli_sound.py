"""`audio-studio sfx` and `music` with the Sound tab's options, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.servers.studio_wire import base_urls
from tests.support.sound import moderation_refusal
from tests.support.wire import KEYS


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ELEVENLABS_API_KEY": KEYS["elevenlabs"],
           "AUDIO_STUDIO_API_KEY": KEYS["gateway"]}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def test_sfx_variations_from_the_cloud_one_refused(tmp_path, wire):  # type: ignore[no-untyped-def]
    url = base_urls(wire)["elevenlabs"]
    wire.fail("POST", "/elevenlabs/v1/sound-generation", moderation_refusal())
    run = cli(tmp_path / "h", "sfx", "door slam", "-o", str(tmp_path / "door.mp3"),
              "--provider", "elevenlabs", "--base-url", url, "--variations", "3",
              "--duration", "1.5", "--prompt-influence", "0.7", "--loop")  # fmt: skip
    assert run.returncode == 1  # one variation was refused
    written = sorted(p.name for p in tmp_path.glob("door-*.mp3"))
    assert len(written) == 2
    (refused,) = [line for line in run.stderr.splitlines() if line.startswith("audio-studio")]
    assert "flagged by content moderation" in refused and refused.split(": ")[1].endswith(".mp3")
    bodies = [r.json() for r in wire.requests("POST", "/elevenlabs/v1/sound-generation")]
    assert len(bodies) == 3
    assert all(b["prompt_influence"] == 0.7 and b["loop"] is True for b in bodies)
    assert all(b["duration_seconds"] == 1.5 for b in bodies)
    history = json.loads(cli(tmp_path / "h", "history", "--json").stdout)
    assert len(history) == 2 and all(h["provider"] == "elevenlabs" for h in history)


def test_sfx_many_offline_variations_group_under_one(tmp_path):  # type: ignore[no-untyped-def]
    run = cli(tmp_path / "h", "sfx", "--preset", "jump", "--seed", "40", "--variations", "10",
              "-o", str(tmp_path / "jump.wav"))  # fmt: skip
    assert run.returncode == 0, run.stderr
    files = [tmp_path / f"jump-{i}.wav" for i in range(1, 11)]
    assert all(f.exists() for f in files) and len({f.read_bytes() for f in files}) == 10
    assert "seed 49" in run.stdout  # seeds count up from --seed across batches of eight
    history = json.loads(cli(tmp_path / "h", "history", "--json", "--limit", "20").stdout)
    assert len(history) == 10
    heads = [h for h in history if not h.get("parent_id")]
    assert len(heads) == 1, heads


def test_music_sends_lyrics_and_instrumental(tmp_path, wire):  # type: ignore[no-untyped-def]
    wire.state["polls_to_finish"] = 1
    lyrics = tmp_path / "words.txt"
    lyrics.write_text("la la la\n", encoding="utf-8")
    run = cli(tmp_path / "h", "music", "sea shanty", "-o", str(tmp_path / "song.mp3"),
              "--provider", "gateway", "--base-url", base_urls(wire)["gateway"],
              "--lyrics", f"@{lyrics}", "--duration", "12")  # fmt: skip
    assert run.returncode == 0, run.stderr
    run = cli(tmp_path / "h", "music", "sea shanty", "-o", str(tmp_path / "bed.mp3"),
              "--provider", "gateway", "--base-url", base_urls(wire)["gateway"],
              "--instrumental")  # fmt: skip
    assert run.returncode == 0, run.stderr
    first, second = (r.json() for r in wire.requests("POST", "/gateway/v1/audio/generate/async"))
    assert first["lyrics"] == "la la la\n" and "instrumental" not in first
    assert second["instrumental"] is True and "lyrics" not in second
