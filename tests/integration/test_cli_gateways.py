"""`--provider crazyrouter|imarouter` from the command line, as a user runs it, against loopback
servers shaped as the two gateways' pages describe: speech, music and a transcript each; the
key from CRAZYROUTER_API_KEY / IMAROUTER_API_KEY in the Authorization header and nowhere
else; a broken audio answer in one line with nothing saved.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers.audio import mp3_bytes, wav_bytes
from tests.servers.base import WireServer
from tests.servers.studio_wire import PREFIXES, base_urls

ENV = {"crazyrouter": "CRAZYROUTER_API_KEY", "imarouter": "IMAROUTER_API_KEY"}
KEY = {  # not the in-process fixtures' keys: these come only from the environment
    "crazyrouter": "cr-env-CRAZYKEY-9f8e7d6c5b4a",
    "imarouter": "ima-env-IMAKEY-9f8e7d6c5b4a",
}


def cli(home: Path, provider: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, ENV[provider]: KEY[provider]}
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def gateway(provider: str, wire: WireServer) -> list[str]:
    return ["--provider", provider, "--base-url", base_urls(wire)[provider]]


def decodes(path: Path) -> float:
    from audio_studio.core.audio.codec import decode

    return decode(path).duration_s


def key_only_in_authorization(wire: WireServer, provider: str, home: Path) -> None:
    key = KEY[provider]
    prefix = PREFIXES[provider]
    assert wire.log, "no request reached the server"
    for request in wire.log:
        others = {k: v for k, v in request.headers.items() if k != "authorization"}
        elsewhere = f"{request.path} {request.query} {others}".encode() + request.body
        assert key.encode() not in elsewhere, f"key in {request.method} {request.path}"
        if request.path.startswith(prefix):
            assert request.headers.get("authorization") == f"Bearer {key}", request.path
        else:  # downloads, the user's media, another origin: never the key
            assert "authorization" not in request.headers, request.path
    for path in home.rglob("*"):  # History, settings, logs, stored files
        if path.is_file():
            assert key.encode() not in path.read_bytes(), f"key written to {path}"


@pytest.mark.parametrize("provider", ["crazyrouter", "imarouter"])
def test_speech_music_and_transcripts_with_the_key_from_the_environment(tmp_path, wire, provider):
    home = tmp_path / "home"
    wire.state["polls_to_finish"] = 1
    options = gateway(provider, wire)
    outputs = []

    said = cli(home, provider, "speak", "Hello there.", "-o", str(tmp_path / "s.mp3"), *options)
    assert said.returncode == 0, said.stderr
    assert (tmp_path / "s.mp3").read_bytes() == mp3_bytes()
    outputs.append(said)

    music = cli(home, provider, "music", "ambient bed", "-o", str(tmp_path / "m.mp3"),
                "--duration", "60", *options)  # fmt: skip
    assert music.returncode == 0, music.stderr
    assert (tmp_path / "m.mp3").read_bytes() == mp3_bytes()
    assert len(wire.requests("POST", f"{PREFIXES[provider]}/audio/generate/async")) == 1
    outputs.append(music)
    if provider == "imarouter":  # short music: POST audio/generate, answered at once
        sting = cli(home, provider, "music", "brass sting", "-o", str(tmp_path / "t.wav"),
                    "--duration", "5", *options)  # fmt: skip
        assert sting.returncode == 0, sting.stderr
        assert (tmp_path / "t.wav").read_bytes()[:4] == b"RIFF"
        assert [r.path for r in wire.log].count("/imarouter/v1/audio/generate") == 1
        outputs.append(sting)

    clip = tmp_path / "clip.wav"
    clip.write_bytes(wav_bytes(1.0, 16_000))
    local = cli(home, provider, "transcribe", str(clip), *options)
    assert local.returncode == 0, local.stderr
    assert "Hello there" in local.stdout
    outputs.append(local)

    url = f"{wire.url}/media/meeting.mp3"
    linked = cli(home, provider, "transcribe", url, "-o", str(tmp_path / "meeting.txt"), *options)
    assert linked.returncode == 0, linked.stderr
    assert "Hello there" in (tmp_path / "meeting.txt").read_text()
    outputs.append(linked)
    (fetch,) = wire.requests("GET", "/media/")
    if provider == "imarouter":  # passed on: the gateway fetched it
        assert wire.state["fetched"] == [url] and "httpx" not in fetch.headers["user-agent"]
    else:  # downloaded by the studio, then uploaded
        assert "python-httpx" in fetch.headers["user-agent"]
        assert "Downloading meeting.mp3" in linked.stderr

    history = cli(home, provider, "history", "--json", "--kind", "transcript")
    items = json.loads(history.stdout)
    assert len(items) == 2 and {i["provider"] for i in items} == {provider}
    for item in items:
        latency = item["latency"]
        assert set(latency) == {"ttfb_ms", "total_ms", "upload_ms", "queue_ms"}
        assert latency["ttfb_ms"] > 0 and latency["upload_ms"] >= 0 and latency["total_ms"] > 0
        assert latency["queue_ms"] is None  # a transcription has no queue
    sources = {i["params"]["source"] for i in items}
    assert url in sources

    key_only_in_authorization(wire, provider, home)
    for run in [*outputs, history]:
        assert KEY[provider] not in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("shape", "words"),
    [
        ("not_audio_url", "instead of audio"),
        ("fake_audio_url", "are not audio"),
        ("missing_url", "HTTP 404"),
        ("bad_base64", "not valid base64"),
    ],
)
def test_a_broken_audio_answer_is_one_line_and_nothing_is_saved(tmp_path, wire, shape, words):
    home, out = tmp_path / "home", tmp_path / "s.mp3"
    wire.state["ima_speech"] = shape
    run = cli(home, "imarouter", "speak", "Hello.", "-o", str(out), *gateway("imarouter", wire))
    assert run.returncode == 1
    (line,) = run.stderr.strip().splitlines()
    assert words in line and "nothing was saved" in line.lower() and "Traceback" not in line
    assert not out.exists()
    history = cli(home, "imarouter", "history", "--json")
    assert json.loads(history.stdout) == []


def test_a_url_that_404s_is_one_line(tmp_path, wire):
    home = tmp_path / "home"
    url = f"{wire.url}/media/missing.mp3"
    run = cli(home, "crazyrouter", "transcribe", url, *gateway("crazyrouter", wire))
    assert run.returncode == 1
    (line,) = run.stderr.strip().splitlines()
    assert "HTTP 404" in line and line.count(url) == 1 and "missing.mp3" in line
    assert wire.requests("POST", "/crazyrouter/v1/audio/transcriptions") == []


def test_both_gateways_are_in_the_help(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "audio_studio", "speak", "--help"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "crazyrouter" in run.stdout and "imarouter" in run.stdout
