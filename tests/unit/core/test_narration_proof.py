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
