"""Captions of an ElevenLabs narration over a real socket: takes keep the words' times from
/with-timestamps, and a cue inside a long sentence starts when its first word is said."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pysubs2
import pytest

from audio_studio.core.models import Word
from audio_studio.core.narration.audiobook import (
    book_export_timeline,
    render_chapter,
    script_timeline,
    write_captions,
)
from audio_studio.core.narration.book_captions import split_for_captions
from audio_studio.core.narration.chapters import chapter_spans
from audio_studio.core.narration.project import NarrationProject, NarrationSettings
from audio_studio.core.providers.elevenlabs_parse import parse_alignment
from tests.servers.elevenlabs_wire import _alignment

SCRIPT = (
    "The ferry left at dawn. In 1999 the morning train was late again, so Maria walked down "
    "to the harbour instead, and bought bread for the long day ahead."
)
TTS = "/elevenlabs/v1/text-to-speech/"


async def test_a_cue_of_a_long_sentence_starts_at_the_word_time_elevenlabs_sent(
    narration_studio, wire, tmp_path: Path
) -> None:
    wire.state["tts_seconds_per_char"] = 0.06  # room for the words at the server's pace
    narration = narration_studio.narration
    settings = NarrationSettings(provider="elevenlabs", voice="v1")
    project = NarrationProject(SCRIPT, title="Ferry", settings=settings, max_chars=4096)
    report = await narration.generate(project)
    assert report.made == 2 and report.failed == 0
    calls = wire.requests("POST", TTS)
    assert [c.path for c in calls] == [f"{TTS}v1/with-timestamps"] * 2
    long = project.chunks[1]
    take = long.take
    assert take is not None and take.spoken.startswith("In nineteen ninety-nine ")
    # The take holds what the server said, word by word, in the take's own seconds.
    sent = parse_alignment(_alignment(take.spoken, take.duration_s))
    assert sent is not None and take.words == sent.words()

    # Saved and opened again, as the next session would.
    await narration.save(project)
    project = await narration.load(narration.projects.path_for(project.id))
    take = project.chunks[1].take
    assert take is not None  # kept to the millisecond, the captions' own resolution
    assert [(w.text, w.start) for w in take.words] == [
        (w.text, pytest.approx(w.start, abs=5e-4)) for w in sent.words()
    ]

    out = tmp_path / "ferry.wav"
    outcome = await narration.export(project, out)
    timeline = script_timeline(project, narration.paragraph_pause(project))
    assert outcome.duration_s == pytest.approx(timeline[-1].end_s, abs=0.02)
    offset = timeline[1].start_s  # where the long sentence's take begins in the export
    assert offset == pytest.approx(project.chunks[0].take.duration_s + 0.25)
    captions = write_captions(timeline, out.with_suffix(".srt"), "srt")
    cues = pysubs2.load(str(captions)).events
    assert [c.plaintext.split()[0] for c in cues] == ["The", "In", "so", "and"]
    # Cues start at the times the server sent for "so" and "and" (shown words 9 and 14,
    # spoken 10 and 15: "1999" was said as two words), moved by where the take begins.
    so: Word = next(w for w in sent.words() if w.text == "so")
    and_: Word = next(w for w in sent.words() if w.text == "and")
    assert cues[2].start == pytest.approx((offset + so.start) * 1000, abs=1)
    assert cues[3].start == pytest.approx((offset + and_.start) * 1000, abs=1)
    # Timed by characters, the cue would start elsewhere (the server pauses after commas).
    by_characters = split_for_captions(replace(timeline[1], words=()))
    assert abs(by_characters[1].start_s - (offset + so.start)) > 0.2
    assert cues[1].start == round(offset * 1000) and cues[-1].end == round(timeline[1].end_s * 1000)

    # The same script again comes from the cache, with the word times of the audio it reuses.
    second = NarrationProject(SCRIPT, title="Ferry", settings=settings, max_chars=4096)
    report = await narration.generate(second)
    assert report.cached == 2 and len(wire.requests("POST", TTS)) == 2
    again = second.chunks[1].take
    assert again is not None and again.cache_hit and again.words == take.words


async def test_takes_streamed_for_the_preview_keep_the_word_times_elevenlabs_sent(
    narration_studio, wire
) -> None:
    from audio_studio.core.audio.fake import FakeBackend
    from audio_studio.core.audio.player import Player
    from audio_studio.core.narration.preview import PlayerSink

    wire.state["tts_seconds_per_char"] = 0.06
    settings = NarrationSettings(provider="elevenlabs", voice="v1")
    project = NarrationProject(SCRIPT, title="Ferry", settings=settings, max_chars=4096)
    sink = PlayerSink(Player(FakeBackend(speed=8)))
    try:  # played while it is made, as the tab does: every take comes from the timed stream
        report = await narration_studio.narration.generate(project, preview=sink)
    finally:
        sink.player.close()
    assert report.made == 2 and report.failed == 0
    calls = wire.requests("POST", TTS)
    assert [c.path for c in calls] == [f"{TTS}v1/stream/with-timestamps"] * 2
    for chunk in project.chunks:
        take = chunk.take
        assert take is not None
        # The server's times for the whole sentence, sent a word a piece: the same words.
        length = round(len(take.spoken) * 0.06, 2)
        sent = parse_alignment(_alignment(take.spoken, length))
        assert sent is not None
        assert [(w.text, w.start, w.end) for w in take.words] == [
            (w.text, pytest.approx(w.start, abs=5e-4), pytest.approx(w.end, abs=5e-4))
            for w in sent.words()
            if w.start < take.duration_s
        ]


async def test_other_providers_give_takes_without_word_times(narration_studio, wire) -> None:
    settings = NarrationSettings(provider="openai", model="gpt-4o-mini-tts", voice="coral")
    project = NarrationProject("Hello there. Bye now.", settings=settings, max_chars=4096)
    report = await narration_studio.narration.generate(project)
    assert report.made == 2 and all(c.take and c.take.words == () for c in project.chunks)


async def test_the_audiobook_captions_use_the_same_word_times(narration_studio, wire, tmp_path):  # type: ignore[no-untyped-def]
    wire.state["tts_seconds_per_char"] = 0.06
    narration = narration_studio.narration
    settings = NarrationSettings(provider="elevenlabs", voice="v1")
    project = NarrationProject(SCRIPT, title="Ferry", settings=settings, max_chars=4096)
    await narration.generate(project)
    outcome = await narration.export_book(project, tmp_path / "ferry.m4b", captions="vtt")
    (captions,) = outcome.captions
    cues = pysubs2.load(str(captions)).events
    assert [c.plaintext.split()[0] for c in cues] == ["The", "In", "so", "and"]
    # The same layout the Narration tab follows while the book plays (read-along).
    timeline = book_export_timeline(project, narration.paragraph_pause(project))
    offset = timeline[1].start_s
    take = project.chunks[1].take
    assert take is not None
    so = next(w for w in take.words if w.text == "so")
    assert cues[2].start == pytest.approx((offset + so.start) * 1000, abs=1)
    assert timeline[1].words == take.words and timeline[1].chunk == project.chunks[1].id
    # A chapter written before (an export stopped part-way) is read back with its word times.
    span = chapter_spans(project)[0]
    pause = narration.paragraph_pause(project)
    first = render_chapter(
        project, span, tmp_path / "work", pause=pause, target_lufs=-18, last=True
    )
    written = first.path.stat().st_mtime_ns
    again = render_chapter(
        project, span, tmp_path / "work", pause=pause, target_lufs=-18, last=True
    )
    assert again.path.stat().st_mtime_ns == written  # reused, not rendered again
    assert again.sentences[1].words == take.words
    assert [s.start_s for s in again.sentences] == [s.start_s for s in first.sentences]
