"""The fault matrix: every fault × every kind of request, through the CLI a user runs.

Transient faults end in success within the retry budget; permanent ones in one clear line,
exit 1, no traceback; and never more requests than the policy in README "Retries" allows:
2 when one retry helps, 3 at most for a fault that persists, 1 for a POST whose answer the
server had started (it may have been billed) or that it refused for good.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from audio_studio.core.store.paths import resolve_paths
from tests.servers.audio import wav_bytes
from tests.servers.base import Fault, retry_after_date
from tests.servers.studio_wire import base_urls
from tests.support.wire import KEYS

pytestmark = pytest.mark.slow

JSON = {"Content-Type": "application/json"}
PAGE = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
OPENAI_401 = {"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}}
OPENAI_QUOTA = {"error": {"message": "You exceeded your current quota",
                          "type": "insufficient_quota", "code": "insufficient_quota"}}  # fmt: skip
ELEVEN_401 = {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}
ELEVEN_QUOTA = {
    "detail": {"status": "quota_exceeded", "message": "This request exceeds your quota."}
}


@dataclass(frozen=True)
class Op:
    command: str
    provider: str
    path: str  # the POST the faults hit
    args: tuple[str, ...]
    out: str
    broken: bytes  # a 200 whose body cannot be used
    broken_type: str
    unauthorised: dict[str, object]
    quota: tuple[int, dict[str, object]]


OPS = {
    "speech": Op("speak", "openai", "/openai/v1/audio/speech", ("Hello there.",), "out.wav",
                 b"this is not audio at all", "audio/mpeg", OPENAI_401, (429, OPENAI_QUOTA)),
    "transcription": Op("transcribe", "openai", "/openai/v1/audio/transcriptions", (),
                        "out.txt", b'{"text": "brok', "application/json", OPENAI_401,
                        (429, OPENAI_QUOTA)),
    "sound effect": Op("sfx", "elevenlabs", "/elevenlabs/v1/sound-generation",
                       ("door slam", "--duration", "1.5"), "out.mp3",
                       b"this is not audio at all", "audio/mpeg", ELEVEN_401, (401, ELEVEN_QUOTA)),
    "music job": Op("music", "gateway", "/gateway/v1/audio/generate/async",
                    ("synthwave", "--duration", "5"), "out.mp3", b'{"id": ', "application/json",
                    OPENAI_401, (402, {"error": {"message": "Payment required"}})),
}  # fmt: skip

ENV = {
    "OPENAI_API_KEY": KEYS["openai"],
    "ELEVENLABS_API_KEY": KEYS["elevenlabs"],
    "AUDIO_STUDIO_API_KEY": KEYS["gateway"],
    "HF_HUB_OFFLINE": "1",
}


def faults(op: Op) -> dict[str, tuple[Fault, int, int | None]]:
    """fault name -> (fault, how often the server plays it, requests when it ends well; None:
    it ends in one clear line, after 1 request, or 3 for a fault that persists)."""
    j = lambda status, body: Fault("status", status, json.dumps(body).encode(), JSON)  # noqa: E731
    return {
        "429 + Retry-After seconds": (Fault("status", 429, b'{"error": {"message": "Rate limit"}}',
                                            {**JSON, "Retry-After": "1"}), 1, 2),
        "429 + HTTP date": (Fault("status", 429, b'{"error": {"message": "Rate limit reached"}}',
                                  {**JSON, "Retry-After": retry_after_date(1)}), 1, 2),
        "500": (j(500, {"error": {"message": "internal error"}}), 1, 2),
        "502 HTML page": (Fault("status", 502, PAGE, {"Content-Type": "text/html"}), 1, 2),
        "502 that never ends": (Fault("stall", 502, PAGE, {"Content-Type": "text/html"},
                                      delay=30, keep=20), 1, 2),
        "connection reset mid-body": (Fault("reset_mid", keep=8), 1, None),
        "200 with a broken body": (Fault("status", 200, op.broken,
                                         {"Content-Type": op.broken_type}), 1, None),
        "quota": (j(*op.quota), 1, None),
        "401": (j(401, op.unauthorised), 1, None),
        "persistent 503": (j(503, {"error": {"message": "overloaded"}}), 5, None),
    }  # fmt: skip


CELLS = [(kind, name) for kind in OPS for name in faults(OPS["speech"])]


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True, text=True, timeout=180, env={**os.environ, **ENV},
    )  # fmt: skip


@pytest.mark.parametrize(("kind", "name"), CELLS, ids=[f"{k}-{n}" for k, n in CELLS])
def test_fault_matrix(tmp_path: Path, wire, kind: str, name: str) -> None:  # type: ignore[no-untyped-def]
    op = OPS[kind]
    fault, times, ok_after = faults(op)[name]
    home = tmp_path / "home"
    settings = resolve_paths(home).settings_path
    settings.parent.mkdir(parents=True, exist_ok=True)
    # A short read timeout makes "never ends" end; what the studio does then is the point.
    settings.write_text(json.dumps({"read_timeout_s": 5, "music_read_timeout_s": 5}))
    wire.state["polls_to_finish"] = 1
    wire.fail("POST", op.path, fault, times=times)
    args = list(op.args)
    if op.command == "transcribe":
        clip = tmp_path / "clip.wav"
        clip.write_bytes(wav_bytes())
        args = [str(clip)]
    out = tmp_path / op.out
    url = base_urls(wire)[op.provider]
    run = run_cli(home, op.command, *args, "-o", str(out), "--provider", op.provider,
                  "--base-url", url)  # fmt: skip
    sent = len(wire.requests("POST", op.path)) - len(wire.requests("POST", op.path + "/"))
    assert "Traceback" not in run.stderr and "bug" not in run.stderr, run.stderr
    if ok_after is not None:
        assert run.returncode == 0, run.stderr
        assert out.exists() and out.stat().st_size > 0
        assert sent == ok_after, (sent, run.stderr)
        return
    assert run.returncode == 1, (run.stdout, run.stderr)
    lines = [line for line in run.stderr.splitlines() if line.startswith("audio-studio")]
    assert len(lines) == 1, run.stderr
    assert not out.exists()
    expected = 3 if name.startswith("persistent") else 1
    assert sent == expected, (sent, lines[0])
