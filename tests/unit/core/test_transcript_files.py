"""Transcript values and files: merging parts, speakers, edits, and exports that parse back."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from audio_studio.core.audio.chunker import chunk_seconds, iter_chunks, iter_cuts
from audio_studio.core.audio.codec import AudioData, decode, write
from audio_studio.core.errors import InputError, ProviderProtocolError
from audio_studio.core.models import AudioFormat, Segment, SummaryResult, Transcript, Word
from audio_studio.core.subtitles import (
    read_json,
    read_markdown,
    read_srt,
    read_vtt,
    to_json,
    to_markdown,
    to_srt,
    to_txt,
    to_vtt,
)
from audio_studio.core.transcription.summary import parse_summary
from audio_studio.core.transcripts import (
    NO_SPEECH,
    Part,
    merge_parts,
    rename_speaker,
    replace_segment_text,
)

LONG = (
    "This segment goes on for far longer than any subtitle should, with many words that a "
    "viewer could never read in the few seconds a cue is on the screen, so it is split."
)
# What providers really send: overlaps, zero-length and text-only segments, markup characters.
MESSY = Transcript(
    segments=(
        Segment("Hello <there> & welcome --> in.", 0.0, 2.5, speaker="A"),
        Segment("Overlapping start.", 2.0, 4.0, speaker="B"),
        Segment("Zero length.", 4.0, 4.0),
        Segment(LONG, 4.0, 16.0, words=tuple(Word(w, 4 + i * 0.3, 4.25 + i * 0.3)
                                              for i, w in enumerate(LONG.split()))),
        Segment("Same start as the last.", 16.0, 17.0, speaker="Dr: Who *really*"),
        Segment("  ", 17.0, 18.0),
    ),
    language="en",
    duration_s=18.0,
)  # fmt: skip

CUE = re.compile(r"^(\d{2}):(\d{2}):(\d{2})([,.])(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\4(\d{3})$")


def _ms(h: str, m: str, s: str, ms: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


def cue_times(text: str, sep: str) -> list[tuple[int, int]]:
    times = []
    for line in text.splitlines():
        match = CUE.match(line)
        if match:
            g = match.groups()
            assert g[3] == sep
            times.append((_ms(*g[:3], g[4]), _ms(*g[5:8], g[8])))
    return times


def check_cues(times: list[tuple[int, int]]) -> None:
    assert times, "no cues"
    assert all(start < end for start, end in times)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(times)), "cues overlap"


def words_of(t: Transcript) -> list[str]:
    return " ".join(s.text for s in t.segments).split()


def test_srt_from_messy_segments_follows_the_rules_and_reads_back() -> None:
    srt = to_srt(MESSY)
    blocks = [b for b in srt.strip().split("\n\n") if b]
    assert [int(b.split("\n")[0]) for b in blocks] == list(range(1, len(blocks) + 1))
    check_cues(cue_times(srt, ","))
    assert all(len(b.split("\n")) <= 4 for b in blocks)  # index, times, two lines at most
    back = read_srt(srt)
    assert len(back.segments) == len(blocks) > len(MESSY.segments) - 1  # the long one split
    assert words_of(back) == words_of(MESSY)
    assert back.segments[0].speaker == "A"
    split = [s for s in back.segments if s.text and s.text in LONG]
    # The zero-length cue before it is shown for half a second, so this one starts after it.
    assert split[0].start == pytest.approx(4.5) and split[-1].end == pytest.approx(
        4.25 + 0.3 * (len(LONG.split()) - 1), abs=0.01
    )


def test_vtt_escapes_markup_and_reads_back() -> None:
    vtt = to_vtt(MESSY)
    assert vtt.startswith("WEBVTT\n\n")
    check_cues(cue_times(vtt, "."))
    assert "&lt;there> &amp; welcome -> in." in vtt and "-->" not in vtt.split("\n")[3]
    back = read_vtt(vtt)
    assert back.segments[0].text == "Hello <there> & welcome -> in."
    assert words_of(back)[5:] == words_of(MESSY)[5:]


def test_markdown_and_json_keep_speakers_words_and_confidence() -> None:
    summary = SummaryResult("They met.", ("Send the notes",), "openai")
    md = to_markdown(MESSY, title="Weekly *sync*", summary=summary)
    assert md.startswith("# Weekly \\*sync\\*\n") and "- [ ] Send the notes" in md
    back = read_markdown(md)
    assert [s.speaker for s in back.segments][:2] == ["A", "B"]
    assert back.segments[4].speaker == "Dr: Who *really*"
    assert words_of(back) == words_of(MESSY) and back.segments[1].start == 2.0
    data = json.loads(to_json(MESSY))
    assert data["segments"][3]["words"][0] == {
        "text": "This", "start": 4.0, "end": 4.25, "speaker": None, "confidence": None,
    }  # fmt: skip
    assert read_json(to_json(MESSY)) == MESSY
    assert to_txt(MESSY).startswith("A:\nHello <there>")
    with pytest.raises(InputError, match="No timed paragraphs"):
        read_markdown("# Just a heading\n\nsome words")


def part(words: list[tuple[str, float, float]], speaker: str | None = None) -> Transcript:
    segs = tuple(
        Segment(text, start, end, speaker, words=(Word(text, start, end, speaker),))
        for text, start, end in words
    )
    return Transcript(segs, language="en", language_probability=0.9)


def test_merging_parts_shifts_clamps_and_keeps_every_word_once() -> None:
    first = part([("one", 0.5, 1.0), ("two", 9.0, 10.2)])  # a provider ran past its audio
    second = part([("three", 0.2, 0.9), ("four", 5.0, 6.0)])
    silent = Transcript((), notices=(NO_SPEECH,))
    merged = merge_parts([Part(10.0, 20.0, second), Part(0.0, 10.0, first), Part(20, 25, silent)])
    assert [(w.text, w.start, w.end) for s in merged.segments for w in s.words] == [
        ("one", 0.5, 1.0), ("two", 9.0, 10.0), ("three", 10.2, 10.9), ("four", 15.0, 16.0),
    ]  # fmt: skip
    assert merged.duration_s == 25 and merged.language == "en"
    assert merged.notices == ()  # one silent part does not make the whole silent
    assert merge_parts([Part(0, 5, silent), Part(5, 9, silent)]).notices == (NO_SPEECH,)


def test_speakers_are_kept_apart_per_part_and_renaming_joins_them() -> None:
    a = part([("hi", 0, 1)], speaker="A")
    b = part([("yo", 0, 1)], speaker="A")
    merged = merge_parts([Part(0, 5, a), Part(5, 9, b)])
    assert merged.speakers == ("A (part 1)", "A (part 2)")
    assert any("speakers are labelled per part" in n for n in merged.notices)
    joined = rename_speaker(rename_speaker(merged, "A (part 1)", "Ann"), "A (part 2)", "Ann")
    assert joined.speakers == ("Ann",)
    assert {w.speaker for s in joined.segments for w in s.words} == {"Ann"}
    assert rename_speaker(joined, "Ann", "  ") == joined


def test_edited_text_keeps_word_times_only_while_they_line_up() -> None:
    seg = Segment("ask not what", 1.0, 2.0, words=(
        Word("ask", 1.0, 1.3), Word("not", 1.3, 1.6), Word("what", 1.6, 2.0)))  # fmt: skip
    fixed = replace_segment_text(seg, " Ask  NOT what ")
    assert fixed.text == "Ask NOT what" and [w.text for w in fixed.words] == ["Ask", "NOT", "what"]
    assert fixed.words[1].start == 1.3
    assert replace_segment_text(seg, "ask what").words == ()
    assert replace_segment_text(seg, "ask not what") is seg


def test_summary_replies_as_json_fenced_or_headed_text() -> None:
    assert parse_summary('{"summary": "S.", "action_items": ["a", " ", "b"]}') == ("S.", ("a", "b"))
    fenced = 'Here:\n```json\n{"summary": "Fenced.", "action_items": []}\n```'
    assert parse_summary(fenced) == ("Fenced.", ())
    text = (
        "## Summary\nThey agreed on a date.\n\n**Action items**\n- [ ] Book the room\n2. Tell Sam"
    )
    assert parse_summary(text) == ("They agreed on a date.", ("Book the room", "Tell Sam"))
    with pytest.raises(ProviderProtocolError):
        parse_summary("   ")


def test_chunker_cuts_in_pauses_from_any_offset(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rate = 8000
    t = np.arange(rate * 2) / rate
    beep = (0.5 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    gap = np.zeros(int(rate * 0.6), np.float32)
    path = tmp_path / "beeps.wav"
    write(AudioData(np.concatenate([beep, gap] * 20).reshape(-1, 1), rate), path)  # 52 s
    chunks = list(iter_chunks(path, max_seconds=10.0))
    assert all(c.chunk.duration_s <= 10.0 for c in chunks)
    assert chunks[0].chunk.start_s == 0 and chunks[-1].chunk.end_s == pytest.approx(52.0)
    assert all(a.chunk.end_s == b.chunk.start_s for a, b in itertools.pairwise(chunks))
    for c in chunks[:-1]:  # every cut is inside a pause: 2 s of beep, then 0.6 s of quiet
        assert 2.0 < c.chunk.end_s % 2.6 < 2.6
    assert chunks[-1].chunk.duration_s > 2.0  # the last two were balanced: no sliver
    audio = decode(chunks[1].data)
    assert audio.sample_rate == 16_000 and chunks[1].format is AudioFormat.FLAC
    assert audio.duration_s == pytest.approx(chunks[1].chunk.duration_s, abs=1e-3)
    rest = list(iter_chunks(path, start_s=26.0))
    assert len(rest) == 1 and rest[0].chunk.start_s == 26.0
    assert decode(rest[0].data).duration_s == pytest.approx(26.0, abs=1e-3)
    assert chunk_seconds(25_000_000, None, AudioFormat.FLAC, 16_000) == pytest.approx(989.58, 0.01)
    with pytest.raises(InputError, match="too short"):
        chunk_seconds(1000, None, AudioFormat.FLAC, 16_000)


def test_parts_are_sized_to_what_the_audio_really_costs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rate = 16_000
    t = np.arange(rate * 3) / rate
    beep = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    gap = np.zeros(int(rate * 1.0), np.float32)
    path = tmp_path / "talk.wav"
    write(AudioData(np.concatenate([beep, gap] * 150).reshape(-1, 1), rate), path)  # 10 min
    limit = 2_000_000
    guess = chunk_seconds(limit, None, AudioFormat.FLAC, rate)  # ~79 s: FLAC at 3/4 of PCM
    cautious = list(iter_chunks(path, max_bytes=limit, fmt=AudioFormat.WAV, sample_rate=rate))
    # FLAC of a tone with pauses costs far less than the guess: a sample of the first minute
    # says so, and the parts grow (at most to twice the guess) while staying under the limit.
    parts = list(iter_chunks(path, max_bytes=limit))
    assert all(len(p.data) <= limit for p in parts)
    assert len(parts) < len(cautious) and max(p.chunk.duration_s for p in parts) > guess * 1.5
    assert max(p.chunk.duration_s for p in parts) <= 2 * guess
    assert parts[-1].chunk.end_s == pytest.approx(600.0) and all(
        a.chunk.end_s == b.chunk.start_s for a, b in itertools.pairwise(parts)
    )
    # A rate reported by the encoder wins over the sample (here: costlier than it looked).
    costly = list(iter_cuts(path, max_bytes=limit, encoded_rate=lambda: 40_000.0))
    assert all(c.duration_s <= limit * 0.95 / 44_000 + 0.01 for c, _ in costly)
