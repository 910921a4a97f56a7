"""ElevenLabs' wire shapes: TTS (plain, stream, timestamps), voices v2 pages, models, sound
generation, music (plain, stream, multipart/mixed detailed), Scribe, voice cloning, quota."""

from __future__ import annotations

import base64
import json

from tests.servers.audio import audio_for, chunked, mp3_bytes
from tests.servers.base import Request, Response, WireServer

SCRIBE = {
    "language_code": "eng",
    "language_probability": 0.98,
    "text": "Hi there. (laughter) Yes?",
    "words": [
        {"text": "Hi", "start": 0.0, "end": 0.3, "type": "word", "speaker_id": "speaker_0",
         "logprob": -0.05},
        {"text": " ", "start": 0.3, "end": 0.35, "type": "spacing", "speaker_id": "speaker_0",
         "logprob": 0.0},
        {"text": "there.", "start": 0.35, "end": 0.8, "type": "word", "speaker_id": "speaker_0",
         "logprob": -0.1},
        {"text": "(laughter)", "start": 0.9, "end": 1.5, "type": "audio_event",
         "speaker_id": "speaker_1", "logprob": 0.0},
        {"text": "Yes?", "start": 1.6, "end": 2.0, "type": "word", "speaker_id": "speaker_1",
         "logprob": -0.2},
    ],
}  # fmt: skip
MODELS = [
    {"model_id": "eleven_multilingual_v2", "name": "Multilingual v2", "can_do_text_to_speech": True,
     "maximum_text_length_per_request": 10000},
    {"model_id": "eleven_v3", "name": "Eleven v3", "can_do_text_to_speech": True,
     "maximum_text_length_per_request": 20},
]  # fmt: skip


def _alignment(text: str, seconds: float | None = None) -> dict[str, list[object]]:
    """0.05 s a character, and a breath (eight characters' time) after , ; : . ! ? as a
    voice takes one (so times are not in proportion to characters); squeezed into
    ``seconds`` of audio when given and too short."""
    chars = list(text)
    starts, at = [], 0.0
    for ch in chars:
        starts.append(at)
        at += 0.05 + (0.4 if ch in ",;:.!?" else 0.0)
    scale = min(1.0, seconds / at) if seconds and at else 1.0
    ends = [*starts[1:], at]
    return {
        "characters": chars,
        "character_start_times_seconds": [round(t * scale, 4) for t in starts],
        "character_end_times_seconds": [round(t * scale, 4) for t in ends],
    }


def install(server: WireServer, prefix: str) -> None:
    def seconds(req: Request) -> float | None:
        """Audio as long as the text at ``tts_seconds_per_char`` when a test sets it (each
        sentence then sounds different), else the usual fixed length."""
        per_char = server.state.get("tts_seconds_per_char")
        return round(len(req.json()["text"]) * per_char, 2) if per_char else None

    def tts_audio(req: Request) -> tuple[bytes, str]:
        fmt = req.query.get("output_format", ["mp3_44100_128"])[0]
        return audio_for(fmt, seconds(req))

    @server.route("POST", rf"{prefix}/v1/text-to-speech/(?P<voice>[^/]+)")
    def tts(req: Request) -> Response:
        data, ctype = tts_audio(req)
        return Response(200, data, {"Content-Type": ctype, "request-id": "el_req_1",
                                    "character-cost": str(len(req.json()["text"]))})  # fmt: skip

    @server.route("POST", rf"{prefix}/v1/text-to-speech/(?P<voice>[^/]+)/stream")
    def tts_stream(req: Request) -> Response:
        data, ctype = tts_audio(req)
        return Response(200, chunked(data, 1024), {"Content-Type": ctype})

    @server.route("POST", rf"{prefix}/v1/text-to-speech/(?P<voice>[^/]+)/with-timestamps")
    def tts_timed(req: Request) -> Response:
        data, ctype = tts_audio(req)
        text = req.json()["text"]
        length = (seconds(req) or 1.0) if ctype == "audio/mpeg" else len(data) / 48_000
        return Response.json(
            {"audio_base64": base64.b64encode(data).decode(),
             "alignment": _alignment(text, length),
             "normalized_alignment": _alignment(text, length)}
        )  # fmt: skip

    @server.route("POST", rf"{prefix}/v1/text-to-speech/(?P<voice>[^/]+)/stream/with-timestamps")
    def tts_stream_timed(req: Request) -> Response:
        # A piece a word, each with its characters' times from the start of the speech.
        data, ctype = tts_audio(req)
        text = req.json()["text"]
        length = (seconds(req) or 1.0) if ctype == "audio/mpeg" else len(data) / 48_000
        timed = _alignment(text, length)
        words = text.split(" ")
        lines, at = [], 0
        for n, piece in enumerate(chunked(data, len(data) // len(words) + 1)):
            size = len(words[n]) + (n < len(words) - 1) if n < len(words) else 0
            item = {
                "audio_base64": base64.b64encode(piece).decode(),
                "alignment": {k: v[at : at + size] for k, v in timed.items()} if size else None,
            }
            at += size
            lines.append(json.dumps(item).encode() + b"\n")
        return Response(200, lines, {"Content-Type": "application/json"})

    @server.route("GET", f"{prefix}/v2/voices")
    def voices(req: Request) -> Response:
        page2 = req.query.get("next_page_token") == ["page-2"]
        voice = {
            "voice_id": "v2" if page2 else "v1",
            "name": "Second" if page2 else "First",
            "category": "cloned" if page2 else "premade",
            "labels": {"language": "en"},
        }
        return Response.json(
            {"voices": [voice], "has_more": not page2, "total_count": 2,
             "next_page_token": None if page2 else "page-2"}
        )  # fmt: skip

    @server.route("GET", f"{prefix}/v1/models")
    def models(req: Request) -> Response:
        return Response.json(MODELS)

    @server.route("POST", f"{prefix}/v1/sound-generation")
    def sfx(req: Request) -> Response:
        data, ctype = tts_audio(req)
        return Response(200, data, {"Content-Type": ctype, "character-cost": "80"})

    @server.route("POST", f"{prefix}/v1/music")
    def music(req: Request) -> Response:
        return Response(200, mp3_bytes(), {"Content-Type": "audio/mpeg", "song-id": "song_1"})

    @server.route("POST", f"{prefix}/v1/music/stream")
    def music_stream(req: Request) -> Response:
        return Response(200, chunked(mp3_bytes(), 2048), {"Content-Type": "audio/mpeg"})

    @server.route("POST", f"{prefix}/v1/music/detailed")
    def music_detailed(req: Request) -> Response:
        meta = {
            "composition_plan": {"positive_global_styles": ["lofi"], "negative_global_styles": [],
                                 "sections": []},
            "song_metadata": {"title": "Rainy Loop", "description": "calm", "genres": ["lofi"],
                              "languages": [], "is_explicit": False},
        }  # fmt: skip
        boundary = "el-boundary-42"
        body = (
            (
                f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(meta)}\r\n"
                f"--{boundary}\r\nContent-Type: audio/mpeg\r\n"
                'Content-Disposition: attachment; filename="song.mp3"\r\n\r\n'
            ).encode()
            + mp3_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return Response(
            200,
            body,
            {"Content-Type": f"multipart/mixed; boundary={boundary}", "song-id": "song_2"},
        )

    @server.route("POST", f"{prefix}/v1/speech-to-text")
    def stt(req: Request) -> Response:
        return Response.json(SCRIBE)

    @server.route("POST", f"{prefix}/v1/voices/add")
    def clone(req: Request) -> Response:
        return Response.json({"voice_id": "cloned_1", "requires_verification": False})

    @server.route("GET", f"{prefix}/v1/user/subscription")
    def subscription(req: Request) -> Response:
        return Response.json(
            {"tier": "creator", "character_count": 1200, "character_limit": 100000,
             "next_character_count_reset_unix": 1900000000, "status": "active"}
        )  # fmt: skip
