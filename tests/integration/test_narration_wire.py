"""Narration against cloud providers over a real socket: cache, refusals, outages, budgets,
cancel, streaming preview, voice settings and voices of one's own."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from audio_studio.core.errors import BudgetExceededError, InputError
from audio_studio.core.models import HistoryKind, HistoryStatus
from audio_studio.core.narration.project import (
    ChunkStatus,
    NarrationProject,
    NarrationSettings,
)
from audio_studio.core.narration.voices import CONSENT_STATEMENT
from audio_studio.core.settings import Budget
from audio_studio.core.store.history import HistoryQuery
from tests.support.data import JFK
from tests.support.narration import SCRIPT, SPEECH, CollectingSink

OPENAI = NarrationSettings(provider="openai", model="gpt-4o-mini-tts", voice="coral")


def project(script: str = SCRIPT, settings: NarrationSettings = OPENAI) -> NarrationProject:
    return NarrationProject(script, title="Harbour", settings=settings, max_chars=4096)


async def test_same_script_twice_makes_no_provider_calls_the_second_time(narration_studio, wire):
    narration = narration_studio.narration
    first = project()
    plan = await narration.plan(first)
    assert plan.to_make == 5 and plan.cached == 0 and "5 sentences in 2 paragraphs" in plan.text()
    assert plan.preflight.estimate.usd and plan.warning is None
    sink = CollectingSink()
    report = await narration.generate(first, preview=sink)
    assert report.made == 5 and report.failed == 0 and sink.ended
    calls = wire.requests("POST", SPEECH)
    assert len(calls) == 5
    body = calls[0].json()
    assert body["response_format"] == "pcm" and body["stream_format"] == "sse"
    assert report.ttfa_ms is not None and report.ttfa_ms < report.total_ms
    # The preview got all five sentences (0.5 s each from the server) and the pauses between.
    assert sink.rate == 24_000 and sink.seconds == pytest.approx(5 * 0.5 + 0.25 + 0.6 + 0.8 + 0.25)
    takes = await narration_studio.library.query(HistoryQuery(kinds=(HistoryKind.TAKE,)))
    assert len(takes) == 5 and all(t.parent_id == first.item_id for t in takes)
    assert all(t.usage.cost_usd and t.usage.requests == 1 for t in takes)
    # A new project with the same script and voice: everything comes from the cache.
    second = project()
    plan = await narration.plan(second)
    assert plan.to_make == 0 and plan.cached == 5 and "5 from the cache" in plan.text()
    assert "free · free" not in plan.text() and "free" in plan.text()
    report = await narration.generate(second, preview=CollectingSink())
    assert report.cached == 5 and report.made == 0
    assert len(wire.requests("POST", SPEECH)) == 5  # zero new calls
    cached = [c.take for c in second.chunks]
    assert all(t and t.cache_hit and t.cost_usd == 0 for t in cached)
    # Another voice is another sound: not from the cache.
    third = project(settings=dataclasses.replace(OPENAI, voice="nova"))
    assert (await narration.plan(third)).to_make == 5


async def test_repeated_sentences_are_made_once_per_run(narration_studio, wire):
    narration = narration_studio.narration
    p = project("Again. Once more. Again.\n\nAgain. Once more.")
    plan = await narration.plan(p)
    assert plan.to_make == 2 and plan.cached == 3
    report = await narration.generate(p, preview=CollectingSink())
    assert report.made == 2 and report.cached == 3 and report.failed == 0
    assert len(wire.requests("POST", SPEECH)) == 2
    assert [c.take.cache_hit for c in p.chunks] == [False, False, True, True, True]


async def test_a_refused_chunk_fails_alone_and_can_be_retried(narration_studio, wire):
    wire.state["refuse_speech"] = "bread"
    narration = narration_studio.narration
    p = project()
    report = await narration.generate(p)
    failed = [c for c in p.chunks if c.status is ChunkStatus.FAILED]
    assert report.failed == 1 and report.made == 4
    assert [c.text for c in failed] == ["She bought bread"]
    assert "content policy" in (failed[0].error or "") and failed[0].error_kind == (
        "InvalidRequestError"
    )
    item = await asyncio.to_thread(narration_studio.history.get, p.item_id)
    assert item.status is HistoryStatus.FAILED and "1 sentence(s) failed" in item.error
    with pytest.raises(InputError, match="1 of 5 sentences have no audio"):
        await narration.export(p, narration_studio.paths.data_dir / "x.wav")
    del wire.state["refuse_speech"]
    retry = await narration.retry_failed(p)
    assert retry.made == 1 and not p.failed()
    assert len(wire.requests("POST", SPEECH)) == 6  # 5 + the one retried, nothing else


async def test_an_outage_stops_calls_and_the_offline_voice_finishes(narration_studio, wire):
    narration = narration_studio.narration
    p = project()
    # The gateway's address goes nowhere: connection refused, like a network that is down.
    settings = narration_studio.settings.with_provider("openai", base_url="http://127.0.0.1:9/v1")
    narration_studio.use_settings(settings)
    report = await narration.generate(p, concurrency=1)
    assert report.failed == 5 and report.made == 0
    assert all(c.error_kind == "NetworkError" for c in p.chunks)
    assert sum(c.error.startswith("Not tried") for c in p.chunks) == 4  # one call, not five
    sink = CollectingSink()
    # The outage and the fallback, not proof-listening (tests/integration/test_narration_proof.py
    # has that): tiny.en may mishear a take and make it twice, which this count is not about.
    done = await narration.finish_offline(p, preview=sink, proof=False)
    assert done.made == 5 and all(c.status is ChunkStatus.DONE for c in p.chunks)
    assert all(c.take.provider == "local" and c.take.fallback for c in p.chunks)
    assert sink.rate == 22_050 and sink.seconds > 3
    out = await narration.export(p, narration_studio.paths.data_dir / "harbour.mp3")
    assert "offline-fallback" in out.item.tags and out.item.params["offline_fallback"] == 5
    takes = await narration_studio.library.query(HistoryQuery(kinds=(HistoryKind.TAKE,)))
    assert all(t.params.get("offline_fallback") and "offline-fallback" in t.tags for t in takes)


async def test_a_million_characters_warns_with_the_cost_and_cancels_early(narration_studio, wire):
    script = " ".join(f"Sentence number {i} of a very long script." for i in range(23_000))
    assert len(script) >= 1_000_000
    narration = narration_studio.narration
    # As written: the counts below are of the script's characters (said as words, "number
    # 12,345" would be longer and dearer).
    p = project(script, dataclasses.replace(OPENAI, normalize_text=False))
    plan = await narration.plan(p)
    assert plan.to_make == 23_000 and plan.preflight.estimate.usd == pytest.approx(15.9, rel=0.02)
    assert "≈ $15.91" in plan.text()
    assert plan.warning and "1,000,890 characters" in plan.warning and "≈ $15.91" in plan.warning
    budgets = {"openai": Budget(monthly_usd=18.0)}
    narration_studio.use_settings(dataclasses.replace(narration_studio.settings, budgets=budgets))
    plan = await narration.plan(p)
    assert plan.warning and "$18.00 monthly budget" in plan.warning
    # Generation runs chunk by chunk; cancel it once a few are done.
    wire.state["speech_delay_s"] = 0.05
    four_done = asyncio.Event()

    def changed(chunk: object) -> None:
        if sum(c.take is not None for c in p.chunks[:50]) >= 4:
            four_done.set()

    task = asyncio.ensure_future(narration.generate(p, concurrency=2, on_change=changed))
    await asyncio.wait_for(four_done.wait(), 20)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    done = [c for c in p.chunks if c.take is not None]
    assert 4 <= len(done) < 40 and len(wire.requests("POST", SPEECH)) < 45
    assert not [c for c in p.chunks if c.status in (ChunkStatus.QUEUED, ChunkStatus.WORKING)]
    item = await asyncio.to_thread(narration_studio.history.get, p.item_id)
    assert item.status is HistoryStatus.CANCELLED
    saved = await narration.load(p.id)  # finished chunks were saved with their takes
    assert sum(c.take is not None for c in saved.chunks) == len(done)
    # A budget that this job would break blocks it before any call.
    budgets = {"openai": Budget(monthly_usd=10.0)}
    narration_studio.use_settings(dataclasses.replace(narration_studio.settings, budgets=budgets))
    calls = len(wire.requests("POST", SPEECH))
    with pytest.raises(BudgetExceededError, match="Raise the budget"):
        await narration.generate(p)
    assert len(wire.requests("POST", SPEECH)) == calls


async def test_empty_script_is_refused_with_a_clear_message(narration_studio):
    with pytest.raises(InputError, match="script is empty"):
        await narration_studio.narration.generate(project("  \n\n [pause 2s] "))


async def test_cloned_voice_needs_consent_and_marks_everything_it_makes(narration_studio, wire):
    with pytest.raises(InputError, match="consent"):
        await narration_studio.narration.clone_voice("elevenlabs", name="Me", sample=JFK,
                          consent_given=False)  # fmt: skip
    assert not wire.requests("POST", "/elevenlabs/v1/voices/add")
    cloned = await narration_studio.narration.clone_voice(
        "elevenlabs", name="Me", sample=JFK, consent_given=True
    )
    assert cloned.voice.id == "cloned_1" and cloned.voice.cloned
    assert cloned.notes and "1–2 minutes" in cloned.notes[0]  # jfk.flac is 11 s
    (request,) = wire.requests("POST", "/elevenlabs/v1/voices/add")
    assert request.fields()["name"] == ["Me"] and request.fields()["files"] == ["jfk.flac"]
    assert cloned.item.kind is HistoryKind.VOICE
    assert cloned.item.params["consent"] == CONSENT_STATEMENT and "cloned-voice" in cloned.item.tags
    settings = NarrationSettings(
        provider="elevenlabs", voice="cloned_1", voice_name="Me", cloned_voice=True,
        voice_settings={"stability": 0.3, "similarity_boost": 0.9, "style": 0.1},
    )  # fmt: skip
    p = project("One line only. And another.", settings)
    report = await narration_studio.narration.generate(p)
    assert report.made == 2
    calls = wire.requests("POST", "/elevenlabs/v1/text-to-speech/cloned_1")
    assert calls and calls[0].query["output_format"] == ["pcm_24000"]
    assert calls[0].json()["voice_settings"] == {
        "stability": 0.3, "similarity_boost": 0.9, "style": 0.1
    }  # fmt: skip
    takes = await narration_studio.library.query(HistoryQuery(kinds=(HistoryKind.TAKE,)))
    assert all(t.params["cloned_voice"] and t.params["voice_name"] == "Me" for t in takes)
    assert all("cloned-voice" in t.tags and t.usage.credits for t in takes)
    out = await narration_studio.narration.export(p, narration_studio.paths.data_dir / "me.wav")
    assert "cloned-voice" in out.item.tags and out.item.params["cloned_voice"]
