"""Word times of narration takes: ElevenLabs' characters into words, captions cut at them,
and the project file that keeps them (older files without them still open)."""

from __future__ import annotations

import json

import pytest

from audio_studio.core.errors import ProviderProtocolError
from audio_studio.core.models import Word
from audio_studio.core.narration.book_captions import Timed, caption_text, split_for_captions
from audio_studio.core.narration.project import NarrationProject, NarrationSettings, Take
from audio_studio.core.providers.elevenlabs_parse import CharacterAlignment, parse_alignment


def alignment(text: str, pause_after: str = "", pause: float = 0.0) -> CharacterAlignment:
    """0.1 s a character, with ``pause`` more after each character in ``pause_after``."""
    starts, ends, at = [], [], 0.0
    for ch in text:
        starts.append(round(at, 6))
        at += 0.1
        ends.append(round(at, 6))
        at += pause if ch in pause_after else 0.0
    return CharacterAlignment(tuple(text), tuple(starts), tuple(ends))


def spoken_words(text: str, pause_after: str = ",", pause: float = 1.0) -> tuple[Word, ...]:
    return alignment(text, pause_after, pause).words()


# -- characters into words --------------------------------------------------------------------


def test_characters_are_grouped_into_words_at_any_whitespace() -> None:
    words = alignment(" Hi,  you\nthere. ").words()
    assert [w.text for w in words] == ["Hi,", "you", "there."]
    # A word starts when its first character starts and ends when its last one ends.
    assert [(w.start, w.end) for w in words] == [
        (pytest.approx(0.1), pytest.approx(0.4)),
        (pytest.approx(0.6), pytest.approx(0.9)),
        (pytest.approx(1.0), pytest.approx(1.6)),
    ]


def test_a_pause_after_a_comma_moves_the_next_word_not_the_last_one() -> None:
    hi, you = alignment("Hi, you", ",", 0.5).words()
    assert hi.end == pytest.approx(0.3) and you.start == pytest.approx(0.9)


def test_alignment_of_the_wrong_shape_or_not_times_is_a_protocol_error() -> None:
    good = {"characters": ["a"], "character_start_times_seconds": [0.0],
            "character_end_times_seconds": [0.1]}  # fmt: skip
    assert parse_alignment(good) == CharacterAlignment(("a",), (0.0,), (0.1,))
    assert parse_alignment(None) is None
    for bad in (
        {**good, "character_end_times_seconds": []},
        {**good, "character_start_times_seconds": ["soon"]},
        {**good, "character_start_times_seconds": [float("nan")]},
        {**good, "character_end_times_seconds": [-1.0]},
        {"characters": ["a"]},
    ):
        with pytest.raises(ProviderProtocolError):
            parse_alignment(bad)


# -- captions cut at word times ---------------------------------------------------------------

LONG = (
    "The morning train was late again, so Maria walked down to the harbour instead, "
    "and bought bread for the long day ahead."
)


def test_without_word_times_cues_are_timed_by_characters() -> None:
    cues = split_for_captions(Timed(LONG, 10.0, 20.0))
    assert [c.text for c in cues] == [
        "The morning train was late again, so Maria walked down to the harbour instead,",
        "and bought bread for the long day ahead.",
    ]
    first, second = (len(c.text) for c in cues)
    assert cues[0].end_s == cues[1].start_s == pytest.approx(10 + 10 * first / (first + second))
    assert (cues[0].start_s, cues[1].end_s) == (10.0, 20.0)


def test_a_cue_starts_when_its_first_word_is_said() -> None:
    words = spoken_words(LONG)
    said = words[-1].end
    cues = split_for_captions(Timed(LONG, 10.0, 10.0 + said + 0.2, "c1", words))
    and_ = next(w for w in words if w.text == "and")
    assert cues[1].text.startswith("and ")
    assert cues[0].end_s == cues[1].start_s == pytest.approx(10.0 + and_.start)
    # The pauses after the commas put it later than characters would.
    by_characters = split_for_captions(Timed(LONG, 10.0, 10.0 + said + 0.2))
    assert cues[1].start_s > by_characters[1].start_s + 0.5
    assert (cues[0].start_s, cues[-1].end_s) == (10.0, pytest.approx(10.0 + said + 0.2))


def test_spoken_words_that_differ_from_the_shown_ones_are_paired_by_difflib() -> None:
    shown = (
        "In 1999 the morning train was late again, so Maria walked down to the harbour "
        "instead, and bought bread for the long day ahead."
    )
    spoken = shown.replace("1999", "nineteen ninety-nine")
    words = spoken_words(spoken)
    cues = split_for_captions(Timed(shown, 5.0, 5.0 + words[-1].end, "c", words))
    assert [c.text.split()[0] for c in cues] == ["In", "so", "and"]
    so = next(w for w in words if w.text == "so")
    and_ = next(w for w in words if w.text == "and")
    assert cues[1].start_s == pytest.approx(5.0 + so.start)
    assert cues[2].start_s == pytest.approx(5.0 + and_.start)
    text = caption_text([Timed(shown, 5.0, 5.0 + words[-1].end, "c", words)], "srt")
    ms = round((5.0 + so.start) * 1000)
    assert f"00:00:{ms // 1000:02d},{ms % 1000:03d} -->" in text


def test_a_cut_inside_a_number_said_as_words_lands_between_spoken_words() -> None:
    # 84 characters end between "12" and "34"; said, those two are five words.
    shown = "sheep " * 13 + "go 12 34 goats today."
    spoken = shown.replace("12 34", "twelve hundred and thirty four")
    words = spoken_words(spoken)
    cues = split_for_captions(Timed(shown, 0.0, words[-1].end, "c", words))
    assert [c.text.split()[0] for c in cues] == ["sheep", "34"]
    twelve, goats = (next(w for w in words if w.text == t) for t in ("twelve", "goats"))
    assert twelve.start < cues[1].start_s < goats.start
    assert cues[1].start_s in {w.start for w in words}


def test_words_that_do_not_match_the_text_fall_back_to_characters() -> None:
    other = spoken_words("Completely different words from another sentence altogether " * 3)
    end = other[-1].end
    assert split_for_captions(Timed(LONG, 0.0, end, "c", other)) == split_for_captions(
        Timed(LONG, 0.0, end)
    )


def test_word_times_outside_the_take_fall_back_to_characters() -> None:
    words = spoken_words(LONG)
    short = words[-1].end / 4  # the take is shorter than the times say: not to be trusted
    assert split_for_captions(Timed(LONG, 0.0, short, "c", words)) == split_for_captions(
        Timed(LONG, 0.0, short)
    )


# -- kept with the take in the project file ----------------------------------------------------


def take(words: tuple[Word, ...] = ()) -> Take:
    return Take("t1", "/x.flac", "ab", "flac", 2.0, 24_000, "Hi you.", "Hi you.", "elevenlabs",
                words=words)  # fmt: skip


def test_word_times_are_saved_with_the_project_and_read_back() -> None:
    project = NarrationProject("Hi you.", settings=NarrationSettings(provider="elevenlabs"))
    project.chunks[0].add_take(take((Word("Hi", 0.1, 0.3), Word("you.", 0.4, 0.9))))
    data = json.loads(json.dumps(project.to_json()))
    assert data["chunks"][0]["takes"][0]["words"] == "Hi 0.100 0.300 you. 0.400 0.900"
    back = NarrationProject.from_json(data)
    again = back.chunks[0].take
    assert again is not None and again.words == (Word("Hi", 0.1, 0.3), Word("you.", 0.4, 0.9))


def test_a_project_saved_before_word_times_still_opens() -> None:
    project = NarrationProject("Hi you. Bye now.")
    project.chunks[0].add_take(take())
    data = json.loads(json.dumps(project.to_json()))
    for saved in data["chunks"][0]["takes"]:
        del saved["words"]  # as older versions wrote it
    back = NarrationProject.from_json(data)
    old = back.chunks[0].take
    assert old is not None and old.words == () and old.duration_s == 2.0
    assert not back.chunks[0].stale and back.chunks[1].take is None


def test_damaged_word_times_are_dropped_not_fatal() -> None:
    for damaged in ("Hi 0.1", "Hi soon 0.3", [["Hi", 0.1, 0.3]], 7):
        assert Take.from_json(take().to_json() | {"words": damaged}).words == ()
