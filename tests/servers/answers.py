"""The shapes a gateway's audio answer takes (binary, a URL in JSON, base64 in JSON), broken
ones included, for any route that makes audio; and the files those URLs point to.

Files are served from ``localhost`` while the APIs live on ``127.0.0.1``: another origin, so
a test sees that no key travels with a download.
"""

from __future__ import annotations

import base64

from tests.servers.audio import mp3_bytes, wav_bytes
from tests.servers.base import Request, Response, WireServer

SHAPES = (
    "binary", "url", "base64", "audio_base64_in_data", "data_url",
    "bad_base64", "not_audio_url", "fake_audio_url", "missing_url", "no_audio",
)  # fmt: skip


def cdn(server: WireServer, name: str) -> str:
    return f"http://localhost:{server.port}/cdn/{name}"


def audio_answer(server: WireServer, shape: str, name: str = "speech.mp3") -> Response:
    if shape == "binary":
        return Response(200, mp3_bytes(), {"Content-Type": "audio/mpeg"})
    if shape == "base64":
        return Response.json({"b64_json": base64.b64encode(mp3_bytes()).decode()})
    if shape == "audio_base64_in_data":
        encoded = base64.b64encode(wav_bytes()).decode()
        return Response.json({"data": [{"audio_base64": encoded, "format": "wav"}]})
    if shape == "data_url":
        encoded = base64.b64encode(mp3_bytes()).decode()
        return Response.json({"audio": f"data:audio/mpeg;base64,{encoded}"})
    if shape == "bad_base64":
        return Response.json({"audio_base64": "this is not base64 at all!"})
    if shape == "not_audio_url":
        return Response.json({"audio_url": cdn(server, "page.html")})
    if shape == "fake_audio_url":
        return Response.json({"audio_url": cdn(server, "fake.mp3")})
    if shape == "missing_url":
        return Response.json({"audio_url": cdn(server, "gone.mp3")})
    if shape == "no_audio":
        return Response.json({"id": "speech_1", "status": "completed"})
    return Response.json({"id": "speech_1", "audio_url": cdn(server, name)})


def install_cdn(server: WireServer) -> None:
    @server.route("GET", r"/cdn/(?P<name>[^/]+)\.mp3")
    def files(req: Request) -> Response:
        name = req.match["name"]
        if name == "gone":
            return Response(404, b"Not Found", {"Content-Type": "text/plain"})
        if name == "fake":  # says it is audio, is not
            return Response(200, b"<error>quota</error>" * 20, {"Content-Type": "audio/mpeg"})
        return Response(200, mp3_bytes(), {"Content-Type": "audio/mpeg"})

    @server.route("GET", r"/cdn/page\.html")
    def page(req: Request) -> Response:
        return Response(200, b"<html><body>Expired</body></html>", {"Content-Type": "text/html"})
