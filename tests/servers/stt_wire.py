"""An OpenAI-compatible transcription server that really listens: one word per burst of sound.

It decodes each upload and answers ``verbose_json`` with a word for every stretch of sound
(10 ms windows above -35 dBFS, gaps under 0.25 s joined), timed in the upload's own clock. A
test that builds audio from clips at known times can then check a long file's merged
transcript exactly: every clip once, at its time, nothing lost or doubled at the seams.
Like OpenAI it refuses a request body over the limit with 413, and it can wait a fixed time
per request (``state["latency_s"]``) to stand in for a slow provider. Chat completions answer
a JSON summary built from the transcript they are given.
"""

from __future__ import annotations

import json
import re

import numpy as np

from tests.servers.base import Request, Response, WireServer

PREFIX = "/bursts/v1"
LIMIT = 26_214_400  # OpenAI's 25 MiB, as its 413 message says
WINDOW_S = 0.01
THRESHOLD_DB = -35.0
JOIN_GAP_S = 0.25


def bursts(samples: np.ndarray, rate: int) -> list[tuple[float, float]]:
    """(start, end) seconds of every stretch of sound in mono ``samples``."""
    window = max(1, round(rate * WINDOW_S))
    n = len(samples) // window * window
    if n == 0:
        return []
    ms = (samples[:n].astype(np.float64) ** 2).reshape(-1, window).mean(axis=1)
    loud = 10 * np.log10(np.maximum(ms, 1e-20)) > THRESHOLD_DB
    edges = np.diff(np.concatenate([[0], loud.astype(np.int8), [0]]))
    found: list[tuple[float, float]] = []
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        start, end = a * window / rate, b * window / rate
        if found and start - found[-1][1] < JOIN_GAP_S:
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
    return found


def _upload(req: Request) -> bytes:
    for name, value, filename in req.form():
        if name == "file" and filename is not None:
            return value
    return b""


def _error(message: str, status: int, kind: str = "invalid_request_error") -> Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
    return Response.json(body, status)


def _translation(server: WireServer, numbered: str) -> str:
    """A stand-in "translation": each numbered line upper-cased after a «xx» mark; lines listed
    in state "skip_lines" are left out of the first reply ("skip_always": every reply)."""
    skip = set(server.state.get("skip_lines", ()))
    out = []
    for line in numbered.split("\n"):
        match = re.match(r"\[(\d+)\] (.*)", line)
        if not match:
            continue
        number = int(match.group(1))
        if number in skip:
            if not server.state.get("skip_always"):
                skip.discard(number)
            continue
        out.append(f"[{number}] «xx» {match.group(2).upper()}")
    server.state["skip_lines"] = sorted(skip)
    return "\n".join(out)


def _chat_reply(body: dict, content: str) -> Response:  # type: ignore[type-arg]
    return Response.json(
        {
            "id": "chatcmpl-bursts",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [
                {"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": content, "refusal": None}}
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
    )  # fmt: skip


def install(server: WireServer, prefix: str = PREFIX) -> None:
    @server.route("POST", f"{prefix}/audio/transcriptions")
    def transcriptions(req: Request) -> Response:
        from audio_studio.core.audio.codec import decode

        limit = int(server.state.get("limit", LIMIT))
        if len(req.body) > limit:
            return _error(
                f"Maximum content size limit ({limit}) exceeded ({len(req.body)} bytes read)",
                413,
                "server_error",
            )
        latency = float(server.state.get("latency_s", 0.0))
        if latency:
            server.stopping.wait(latency)
        data = _upload(req)
        server.state.setdefault("uploads", []).append(len(data))
        try:
            audio = decode(data, name="upload").mono()
        except Exception:
            return _error("Invalid file format.", 400)
        found = bursts(audio.samples[:, 0], audio.sample_rate)
        words = [{"word": "speech", "start": round(a, 3), "end": round(b, 3)} for a, b in found]
        segments = [
            {"id": n, "seek": 0, "start": w["start"], "end": w["end"], "text": " speech",
             "tokens": [1], "temperature": 0.0, "avg_logprob": -0.05,
             "compression_ratio": 1.0, "no_speech_prob": 0.01}
            for n, w in enumerate(words)
        ]  # fmt: skip
        return Response.json(
            {
                "task": "transcribe",
                "language": "english",
                "duration": audio.duration_s,
                "text": " ".join("speech" for _ in words),
                "words": words,
                "segments": segments,
                "usage": {"type": "duration", "seconds": round(audio.duration_s)},
            }
        )

    @server.route("GET", f"{prefix}/models")
    def models(req: Request) -> Response:
        return Response.json({"object": "list", "data": [{"id": "whisper-1", "object": "model"}]})

    @server.route("POST", f"{prefix}/chat/completions")
    def chat(req: Request) -> Response:
        body = req.json()
        server.state.setdefault("chats", []).append(body)
        if body["messages"][0]["content"].startswith("You translate"):
            return _chat_reply(body, _translation(server, body["messages"][-1]["content"]))
        text = body["messages"][-1]["content"].split("\n\n", 1)[-1]
        words = re.findall(r"[\w']+", text)
        summary = {
            "summary": f"A recording of {len(words)} words that begins: {' '.join(words[:6])}.",
            "action_items": [f"Follow up on “{' '.join(words[-3:])}”"] if words else [],
        }
        content = json.dumps(summary)
        if server.state.get("chat_style") == "text":
            items = "\n".join(f"- {i}" for i in summary["action_items"])
            content = f"Summary:\n{summary['summary']}\n\nAction items:\n{items}"
        return Response.json(
            {
                "id": "chatcmpl-bursts",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content, "refusal": None}}
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
        )  # fmt: skip
