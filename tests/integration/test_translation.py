"""Translation through the chat route of the loopback server: a new version, original timings."""

from __future__ import annotations

import pysubs2
import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.models import HistoryKind, Segment, Transcript, Word
from audio_studio.core.studio import Studio
from audio_studio.core.transcription.caption_files import captions_text
from audio_studio.core.transcription.translate import parse_numbered
from tests.servers.base import WireServer
from tests.support.offline import JFK
from tests.support.transcription import long_transcript, store_transcript

SPOKEN = Transcript(
    (
        Segment("And so my fellow Americans,", 0.0, 2.4, "A",
                (Word("And", 0.0, 0.3), Word("so", 0.3, 0.6), Word("my", 0.6, 0.9),
                 Word("fellow", 0.9, 1.4), Word("Americans,", 1.4, 2.4))),
        Segment("ask not what your country can do for you,", 2.4, 6.0, "B"),
        Segment("ask what you can do for your country.", 6.5, 10.5, "A"),
    ),
    language="en",
    duration_s=11.0,
    provider="openai",
)  # fmt: skip


async def test_a_translation_is_another_version_with_the_original_timings(
    bursts_studio: Studio, wire: WireServer
) -> None:
    item = await store_transcript(bursts_studio, JFK, SPOKEN)
    outcome = await bursts_studio.transcription.translate(item, SPOKEN, "German")
    t = outcome.transcript
    assert [s.text for s in t.segments] == [f"«xx» {s.text.upper()}" for s in SPOKEN.segments]
    assert [(s.start, s.end, s.speaker) for s in t.segments] == [
        (s.start, s.end, s.speaker) for s in SPOKEN.segments
    ]
    assert t.language == "German" and outcome.missing == 0
    row = outcome.item
    assert row.kind is HistoryKind.TRANSCRIPT and row.parent_id == item.parent_id
    assert row.params["translated_from"] == item.id and row.provider == "openai"
    versions = await bursts_studio.transcription.of_recording(item)
    assert {v.id for v in versions.transcripts} == {item.id, row.id}
    assert await bursts_studio.transcription.load(row) == t
    # As captions in the new language: the cues still fall on the original speech.
    subs = pysubs2.SSAFile.from_string(captions_text(t, "srt"), format_="srt")
    assert subs[0].start == 0 and "«XX»" not in subs[0].plaintext
    assert all(e.end <= 11_000 for e in subs)
    said = " ".join(e.plaintext.replace("\n", " ") for e in subs).replace("- ", "")
    assert said.split() == t.text.split()
    system = wire.state["chats"][-1]["messages"][0]["content"]
    assert "into German" in system


async def test_lines_the_model_skips_are_asked_again_then_kept(
    bursts_studio: Studio, wire: WireServer
) -> None:
    item = await store_transcript(bursts_studio, JFK, SPOKEN)
    wire.state["skip_lines"] = [2]
    once = await bursts_studio.transcription.translate(item, SPOKEN, "French")
    assert once.missing == 0 and once.transcript.segments[1].text.startswith("«xx»")
    assert len(wire.state["chats"]) == 2  # the skipped line went again, alone
    wire.state["skip_lines"], wire.state["skip_always"] = [3], True
    kept = await bursts_studio.transcription.translate(item, SPOKEN, "French")
    assert kept.missing == 1
    assert kept.transcript.segments[2].text == SPOKEN.segments[2].text
    assert "1 line came back untranslated" in kept.transcript.notices[-1]


async def test_a_long_transcript_goes_in_batches(bursts_studio: Studio, wire: WireServer) -> None:
    big = long_transcript(0.2)  # 240 segments
    item = await store_transcript(bursts_studio, JFK, big)
    outcome = await bursts_studio.transcription.translate(item, big, "Spanish")
    assert outcome.missing == 0 and len(wire.state["chats"]) >= 4
    assert [s.start for s in outcome.transcript.segments] == [s.start for s in big.segments]


async def test_nothing_to_translate_or_no_language(bursts_studio: Studio) -> None:
    item = await store_transcript(bursts_studio, JFK, SPOKEN)
    with pytest.raises(InputError, match="which language"):
        await bursts_studio.transcription.translate(item, SPOKEN, "  ")
    with pytest.raises(InputError, match="nothing to translate"):
        await bursts_studio.transcription.translate(item, Transcript(()), "German")


def test_numbered_replies_in_several_shapes() -> None:
    reply = "```\n[1] Eins\n2. Zwei\n3) Drei\n[4]: Vier\nnoise\n[1] again\n```"
    assert parse_numbered(reply) == {1: "Eins", 2: "Zwei", 3: "Drei", 4: "Vier"}
