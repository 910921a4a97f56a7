"""OpenAI's wire shapes (and its compatibles'): models, speech (raw, chunked, SSE), transcriptions
in every reply format (and SSE), translations, chat, voices, LocalAI's sound generation.

``state["speech_shape"]`` makes speech answer as a gateway may (answers.py: a URL or base64 in
JSON, or a broken answer) on every prefix."""

from __future__ import annotations

import base64
import io
import wave
from typing import Any

from tests.servers.answers import audio_answer
from tests.servers.audio import audio_for, chunked, wav_bytes
from tests.servers.base import Request, Response, WireServer

TEXT = "Hello there. General Kenobi."
SRT = (
    "1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n"
    "2\n00:00:01,500 --> 00:00:03,000\nGeneral Kenobi.\n"
)
VTT = (
    "WEBVTT\n\n00:00.000 --> 00:01.500\n<v A>Hello there.\n\n"
    "00:01.500 --> 00:03.000\n<v B>General Kenobi.\n"
)
VERBOSE = {
    "task": "transcribe",
    "language": "english",
    "duration": 3.0,
    "text": TEXT,
    "words": [
        {"word": "Hello", "start": 0.0, "end": 0.5},
        {"word": "there.", "start": 0.5, "end": 1.4},
        {"word": "General", "start": 1.6, "end": 2.2},
        {"word": "Kenobi.", "start": 2.2, "end": 3.0},
    ],
    "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " Hello there.", "tokens": [1, 2],
         "temperature": 0.0, "avg_logprob": -0.1, "compression_ratio": 1.1, "no_speech_prob": 0.01},
        {"id": 1, "seek": 0, "start": 1.5, "end": 3.0, "text": " General Kenobi.", "tokens": [3],
         "temperature": 0.0, "avg_logprob": -0.3, "compression_ratio": 1.2, "no_speech_prob": 0.02},
    ],
    "usage": {"type": "duration", "seconds": 3},
}  # fmt: skip
DIARIZED = {
    "task": "transcribe",
    "duration": 3.0,
    "text": TEXT,
    "segments": [
        {"type": "transcript.text.segment", "id": "seg_1", "start": 0.0, "end": 1.5,
         "text": "Hello there.", "speaker": "A"},
        {"type": "transcript.text.segment", "id": "seg_2", "start": 1.5, "end": 3.0,
         "text": "General Kenobi.", "speaker": "B"},
    ],
    "usage": {"type": "duration", "seconds": 3},
}  # fmt: skip
REFUSAL = {
    "error": {
        "message": "This request was refused by our content policy.",
        "type": "invalid_request_error",
        "param": "input",
        "code": "content_policy_violation",
    }
}
MODELS = ["tts-1", "gpt-4o-mini-tts", "whisper-1", "gpt-4o-transcribe", "gpt-4o-mini"]


def _transcript(req: Request) -> Response:
    fields = req.fields()
    fmt = fields.get("response_format", ["json"])[0]
    if fields.get("stream") == ["true"]:
        events = [{"type": "transcript.text.delta", "delta": w + " "} for w in TEXT.split()]
        if fmt == "diarized_json":
            events += [{**s, "type": "transcript.text.segment"} for s in DIARIZED["segments"]]
        events.append(
            {"type": "transcript.text.done", "text": TEXT,
             "usage": {"type": "tokens", "input_tokens": 5, "output_tokens": 7, "total_tokens": 12}}
        )  # fmt: skip
        return Response.sse(events)
    if fmt == "text":
        return Response(200, TEXT.encode(), {"Content-Type": "text/plain; charset=utf-8"})
    if fmt == "srt":
        return Response(200, SRT.encode(), {"Content-Type": "text/plain; charset=utf-8"})
    if fmt == "vtt":
        return Response(200, VTT.encode(), {"Content-Type": "text/vtt"})
    if fmt == "verbose_json":
        return Response.json(VERBOSE)
    if fmt == "diarized_json":
        return Response.json(DIARIZED)
    return Response.json({"text": TEXT, "usage": {"type": "duration", "seconds": 3}})


def spoken_answer(state: dict[str, Any], text: str, body: dict[str, Any]) -> tuple[bytes, str]:
    """Real speech for ``text`` (proof-listening tests): state["spoken"] maps each text to
    16-bit 24 kHz PCM made by the offline engines; state["swap_once"] = {text: other} answers
    ``text`` once with the audio of ``other`` (state["swap_always"] every time)."""
    once = state.get("swap_once") or {}
    said = once.pop(text, None) or (state.get("swap_always") or {}).get(text) or text
    pcm = state["spoken"][said]
    if str(body.get("response_format", "")).startswith("pcm"):
        return pcm, "audio/pcm"
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24_000)
        w.writeframes(pcm)
    return out.getvalue(), "audio/wav"


def install(server: WireServer, prefix: str) -> None:
    @server.route("GET", f"{prefix}/models")
    def models(req: Request) -> Response:
        data = [
            {"id": m, "object": "model", "created": 1700000000, "owned_by": "t"} for m in MODELS
        ]
        return Response.json({"object": "list", "data": data})

    @server.route("POST", f"{prefix}/audio/speech")
    def speech(req: Request) -> Response:
        body = req.json()
        # Narration tests: state["refuse_speech"] = "word" refuses inputs holding that word
        # (the content policy's 400); state["speech_delay_s"] = 0.3 delays the first byte.
        refuse = server.state.get("refuse_speech")
        if refuse and refuse in str(body.get("input", "")):
            return Response.json(REFUSAL, 400)
        delay = server.state.get("speech_delay_s")
        if delay:
            server.stopping.wait(float(delay))
        if server.state.get("speech_shape"):
            return audio_answer(server, server.state["speech_shape"])
        data, ctype = audio_for(body.get("response_format", "mp3"))
        if "spoken" in server.state:
            data, ctype = spoken_answer(server.state, str(body.get("input", "")), body)
        if body.get("stream_format") == "sse":
            events = [
                {"type": "speech.audio.delta", "audio": base64.b64encode(c).decode()}
                for c in chunked(data, 2048)
            ]
            usage = {"input_tokens": 3, "output_tokens": 9, "total_tokens": 12}
            return Response.sse([*events, {"type": "speech.audio.done", "usage": usage}])
        return Response(200, chunked(data), {"Content-Type": ctype, "x-request-id": "req_speech"})

    server.route("POST", f"{prefix}/audio/transcriptions")(_transcript)
    server.route("POST", f"{prefix}/audio/translations")(_transcript)

    @server.route("POST", f"{prefix}/chat/completions")
    def chat(req: Request) -> Response:
        body = req.json()
        last = body["messages"][-1]["content"]
        return Response.json(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1700000000,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": f"Summary: {last[:20]}",
                                    "refusal": None},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13},
            }
        )  # fmt: skip

    @server.route("GET", f"{prefix}/audio/voices")
    def voices(req: Request) -> Response:
        return Response.json({"voices": [{"id": "af_heart", "name": "Heart"}, "bm_george"]})

    @server.route("POST", f"{prefix}/sound-generation")
    def sound(req: Request) -> Response:
        return Response(200, wav_bytes(), {"Content-Type": "audio/wav"})
