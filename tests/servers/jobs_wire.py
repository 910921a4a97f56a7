"""Async job APIs: Replicate predictions and the seed gateway's /audio/generate/async.

Jobs finish after ``server.state["polls_to_finish"]`` polls (default 2). The gateway answers
with a URL or base64 (``state["gateway_output"]``) and can fail (``state["gateway_fail"]``).
Results are served from ``localhost`` while APIs live on ``127.0.0.1``: another origin, so a
test can check the key never goes to the download.
"""

from __future__ import annotations

import base64
import itertools

from tests.servers.audio import mp3_bytes
from tests.servers.base import Request, Response, WireServer

_ids = itertools.count(1)


def _polls(server: WireServer, job: str) -> int:
    count = server.state.get(f"polls:{job}", 0) + 1
    server.state[f"polls:{job}"] = count
    return count


def install_replicate(server: WireServer, prefix: str) -> None:
    def prediction(job: str, status: str) -> dict[str, object]:
        done = status == "succeeded"
        return {
            "id": job,
            "model": "meta/musicgen",
            "version": "v",
            "input": {},
            "status": status,
            "output": f"http://localhost:{server.port}/delivery/{job}.mp3" if done else None,
            "error": "out of memory" if status == "failed" else None,
            "logs": "",
            "created_at": "2026-08-21T10:00:00.000Z",
            "started_at": "2026-08-21T10:00:02.500Z" if status != "starting" else None,
            "completed_at": "2026-08-21T10:00:09.000Z" if done else None,
            "urls": {
                "get": f"{server.url}{prefix}/predictions/{job}",
                "cancel": f"{server.url}{prefix}/predictions/{job}/cancel",
                "web": f"https://replicate.com/p/{job}",
            },
            "metrics": {"predict_time": 6.5} if done else {},
        }

    @server.route("POST", f"{prefix}/predictions")
    def create(req: Request) -> Response:
        job = f"pred{next(_ids)}"
        return Response.json(prediction(job, "starting"), 201)

    @server.route("GET", rf"{prefix}/predictions/(?P<job>[^/]+)")
    def get(req: Request) -> Response:
        job = req.match["job"]
        if server.state.get(f"canceled:{job}"):
            return Response.json(prediction(job, "canceled"))
        if server.state.get("replicate_fail"):
            return Response.json(prediction(job, "failed"))
        n = _polls(server, job)
        done = n >= server.state.get("polls_to_finish", 2)
        return Response.json(prediction(job, "succeeded" if done else "processing"))

    @server.route("POST", rf"{prefix}/predictions/(?P<job>[^/]+)/cancel")
    def cancel(req: Request) -> Response:
        server.state[f"canceled:{req.match['job']}"] = True
        return Response.json(prediction(req.match["job"], "canceled"))

    @server.route("GET", f"{prefix}/account")
    def account(req: Request) -> Response:
        return Response.json({"type": "user", "username": "tester", "name": "Tester"})

    @server.route("GET", r"/delivery/(?P<job>[^/]+)\.mp3")
    def delivery(req: Request) -> Response:
        return Response(200, mp3_bytes(), {"Content-Type": "audio/mpeg"})


def install_gateway_jobs(server: WireServer, prefix: str) -> None:
    @server.route("POST", f"{prefix}/audio/generate/async")
    def submit(req: Request) -> Response:
        return Response.json({"id": f"job_{next(_ids)}", "status": "queued"}, 202)

    @server.route("GET", rf"{prefix}/audio/generate/async/(?P<job>[^/]+)")
    def status(req: Request) -> Response:
        job = req.match["job"]
        if server.state.get(f"canceled:{job}"):
            return Response.json({"id": job, "status": "cancelled"})
        if server.state.get("gateway_fail"):
            return Response.json({"id": job, "status": "failed", "error": {"message": "no GPU"}})
        n = _polls(server, job)
        if n < server.state.get("polls_to_finish", 2):
            return Response.json({"id": job, "status": "processing", "progress": 50})
        if server.state.get("gateway_output") == "base64":
            audio = base64.b64encode(mp3_bytes()).decode()
            return Response.json({"id": job, "status": "completed", "audio_base64": audio})
        url = f"http://localhost:{server.port}/files/{job}.mp3"
        return Response.json({"id": job, "status": "completed", "result": {"audio_url": url}})

    @server.route("POST", rf"{prefix}/audio/generate/async/(?P<job>[^/]+)/cancel")
    def cancel(req: Request) -> Response:
        server.state[f"canceled:{req.match['job']}"] = True
        return Response.json({"id": req.match["job"], "status": "cancelled"})

    @server.route("GET", r"/files/(?P<job>[^/]+)\.mp3")
    def files(req: Request) -> Response:
        return Response(200, mp3_bytes(), {"Content-Type": "audio/mpeg"})
