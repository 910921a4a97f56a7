"""Proof-listening's judgement: normalised words, word error rate, implausible lengths."""

from __future__ import annotations

import numpy as np

from audio_studio.core.audio.codec import AudioData
from audio_studio.core.narration.proof import Proof, judge, longest_silence, normalise


def test_words_are_compared_without_case_punctuation_or_digit_spelling() -> None:
    assert normalise("Dr. Brown’s 3 cats — well-fed!") == [
        "dr",
        "brown's",
        "three",
        "cats",
        "well",
        "fed",
    ]
    proof = judge("She bought 12 eggs.", "she bought twelve eggs", 1.5)
    assert proof == Proof(
        "she bought twelve eggs",
        0.0,
        False,
        None,
        (("equal", "she bought twelve eggs", "she bought twelve eggs"),),
    )


def test_other_words_are_flagged_with_what_differs() -> None:
    proof = judge("The boats came home.", "The morning train was late again.", 2.0)
    assert (
        proof.flagged and proof.wer > 0.9 and proof.reason == "the words heard differ from the text"
    )
    assert any(op != "equal" for op, _, _ in proof.diff)
    # One word of six misheard is not worth a look.
    assert not judge("The boats came home at dusk.", "The boats came home at dust.", 2.0).flagged
    # Nothing heard at all is.
    assert judge("The boats came home.", "", 1.5).flagged


def test_implausible_lengths_are_flagged() -> None:
    text = "A fairly long sentence that takes a few seconds to say aloud."
    assert judge(text, text, 0.3).reason == "too short for its text"
    assert judge(text, text, 40.0).reason == "too long for its text"
    assert judge(text, text, 4.0, longest_silence_s=3.0).reason == "a silence of 3.0 s inside"
    assert not judge(text, text, 4.0, longest_silence_s=0.5).flagged


def test_the_longest_silence_inside_a_take_is_measured() -> None:
    rate = 16_000
    tone = (0.3 * np.sin(np.arange(rate // 2) * 0.2)).astype(np.float32)
    quiet = np.zeros(2 * rate, dtype=np.float32)
    audio = AudioData(np.concatenate([quiet, tone, quiet, tone, quiet])[:, None], rate)
    assert abs(longest_silence(audio) - 2.0) <= 0.1


def test_takes_are_packed_whole_into_windows_and_heard_times_map_back() -> None:
    from audio_studio.core.narration.listening import (
        GAP_S,
        PACE,
        RATE,
        WINDOW_S,
        _Heard,
        _join,
        _pack,
    )
    from audio_studio.core.narration.listening import _take_time as take_time

    def part(heard_s: float, lead_s: float = 0.0) -> _Heard:
        samples = np.full(int(heard_s * RATE), 0.1, dtype=np.float32)
        return _Heard(samples, lead_s + heard_s * PACE + 0.2, 0.0, lead_s)

    parts = [part(6.0, 0.3) for _ in range(8)]  # four to a window: 0.4 + 4 × 6.4 s
    assert _pack([6.0] * 9) == [0, 0, 0, 0, 1, 1, 1, 1, 2]
    samples, spans, windows = _join(parts)
    assert abs(len(samples) / RATE - windows[-1][1]) < 1e-6
    assert all(b - a <= WINDOW_S for a, b in windows) and len(windows) == 2
    for start, end in spans:  # every take inside one window, with silence around it
        assert any(a + GAP_S <= start and end + GAP_S <= b + 1e-6 for a, b in windows)
    # A word heard 2 s into a take was said 0.3 + 2 × PACE s into it; nothing past its end.
    assert take_time(parts[0], 2.0) == round(0.3 + 2.0 * PACE, 3)
    assert take_time(parts[0], 60.0) == parts[0].duration_s
    assert take_time(parts[0], -1.0) == 0.0
    # A take longer than a window is not packed: Whisper moves through it on its own.
    assert _join([part(5.0), part(WINDOW_S + 1.0)])[2] == []


def test_silence_at_the_ends_of_a_take_is_not_heard(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from audio_studio.core.audio import codec
    from audio_studio.core.narration.listening import PACE, RATE, _load

    rate = 22_050
    tone = 0.5 * np.sin(np.arange(rate) * 2 * np.pi * 220 / rate).astype(np.float32)
    quiet = np.zeros(rate // 2, dtype=np.float32)
    path = tmp_path / "take.wav"
    path.write_bytes(
        codec.encode(AudioData(np.concatenate([quiet, tone, quiet])[:, None], rate), "wav")
    )
    heard = _load(path)
    assert heard.duration_s == 2.0
    assert abs(heard.lead_s - 0.45) < 0.01  # half a second of silence, less the margin
    assert abs(heard.heard_s - 1.1 / PACE) < 0.01  # one second of tone and two margins
    assert len(heard.samples) == round(heard.heard_s * RATE)


def test_a_year_said_as_a_year_or_as_a_number_is_right() -> None:
    text = "In 1987, a storm tore the roof from the boathouse."
    for said in (
        "In nineteen eighty-seven, a storm tore the roof from the boathouse.",
        "In 1987, a storm tore the roof from the boathouse.",
        "In one thousand nine hundred and eighty-seven a storm tore the roof from the boathouse.",
    ):
        assert judge(text, said, 3.0).wer == 0.0
    assert not judge("It cost 1500 pounds.", "It cost fifteen hundred pounds.", 2.0).flagged
    # Another year is still another year.
    wrong = judge("It happened in 1987.", "It happened in twenty twenty-five.", 2.0)
    assert wrong.flagged


async def test_a_take_heard_wrong_in_its_window_is_heard_again_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from audio_studio.core.audio import codec
    from audio_studio.core.narration.listening import ProofListener

    rate = 22_050
    tone = 0.5 * np.sin(np.arange(rate) * 2 * np.pi * 220 / rate).astype(np.float32)
    paths = [tmp_path / "one.wav", tmp_path / "two.wav"]
    for path in paths:
        path.write_bytes(codec.encode(AudioData(tone[:, None], rate), "wav"))
    calls: list[int] = []

    async def transcribe_samples(samples, *, words=False, windows=(), all_cores=False):  # type: ignore[no-untyped-def]
        calls.append(len(windows))
        if windows:  # the packed window's decoding stopped after the first take
            return [(0.5, 0.9, "One"), (0.9, 1.2, "bell.")]
        return [(0.1, 0.5, "Two"), (0.5, 0.9, "bells.")]  # heard alone: right

    listener = ProofListener(None)  # type: ignore[arg-type]
    listener._provider = SimpleNamespace(
        whisper=SimpleNamespace(transcribe_samples=transcribe_samples)
    )
    (first, first_words), (second, second_words) = await listener.hear(
        [(paths[0], "One bell."), (paths[1], "Two bells.")]
    )
    assert calls == [1, 0]  # one packed window, then the take heard wrong, alone
    assert not first.flagged and not second.flagged and second.heard == "Two bells."
    assert [(w.text, w.start, w.end) for w in second_words] == [
        ("Two", 0.1, 0.5),
        ("bells.", 0.5, 0.9),
    ]
    assert [w.text for w in first_words] == ["One", "bell."]
