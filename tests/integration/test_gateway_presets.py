"""Crazyrouter and ImaRouter as presets, against loopback servers shaped as their pages say.

Speech in every answer shape (binary, a URL in JSON, base64 in JSON) for any OpenAI-compatible
provider, ImaRouter's music at once (``audio/generate``) and as a polled job, transcription of
a web address (passed on to ImaRouter, downloaded for everyone else), and what each broken
answer says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audio_studio.core.errors import InputError, ProviderProtocolError
from audio_studio.core.models import (
    AudioFormat,
    Capability,
    ChatMessage,
    HistoryKind,
    MusicRequest,
    SfxRequest,
    SpeechRequest,
    TranscriptionRequest,
)
from audio_studio.core.store.history import HistoryQuery
from tests.servers.audio import mp3_bytes, wav_bytes
from tests.support.wire import KEYS


def decodes(data: bytes) -> float:
    from audio_studio.core.audio.codec import decode

    return decode(data).duration_s


async def test_presets_are_listed_with_their_pages(studio):
    ids = [s.info.id for s in studio.registry.specs()]
    assert {"crazyrouter", "imarouter"} <= set(ids)
    crazy = studio.registry.spec("crazyrouter").info
    ima = studio.registry.spec("imarouter").info
    assert crazy.default_base_url == "https://crazyrouter.com/v1"
    assert ima.default_base_url == "https://api.imarouter.com/v1"
    assert (crazy.key_env, ima.key_env) == ("CRAZYROUTER_API_KEY", "IMAROUTER_API_KEY")
    assert crazy.capabilities == {Capability.SPEECH, Capability.TRANSCRIPTION,
                                  Capability.CHAT, Capability.MUSIC}  # fmt: skip
    assert ima.capabilities == {Capability.SPEECH, Capability.TRANSCRIPTION,
                                Capability.MUSIC, Capability.SFX}  # fmt: skip
    assert ima.stt_takes_urls and not crazy.stt_takes_urls
    assert ima.unverified and crazy.unverified and crazy.source_page.startswith("https://")


@pytest.mark.parametrize("shape", ["url", "base64", "audio_base64_in_data", "data_url", "binary"])
async def test_imarouter_speech_in_every_shape(studio, wire, shape):
    wire.state["ima_speech"] = shape
    provider = await studio.context.provider("imarouter")
    result = await provider.synthesize(SpeechRequest("Hello there.", format=AudioFormat.MP3))
    want = wav_bytes() if shape == "audio_base64_in_data" else mp3_bytes()
    assert result.data == want and result.duration_s == pytest.approx(decodes(want), abs=0.05)
    assert result.format is (
        AudioFormat.WAV if shape == "audio_base64_in_data" else AudioFormat.MP3
    )
    (call,) = wire.requests("POST", "/imarouter/v1/audio/speech")
    assert call.json() == {"model": "tts-1-hd", "input": "Hello there.", "voice": "alloy",
                           "response_format": "mp3"}  # fmt: skip
    assert call.headers["authorization"] == f"Bearer {KEYS['imarouter']}"
    downloads = wire.requests("GET", "/cdn/")
    assert len(downloads) == (1 if shape == "url" else 0)
    assert all("authorization" not in d.headers for d in downloads)


@pytest.mark.parametrize("provider_id", ["gateway", "openai", "crazyrouter", "kokoro"])
@pytest.mark.parametrize("shape", ["url", "base64"])
async def test_every_openai_compatible_provider_reads_json_speech(studio, wire, provider_id,
                                                                  shape):  # fmt: skip
    wire.state["speech_shape"] = shape
    provider = await studio.context.provider(provider_id)
    model = None if provider_id == "kokoro" else "tts-1"
    result = await provider.synthesize(SpeechRequest("Hi", model=model, format=AudioFormat.MP3))
    assert result.data == mp3_bytes() and result.format is AudioFormat.MP3
    # Streaming (narration's path) gets the same audio as one piece.
    chunks = [c async for c in provider.stream(SpeechRequest("Hi", model=model))]
    assert [c.data for c in chunks] == [mp3_bytes()]


@pytest.mark.parametrize(
    ("shape", "words"),
    [
        ("not_audio_url", "gave text/html instead of audio"),
        ("fake_audio_url", "are not audio"),
        ("missing_url", "could not be downloaded (HTTP 404)"),
        ("bad_base64", "not valid base64"),
        ("no_audio", "holds no audio"),
    ],
)
async def test_broken_answers_say_so_and_keep_nothing(studio, wire, shape, words):
    wire.state["ima_speech"] = shape
    with pytest.raises(ProviderProtocolError) as info:
        await studio.narration.speak(SpeechRequest("Hello there."), provider_id="imarouter")
    message = info.value.message
    assert words in message and "nothing was saved" in message.lower()
    assert "\n" not in message and KEYS["imarouter"] not in message
    assert studio.history.query(HistoryQuery()) == []


async def test_imarouter_short_music_is_answered_at_once(studio, wire, tmp_path):
    out = tmp_path / "sting.mp3"
    wire.state["ima_generate"] = "base64"
    outcome = await studio.music.generate(
        MusicRequest("brass sting", duration_s=8), provider_id="imarouter", output=out
    )
    assert out.read_bytes() == mp3_bytes() and outcome.remote is None
    (call,) = wire.requests("POST", "/imarouter/v1/audio/generate")
    assert call.json() == {"prompt": "brass sting", "model": "suno-v4", "duration_seconds": 8,
                           "format": "mp3"}  # fmt: skip
    assert wire.requests("POST", "/imarouter/v1/audio/generate/async") == []
    assert studio.music.jobs.recent() == []  # nothing to resume: it is done
    (item,) = studio.history.query(HistoryQuery(kinds=(HistoryKind.MUSIC,)))
    assert item.provider == "imarouter" and item.file() is not None


@pytest.mark.parametrize("delivery", ["url", "base64"])
async def test_imarouter_long_music_is_a_polled_job_saved_at_once(studio, wire, delivery):
    wire.state["gateway_output"] = delivery
    saved: list[int] = []

    def progress(share, message):  # type: ignore[no-untyped-def]
        if message and message.startswith("Submitted"):
            saved.append(len(studio.music.jobs.recent()))  # persisted before any poll

    outcome = await studio.music.generate(
        MusicRequest("two minute ambient bed", duration_s=120), provider_id="imarouter",
        progress=progress,
    )  # fmt: skip
    assert outcome.result is not None and outcome.result.data == mp3_bytes()
    assert saved == [1] and outcome.remote is not None
    submit = wire.requests("POST", "/imarouter/v1/audio/generate/async")[0]
    assert submit.json()["model"] == "suno-v4" and submit.json()["duration_seconds"] == 120
    assert len(wire.requests("GET", "/imarouter/v1/audio/generate/async/")) == 2
    assert [r for r in wire.log if r.path == "/imarouter/v1/audio/generate"] == []


async def test_imarouter_music_job_resumes_after_a_restart(studio, wire, paths, naps,
                                                           wire_secrets):  # fmt: skip
    from tests.support.wire import open_wire_studio

    outcome = await studio.music.generate(
        MusicRequest("ambient", duration_s=90), provider_id="imarouter", wait=False
    )
    await studio.aclose()
    again = open_wire_studio(paths, wire, naps, wire_secrets)
    try:
        (job,) = again.music.jobs.unfinished()
        assert job.id == outcome.job_id
        done = await again.music.resume(outcome.job_id)
        assert done.result is not None and done.result.data == mp3_bytes()
    finally:
        await again.aclose()


async def test_imarouter_sound_effect(studio, wire):
    provider = await studio.context.provider("imarouter")
    result = await provider.generate_sfx(SfxRequest("door creak", duration_s=2))
    assert result.data == mp3_bytes()
    (call,) = wire.requests("POST", "/imarouter/v1/audio/generate")
    assert call.json() == {"prompt": "door creak", "model": "elevenlabs-sound-effects",
                           "duration_seconds": 2}  # fmt: skip


async def test_imarouter_takes_a_file_url_as_it_is(studio, wire):
    url = f"{wire.url}/media/meeting.mp3"
    outcome = await studio.transcription.transcribe_link(
        url, TranscriptionRequest(audio=Path("x")), provider_id="imarouter"
    )
    assert outcome.transcript.text == "Hello there. General Kenobi."
    (call,) = wire.requests("POST", "/imarouter/v1/audio/transcriptions")
    fields = {name: (value, filename) for name, value, filename in call.form()}
    assert fields["file"] == (url.encode(), None)  # the address, not an upload
    assert fields["model"][0] == b"whisper-large-v3"
    assert wire.state["fetched"] == [url]
    # The studio itself never downloaded it: the one GET came from the gateway.
    (fetch,) = wire.requests("GET", "/media/")
    assert "httpx" not in fetch.headers.get("user-agent", "")
    assert outcome.recording.params["source"] == url and outcome.recording.file() is None
    item = outcome.item
    assert item.kind is HistoryKind.TRANSCRIPT and item.parent_id == outcome.recording.id
    assert item.latency.ttfb_ms is not None and item.latency.upload_ms is not None
    assert item.latency.total_ms is not None and item.latency.queue_ms is None


async def test_make_again_asks_imarouter_with_the_address_again(studio, wire):
    url = f"{wire.url}/media/meeting.mp3"
    first = await studio.transcription.transcribe_link(
        url, TranscriptionRequest(audio=Path("x"), language="en"), provider_id="imarouter"
    )
    again = await studio.library.rerun(first.item)
    assert again.provider == "imarouter" and again.params["source"] == url
    assert again.transcript == first.item.transcript
    assert wire.state["fetched"] == [url, url]
    calls = wire.requests("POST", "/imarouter/v1/audio/transcriptions")
    assert [dict(c.fields())["language"] for c in calls] == [["en"], ["en"]]


@pytest.mark.parametrize("provider_id", ["crazyrouter", "openai"])
async def test_other_providers_download_the_url_and_upload_it(studio, wire, provider_id):
    url = f"{wire.url}/media/meeting.mp3"
    seen: list[str] = []
    outcome = await studio.transcription.transcribe_link(
        url, TranscriptionRequest(audio=Path("x")), provider_id=provider_id,
        progress=lambda share, msg: seen.append(msg or ""),
    )  # fmt: skip
    (fetch,) = wire.requests("GET", "/media/")
    assert "python-httpx" in fetch.headers.get("user-agent", "")
    assert "authorization" not in fetch.headers
    (call,) = wire.requests("POST", f"/{provider_id}/v1/audio/transcriptions")
    uploads = [(v, f) for name, v, f in call.form() if name == "file"]
    assert uploads == [(mp3_bytes(), "meeting.mp3")]
    assert any(m.startswith("Downloading meeting.mp3") for m in seen)
    recording = outcome.recording
    assert recording.title == "meeting.mp3" and recording.params["source"] == url
    assert recording.file() is not None and recording.file().path.read_bytes() == mp3_bytes()
    assert outcome.item.params["source"] == url
    assert outcome.item.latency.upload_ms is not None and outcome.item.latency.ttfb_ms is not None
    assert not list((studio.paths.cache_dir / "links").iterdir())  # the download is cleaned up


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/media/missing.mp3", "HTTP 404"),
        ("/media/page", "gives a web page (text/html), not an audio file"),
    ],
)
async def test_a_link_that_fails_says_what_to_do(studio, wire, path, words):
    with pytest.raises(InputError) as info:
        await studio.transcription.transcribe_link(
            f"{wire.url}{path}", TranscriptionRequest(audio=Path("x")), provider_id="openai"
        )
    assert words in info.value.message and "\n" not in info.value.message
    assert studio.history.query(HistoryQuery()) == []
    assert wire.requests("POST", "/openai/v1/audio/transcriptions") == []


async def test_a_link_over_the_size_cap_is_refused(studio, wire):
    from audio_studio.core.transcription.links import transcribe_link

    with pytest.raises(InputError, match="over the 1 KB the studio downloads"):
        await transcribe_link(
            studio.context, f"{wire.url}/media/meeting.mp3",
            TranscriptionRequest(audio=Path("x")), provider_id="openai", max_bytes=1000,
        )  # fmt: skip
    assert studio.history.query(HistoryQuery()) == []


async def test_crazyrouter_chat_and_connection(studio, wire):
    provider = await studio.context.provider("crazyrouter")
    assert (await studio.test_connection("crazyrouter")).startswith("Connected")
    text, _ = await provider.complete([ChatMessage("user", "Summarise this")])
    assert text.startswith("Summary:")
    (call,) = wire.requests("POST", "/crazyrouter/v1/chat/completions")
    assert call.json()["model"] == "gpt-4o-mini"
