"""Segment corrections: times, split at the caret or the playhead, merge, find and replace."""

from __future__ import annotations

import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.models import Segment, Transcript, Word
from audio_studio.core.transcription.segment_edits import (
    find_replace,
    merge_with_next,
    set_times,
    split_at_char,
    split_at_time,
)


def timed(text: str, start: float, step: float = 0.5, speaker: str | None = None) -> Segment:
    words = tuple(
        Word(w, start + n * step, start + n * step + step * 0.8, speaker, 0.9)
        for n, w in enumerate(text.split())
    )
    return Segment(text, start, words[-1].end, speaker, words, 0.9)


SEGMENTS = (
    timed("one two three four", 0.0),
    timed("five six", 3.0, speaker="B"),
    Segment("seven eight nine", 5.0, 8.0),
)
T = Transcript(SEGMENTS, duration_s=9.0)


def test_split_at_the_caret_divides_words_and_times() -> None:
    after = split_at_char(T, 0, len("one two "))
    a, b = after.segments[0], after.segments[1]
    assert (a.text, b.text) == ("one two", "three four")
    assert [w.text for w in a.words] == ["one", "two"]
    assert a.end <= b.start and a.start == 0.0 and b.end == T.segments[0].end
    assert b.start == pytest.approx((0.9 + 1.0) / 2)
    # a caret inside a word moves that word to the right
    inside = split_at_char(T, 0, len("one tw"))
    assert inside.segments[0].text == "one"
    with pytest.raises(InputError):
        split_at_char(T, 0, 0)
    with pytest.raises(InputError):
        split_at_char(T, 0, 100)


def test_split_at_the_playhead_and_without_word_times() -> None:
    after = split_at_time(T, 0, 1.2)
    assert [s.text for s in after.segments[:2]] == ["one two", "three four"]
    assert after.segments[0].end == pytest.approx(1.2) and after.segments[1].start == 1.2
    plain = split_at_time(T, 2, 6.0)
    assert [s.text for s in plain.segments[2:]] == ["seven", "eight nine"]
    assert plain.segments[2].end == 6.0 == plain.segments[3].start
    with pytest.raises(InputError, match="playhead"):
        split_at_time(T, 0, 4.0)


def test_split_then_merge_round_trips() -> None:
    for n, seg in enumerate(T.segments):
        for offset in range(1, len(seg.text)):
            try:
                split = split_at_char(T, n, offset)
            except InputError:
                continue
            merged = merge_with_next(split, n)
            again = merged.segments[n]
            assert again.text == seg.text and again.start == seg.start and again.end == seg.end
            assert [w.text for w in again.words] == [w.text for w in seg.words]
            assert merged.text == T.text


def test_merge_keeps_the_first_speaker_and_refuses_the_last() -> None:
    merged = merge_with_next(T, 0)
    assert merged.segments[0].text == "one two three four five six"
    assert merged.segments[0].end == T.segments[1].end
    assert len(merged.segments[0].words) == 6
    with pytest.raises(InputError, match="last segment"):
        merge_with_next(T, 2)


def test_times_move_the_edge_words_and_stay_between_neighbours() -> None:
    moved = set_times(T, 1, 2.5, 4.5)
    seg = moved.segments[1]
    assert (seg.start, seg.end) == (2.5, 4.5)
    assert seg.words[0].start == 2.5 and seg.words[-1].end == 4.5
    clamped = set_times(T, 1, 0.5, 99.0)
    assert clamped.segments[1].start == T.segments[0].end
    assert clamped.segments[1].end == T.segments[2].start
    nudged = set_times(T, 0, -0.1, T.segments[0].end + 0.1)
    assert nudged.segments[0].start == 0.0


def test_find_and_replace_everywhere() -> None:
    after, count = find_replace(T, "E", "é")
    assert count == 8  # onE thrEE fivE sEvEn Eight ninE, any case
    assert after.segments[0].text == "oné two thréé four"
    whole, n = find_replace(T, "two", "2", whole_words=True)
    assert n == 1 and whole.segments[0].words[1].text == "2"
    assert whole.segments[0].words[1].start == T.segments[0].words[1].start
    same, none = find_replace(T, "ONE", "x", match_case=True)
    assert none == 0 and same == T
