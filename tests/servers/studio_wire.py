"""One loopback server speaking every provider's shape, each under its own path prefix."""

from __future__ import annotations

from tests.servers import answers, elevenlabs_wire, gateways_wire, jobs_wire, openai_wire, stt_wire
from tests.servers.base import WireServer

PREFIXES = {
    "openai": "/openai/v1",
    "groq": "/groq/v1",
    "gateway": "/gateway/v1",
    "crazyrouter": gateways_wire.CRAZYROUTER,
    "imarouter": gateways_wire.IMAROUTER,
    "localai": "/localai/v1",
    "speaches": "/speaches/v1",
    "kokoro": "/kokoro/v1",
    "elevenlabs": "/elevenlabs",
    "replicate": "/replicate/v1",
}


def build_server() -> WireServer:
    server = WireServer()
    for pid in ("openai", "groq", "gateway", "localai", "speaches", "kokoro"):
        openai_wire.install(server, PREFIXES[pid])
    elevenlabs_wire.install(server, PREFIXES["elevenlabs"])
    jobs_wire.install_replicate(server, PREFIXES["replicate"])
    jobs_wire.install_gateway_jobs(server, PREFIXES["gateway"])
    stt_wire.install(server)  # its own prefix: a transcription server that listens
    gateways_wire.install_crazyrouter(server)
    gateways_wire.install_imarouter(server)
    gateways_wire.install_media(server)
    answers.install_cdn(server)
    return server


def base_urls(server: WireServer) -> dict[str, str]:
    return {pid: f"{server.url}{prefix}" for pid, prefix in PREFIXES.items()}
