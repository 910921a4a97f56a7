"""Every provider against a mock of its published OpenAPI document, through the CLI.

The mock (tests/servers/spec_mock.py) answers what the document allows and nothing more
helpful: binary audio answers are the text ``string``, headers such as ``character-cost`` are
"string". The studio must refuse what is not audio with one line naming the provider, write no
file and no History row, and never call a header or an optional field "a bug".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from audio_studio.core.errors import ProviderProtocolError
from audio_studio.core.models import TranscriptionRequest
from audio_studio.core.store.history import HistoryQuery
from tests.servers.audio import wav_bytes
from tests.servers.base import Fault
from tests.servers.spec_mock import SpecMock, elevenlabs_spec, openai_spec, spec_server
from tests.support.wire import KEYS


@pytest.fixture(scope="module")
def elevenlabs() -> Iterator[tuple[str, SpecMock]]:
    server, mock = spec_server(elevenlabs_spec())
    yield server.url, mock
    server.stop()


@pytest.fixture(scope="module")
def openai() -> Iterator[tuple[str, SpecMock]]:
    server, mock = spec_server(openai_spec())
    yield f"{server.url}/v1", mock
    server.stop()


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ELEVENLABS_API_KEY": KEYS["elevenlabs"], "OPENAI_API_KEY": KEYS["openai"],
           "AUDIO_STUDIO_API_KEY": KEYS["gateway"], "GROQ_API_KEY": KEYS["groq"],
           "HF_HUB_OFFLINE": "1"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def history(home: Path) -> list[dict[str, object]]:
    out = cli(home, "history", "--json")
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout))


def refused_as_not_audio(
    run: subprocess.CompletedProcess[str], provider: str, says: str = "not audio"
) -> None:
    assert run.returncode == 1, (run.stdout, run.stderr)
    lines = [line for line in run.stderr.splitlines() if line.startswith("audio-studio")]
    assert len(lines) == 1, run.stderr
    assert provider in lines[0] and says in lines[0], lines[0]
    assert "bug" not in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("command", "args", "says"),
    [
        ("speak", ["Hello there.", "--voice", "JBFqnCBsd6RMkjVDRZzb"], "not audio"),
        ("sfx", ["door slam", "--duration", "1.5"], "not audio"),  # and character-cost: "string"
        ("music", ["calm piano", "--duration", "10"], "multipart reply"),  # /detailed
    ],
)
def test_elevenlabs_text_where_audio_was_promised(
    tmp_path, elevenlabs, command, args, says
) -> None:  # type: ignore[no-untyped-def]
    url, mock = elevenlabs
    out = tmp_path / "s.mp3"
    run = cli(tmp_path / "h", command, *args, "-o", str(out), "--provider", "elevenlabs",
              "--base-url", url)  # fmt: skip
    refused_as_not_audio(run, "ElevenLabs", says)
    assert not list(tmp_path.glob("s*.mp3"))
    # Music jobs keep a row of the failed attempt (so it can be seen and retried); no file.
    assert all(r["status"] == "failed" and r["files"] == [] for r in history(tmp_path / "h"))
    assert command == "music" or history(tmp_path / "h") == []
    assert mock.invalid == []


@pytest.mark.parametrize(("provider", "name"), [("openai", "OpenAI"), ("gateway", "gateway")])
def test_openai_text_where_audio_was_promised(tmp_path, openai, provider, name) -> None:  # type: ignore[no-untyped-def]
    url, mock = openai
    out = tmp_path / "s.mp3"
    run = cli(tmp_path / "h", "speak", "Hello there.", "-o", str(out), "--provider", provider,
              "--base-url", url)  # fmt: skip
    refused_as_not_audio(run, name)
    assert not out.exists() and history(tmp_path / "h") == []
    assert mock.invalid == []


@pytest.mark.parametrize("provider", ["elevenlabs", "openai", "groq", "gateway"])
def test_transcription_of_a_documented_answer_never_crashes(
    tmp_path, elevenlabs, openai, provider
) -> None:  # type: ignore[no-untyped-def]
    url, mock = elevenlabs if provider == "elevenlabs" else openai
    audio = tmp_path / "a.wav"
    audio.write_bytes(wav_bytes())
    run = cli(tmp_path / "h", "transcribe", str(audio), "-o", str(tmp_path / "a.txt"),
              "--provider", provider, "--base-url", url)  # fmt: skip
    assert "bug" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert run.returncode in (0, 1)
    if run.returncode == 1:
        assert len([x for x in run.stderr.splitlines() if x.startswith("audio-studio")]) == 1
    assert mock.invalid == []


PAGE = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.mark.parametrize(
    ("fmt", "body", "ctype"),
    [
        ("text", PAGE, "text/html"),
        ("text", PAGE, "text/plain"),  # a proxy that also gets the type wrong
        ("srt", b"upstream said no", "text/plain"),
        ("json", b"{not json", "application/json"),
    ],
)
async def test_a_200_that_is_not_a_transcript_is_never_stored(
    studio, wire, tmp_path, fmt, body, ctype
):  # type: ignore[no-untyped-def]
    """Item 11: with response_format=text an HTML page once became the transcript."""

    clip = tmp_path / "clip.wav"
    clip.write_bytes(wav_bytes())
    wire.fail(
        "POST",
        "/openai/v1/audio/transcriptions",
        Fault("status", 200, body, {"Content-Type": ctype}),
    )
    request = TranscriptionRequest(clip, settings={"response_format": fmt})
    with pytest.raises(ProviderProtocolError, match="OpenAI") as caught:
        await studio.transcription.transcribe(request, provider_id="openai")
    assert "nothing was saved" in caught.value.message or "not valid JSON" in caught.value.message
    done = [i for i in studio.history.query(HistoryQuery()) if i.transcript]
    assert done == []
    assert len(wire.requests("POST", "/openai/v1/audio/transcriptions")) == 1  # not retried
