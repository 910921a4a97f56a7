"""Transcripts in History: bad input, re-transcribing and comparing, edits with versions kept,
search across every transcript, and summaries from a chat route on the loopback server."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import AudioData, write
from audio_studio.core.errors import UnsupportedFormatError
from audio_studio.core.models import HistoryKind, TranscriptionRequest
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.studio import Studio
from audio_studio.core.transcription.edits import ORIGINAL, PREVIOUS
from audio_studio.core.transcription.long import ChunkedTranscription
from audio_studio.core.transcripts import NO_SPEECH, SILENT, rename_speaker, replace_segment_text
from tests.servers import stt_wire
from tests.servers.base import WireServer
from tests.support.offline import JFK

POST = f"{stt_wire.PREFIX}/audio/transcriptions"


async def test_bad_input_is_refused_or_noticed_without_a_request(
    bursts_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    corrupt = tmp_path / "voice-note.mp3"
    corrupt.write_bytes(b"ID3" + bytes(range(256)) * 40)
    with pytest.raises(UnsupportedFormatError, match=r"voice-note\.mp3"):
        await bursts_studio.transcription.transcribe(
            TranscriptionRequest(audio=corrupt), provider_id="openai"
        )
    assert await bursts_studio.library.count(HistoryQuery()) == 0  # nothing half-made is kept
    silent = tmp_path / "silence.wav"
    write(AudioData(np.zeros((16_000 * 20, 1), np.float32), 16_000), silent)
    outcome = await bursts_studio.transcription.transcribe(
        TranscriptionRequest(audio=silent), provider_id="openai"
    )
    assert outcome.transcript.segments == () and outcome.transcript.notices == (SILENT,)
    assert outcome.item.transcript == "" and outcome.item.usage.cost_usd is None
    # In parts too: silent parts are never sent (Whisper would invent "Thank you." for them).
    request = TranscriptionRequest(audio=silent)
    run = ChunkedTranscription(bursts_studio.context, request, max_bytes=200_000)
    try:
        parted = await bursts_studio.transcription.transcribe(
            request, provider_id="openai", run=run
        )
    finally:
        run.close()
    assert parted.parts > 1 and parted.transcript.notices == (NO_SPEECH,)
    assert wire.requests("POST", POST) == []


@pytest.mark.slow
async def test_retranscribe_compare_edit_with_versions_and_search(
    bursts_studio: Studio, wire: WireServer
) -> None:
    service = bursts_studio
    local = await service.transcription.transcribe(
        TranscriptionRequest(audio=JFK), provider_id="local"
    )
    cloud = await service.transcription.transcribe(
        TranscriptionRequest(audio=JFK), provider_id="openai"
    )
    assert cloud.recording.id == local.recording.id  # the same audio: one recording
    both = await service.transcription.of_recording(local.item)
    assert both.recording.id == local.recording.id
    assert {t.provider for t in both.transcripts} == {"local", "openai"}
    assert both.transcripts[0].id == cloud.item.id  # newest first
    # Correct a word and name the speaker; the provider's version stays in History.
    first = local.transcript.segments[0]
    fixed = replace_segment_text(first, first.text.replace("Americans", "Amerigans"))
    edited = dataclasses.replace(local.transcript, segments=(fixed, *local.transcript.segments[1:]))
    edited = rename_speaker(
        dataclasses.replace(
            edited, segments=tuple(dataclasses.replace(s, speaker="JFK") for s in edited.segments)
        ),
        "JFK",
        "President Kennedy",
    )
    saved = await service.transcription.save(local.item, edited)
    assert "Amerigans" in saved.transcript and saved.params["edits"] == 1
    assert {f.role for f in saved.files} == {ORIGINAL, "transcript"}
    assert await service.transcription.load(saved) == edited
    original = saved.file(ORIGINAL)
    assert original is not None and "Americans" in original.path.read_text()
    again = rename_speaker(edited, "President Kennedy", "JFK")
    saved = await service.transcription.save(saved, again)
    assert {f.role for f in saved.files} == {ORIGINAL, PREVIOUS, "transcript"}
    assert saved.params["speakers"] == ["JFK"] and saved.params["edits"] == 2
    # Full-text search across every transcript finds the corrected word, and both transcripts.
    found = await service.library.query(HistoryQuery(search="amerigans"))
    assert [f.id for f in found] == [local.item.id]
    found = await service.library.query(
        HistoryQuery(search="country", kinds=(HistoryKind.TRANSCRIPT,))
    )
    assert [f.id for f in found] == [local.item.id]  # the cloud one here only says "speech"
    found = await service.library.query(HistoryQuery(search="speech"))
    assert [f.id for f in found] == [cloud.item.id]


async def test_summary_and_action_items_are_kept_under_the_transcript(
    bursts_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    from tests.support.transcription import clip_file

    made = clip_file(tmp_path / "memo.wav", 20)
    outcome = await bursts_studio.transcription.transcribe(
        TranscriptionRequest(audio=made.path), provider_id="openai"
    )
    summary = await bursts_studio.transcription.summarise(outcome.item, outcome.transcript)
    result = summary.result
    words = len(outcome.transcript.text.split())
    assert (
        result.summary.startswith(f"A recording of {words} words") and result.provider == "openai"
    )
    assert result.action_items == ("Follow up on “speech speech speech”",)
    assert summary.item.kind is HistoryKind.SUMMARY and summary.item.parent_id == outcome.item.id
    (chat,) = wire.state["chats"]
    assert chat["model"] == "gpt-4o-mini" and "speech\nspeech" in chat["messages"][-1]["content"]
    assert await bursts_studio.transcription.latest_summary(outcome.item) == dataclasses.replace(
        result, usage=summary.item.usage
    )
    # Smaller models answer with headings instead of JSON: read those too.
    wire.state["chat_style"] = "text"
    plain = await bursts_studio.transcription.summarise(outcome.item, outcome.transcript)
    assert plain.result.summary == result.summary
    assert plain.result.action_items == result.action_items
    found = await bursts_studio.library.query(HistoryQuery(search="follow up"))
    assert {f.kind for f in found} == {HistoryKind.SUMMARY}
