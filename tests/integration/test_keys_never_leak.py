"""The API keys never appear in a log line, an exception's text or traceback, or a stored row.

A busy session against the loopback server (successes, refusals that echo the key back, broken
connections, async jobs writing History) with every logger at DEBUG, then everything is grepped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import traceback

from audio_studio.core.errors import StudioError
from audio_studio.core.logs import setup_logging
from audio_studio.core.models import (
    AudioFormat,
    MusicRequest,
    SfxRequest,
    SpeechRequest,
    TranscriptionRequest,
)
from tests.servers.audio import wav_bytes
from tests.servers.base import Fault
from tests.support.wire import KEYS


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def echo(status: int, text: str) -> Fault:
    body = json.dumps({"error": {"message": text, "code": "invalid_api_key"}}).encode()
    return Fault("status", status, body, {"Content-Type": "application/json"})


def fragments() -> list[str]:
    # The whole key, and the part of it that is unique (in case a key is cut or masked badly).
    return [
        *KEYS.values(),
        *(k.split("-test-")[-1].split("_test_")[-1][:14] for k in KEYS.values()),
    ]


async def test_keys_stay_out_of_logs_errors_and_history(studio, wire, paths, tmp_path):
    log_file = tmp_path / "studio.log"
    root = logging.getLogger()
    old_level = root.level
    setup_logging(log_file, level=logging.DEBUG)
    everything = _Everything()
    root.addHandler(everything)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    errors: list[BaseException] = []
    clip = tmp_path / "clip.wav"
    clip.write_bytes(wav_bytes())

    async def attempt(coro) -> None:  # type: ignore[no-untyped-def]
        try:
            result = await coro
            if hasattr(result, "__aiter__"):
                async for _ in result:
                    pass
        except StudioError as exc:
            errors.append(exc)

    try:
        openai = await studio.context.provider("openai")
        eleven = await studio.context.provider("elevenlabs")
        await attempt(openai.synthesize(SpeechRequest("Hello")))
        wire.fail("POST", "/openai/v1/audio/speech",
                  echo(401, f"Incorrect API key provided: {KEYS['openai']}."))  # fmt: skip
        await attempt(openai.synthesize(SpeechRequest("Hello")))
        wire.fail(
            "POST", "/openai/v1/audio/transcriptions", echo(429, f"{KEYS['openai']}"), times=3
        )
        await attempt(openai.transcribe(TranscriptionRequest(clip)))
        wire.fail("POST", "/openai/v1/audio/speech", Fault("reset_mid", keep=1000))

        async def stream() -> None:
            async for _ in openai.stream(SpeechRequest("Hi", model="tts-1")):
                pass

        await attempt(stream())
        detail = {"detail": {"status": "quota_exceeded", "message": f"{KEYS['elevenlabs']} over"}}
        wire.fail("POST", "/elevenlabs/v1/sound-generation",
                  Fault("status", 401, json.dumps(detail).encode(),
                        {"Content-Type": "application/json"}))  # fmt: skip
        await attempt(eleven.generate_sfx(SfxRequest("rain", format=AudioFormat.MP3)))
        await attempt(eleven.synthesize(SpeechRequest("Hello")))
        await attempt(studio.test_connection("groq"))
        await attempt(studio.music.generate(MusicRequest("piano", duration_s=4)))
        await attempt(studio.music.generate(MusicRequest("piano"), provider_id="gateway"))
        wire.state["gateway_fail"] = True
        await attempt(studio.music.generate(MusicRequest("piano"), provider_id="gateway"))
        wire.fail("GET", "/openai/v1/models", Fault("reset_before"))
        await attempt(studio.test_connection("openai"))
        # The two gateways: JSON answers with links on another origin, a file URL passed on,
        # music at once and as a job, and refusals that echo the key back.
        ima = await studio.context.provider("imarouter")
        crazy = await studio.context.provider("crazyrouter")
        await attempt(ima.synthesize(SpeechRequest("Hello")))
        wire.state["ima_speech"] = "missing_url"
        await attempt(ima.synthesize(SpeechRequest("Hello")))
        wire.fail("POST", "/imarouter/v1/audio/speech",
                  echo(401, f"Invalid key {KEYS['imarouter']}"))  # fmt: skip
        await attempt(ima.synthesize(SpeechRequest("Hello")))
        await attempt(
            studio.transcription.transcribe_link(
                f"{wire.url}/media/meeting.mp3", TranscriptionRequest(clip),
                provider_id="imarouter",
            )
        )  # fmt: skip
        await attempt(studio.music.generate(MusicRequest("sting", duration_s=5),
                                            provider_id="imarouter"))  # fmt: skip
        await attempt(studio.music.generate(MusicRequest("bed", duration_s=90),
                                            provider_id="imarouter"))  # fmt: skip
        await attempt(crazy.synthesize(SpeechRequest("Hello", model="tts-1")))
        wire.fail("POST", "/crazyrouter/v1/audio/transcriptions",
                  echo(403, f"{KEYS['crazyrouter']} may not use whisper-1"))  # fmt: skip
        await attempt(
            studio.transcription.transcribe_link(
                f"{wire.url}/media/meeting.mp3", TranscriptionRequest(clip),
                provider_id="crazyrouter",
            )
        )  # fmt: skip
        await asyncio.sleep(0)
    finally:
        root.removeHandler(everything)
        setup_logging(None, level=old_level)  # drops the file handler again
        for handler in list(root.handlers):
            if getattr(handler, "_audio_studio", False):
                root.removeHandler(handler)
        root.setLevel(old_level)

    assert len(errors) >= 9, errors  # the refusals and breaks above really happened
    texts = [f"{e}\n{e!r}\n{''.join(traceback.format_exception(e))}" for e in errors]
    rows = "\n".join(sqlite3.connect(paths.db_path).iterdump())
    assert "piano" in rows and len(everything.lines) > 20
    haystacks = {
        "log records": "\n".join(everything.lines),
        "log file": log_file.read_text(),
        "exceptions": "\n".join(texts),
        "database": rows,
    }
    for where, text in haystacks.items():
        for secret in fragments():
            assert secret not in text, f"{secret!r} found in {where}"
    assert "***" in haystacks["exceptions"]  # the echoed key was replaced, not dropped silently


def test_fragments_are_distinctive() -> None:
    assert all(len(f) >= 10 for f in fragments())
