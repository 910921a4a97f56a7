"""The two gateways the studio was specified from, shaped as their own pages describe them.

Crazyrouter (its audio API guide): the OpenAI audio shape — speech answered as binary audio
(the guide's smoke test got audio/mpeg), transcription of an uploaded ``file`` with whisper-1,
chat, a model list — and music as an async task (submit, task id, poll, download), served here
as the seed gateway's ``audio/generate/async``.

ImaRouter (its Speech & Audio API page): speech that "returns audio URL" (``state
["ima_speech"]`` switches to base64 JSON, binary audio, or the broken answers a test needs),
``audio/generate`` answered at once (``state["ima_generate"]``: ``url`` or ``base64``),
``audio/generate/async`` with polling (jobs_wire; ``state["gateway_output"]``), and
transcription whose ``file`` is a URL the server fetches itself (an uploaded file is accepted
too). Answers and the files they point to: answers.py.

``/media/…`` stands for any web server holding a user's recording (for ``transcribe URL``).
"""

from __future__ import annotations

import urllib.request

from tests.servers import jobs_wire, openai_wire
from tests.servers.answers import audio_answer
from tests.servers.audio import mp3_bytes, wav_bytes
from tests.servers.base import Request, Response, WireServer

CRAZYROUTER = "/crazyrouter/v1"
IMAROUTER = "/imarouter/v1"
TEXT = "Hello there. General Kenobi."


def _error(message: str, status: int) -> Response:
    return Response.json({"error": {"message": message, "type": "invalid_request_error"}}, status)


def install_crazyrouter(server: WireServer, prefix: str = CRAZYROUTER) -> None:
    openai_wire.install(server, prefix)  # speech as binary audio, transcriptions, chat, models
    jobs_wire.install_gateway_jobs(server, prefix)


def install_imarouter(server: WireServer, prefix: str = IMAROUTER) -> None:
    @server.route("GET", f"{prefix}/models")
    def models(req: Request) -> Response:
        ids = ["tts-1-hd", "elevenlabs-turbo", "whisper-large-v3", "suno-v4"]
        return Response.json({"object": "list", "data": [{"id": m} for m in ids]})

    @server.route("POST", f"{prefix}/audio/speech")
    def speech(req: Request) -> Response:
        body = req.json()
        if not body.get("input") or not body.get("model") or not body.get("voice"):
            return _error("input, model and voice are required", 400)
        return audio_answer(server, server.state.get("ima_speech", "url"), "speech.mp3")

    @server.route("POST", f"{prefix}/audio/generate")
    def generate(req: Request) -> Response:
        body = req.json()
        if not body.get("prompt") or not body.get("model"):
            return _error("prompt and model are required", 400)
        server.state.setdefault("generated", []).append(body)
        return audio_answer(server, server.state.get("ima_generate", "url"), "music.mp3")

    jobs_wire.install_gateway_jobs(server, prefix)

    @server.route("POST", f"{prefix}/audio/transcriptions")
    def transcriptions(req: Request) -> Response:
        fields = {name: (value, filename) for name, value, filename in req.form()}
        if "file" not in fields or "model" not in fields:
            return _error("file and model are required", 400)
        value, filename = fields["file"]
        if filename is None:  # "file (URL)": the gateway fetches it
            url = value.decode()
            server.state.setdefault("fetched", []).append(url)
            try:
                with urllib.request.urlopen(url, timeout=5) as fetched:
                    audio = fetched.read()
            except OSError as exc:
                return _error(f"could not fetch the file URL: {exc}", 400)
        else:
            audio = value
            server.state.setdefault("uploaded", []).append(filename)
        from audio_studio.core.audio.codec import decode

        try:
            seconds = decode(audio, name="file").duration_s
        except Exception:
            return _error("Invalid file format.", 400)
        return Response.json({"text": TEXT, "duration": seconds, "language": "english"})


def install_media(server: WireServer) -> None:
    """A plain web server with a user's recordings: no API, no key."""

    @server.route("GET", r"/media/(?P<name>[^/]+)\.(?P<ext>mp3|wav)")
    def media(req: Request) -> Response:
        if req.match["name"] == "missing":
            return Response(404, b"Not Found", {"Content-Type": "text/plain"})
        data, ctype = (mp3_bytes(), "audio/mpeg") if req.match["ext"] == "mp3" else (
            wav_bytes(2.0, 16_000), "audio/wav")  # fmt: skip
        return Response(200, data, {"Content-Type": ctype})

    @server.route("GET", r"/media/page")
    def page(req: Request) -> Response:
        return Response(200, b"<html>a web page</html>", {"Content-Type": "text/html"})
