"""Transcript files: TXT/SRT/VTT/JSON writers and SRT/VTT/JSON readers."""

from __future__ import annotations

import json

import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.models import Segment, Transcript, Word
from audio_studio.core.subtitles import (
    read_json,
    read_srt,
    read_transcript,
    read_vtt,
    timestamp,
    to_json,
    to_srt,
    to_txt,
    to_vtt,
    write_transcript,
)

TRANSCRIPT = Transcript(
    segments=(
        Segment(
            "And so my fellow Americans, ask not what your country can do for you,",
            0.0,
            7.56,
            words=(Word("And", 0.0, 0.32, confidence=0.91), Word("so", 0.32, 0.6, confidence=0.88)),
            confidence=0.8,
        ),
        Segment("ask what you can do for your country.", 8.02, 10.5, speaker="JFK"),
        Segment("   ", 10.5, 10.6),
        Segment("Thank you — très bien.", 3661.25, 3663.0, speaker="Host"),
    ),
    language="en",
    language_probability=0.97,
    duration_s=3663.0,
    provider="local",
    model="tiny.en",
    notices=("A notice.",),
)


def test_timestamps() -> None:
    assert timestamp(0) == "00:00:00,000"
    assert timestamp(3661.2504) == "01:01:01,250"
    assert timestamp(59.9996, sep=".") == "00:01:00.000"
    assert timestamp(-1) == "00:00:00,000"


def test_srt_layout_and_round_trip() -> None:
    srt = to_srt(TRANSCRIPT)
    assert srt.startswith(
        "1\n00:00:00,000 --> 00:00:07,560\nAnd so my fellow Americans, ask not what\n"
    )
    assert "2\n00:00:08,020 --> 00:00:10,500\n[JFK] ask what you can do for your country.\n" in srt
    assert "3\n01:01:01,250 --> 01:01:03,000\n[Host] Thank you — très bien.\n" in srt
    assert all(len(line) <= 48 for line in srt.splitlines())
    back = read_srt(srt)
    assert [s.text for s in back.segments] == [
        "And so my fellow Americans, ask not what your country can do for you,",
        "ask what you can do for your country.",
        "Thank you — très bien.",
    ]
    assert [(s.start, s.end, s.speaker) for s in back.segments] == [
        (0.0, 7.56, None),
        (8.02, 10.5, "JFK"),
        (3661.25, 3663.0, "Host"),
    ]


def test_vtt_layout_and_round_trip() -> None:
    vtt = to_vtt(TRANSCRIPT)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:07.560\n")
    assert "<v JFK>ask what you can do for your country." in vtt
    back = read_vtt(vtt)
    assert [(s.start, s.end, s.speaker) for s in back.segments][1:] == [
        (8.02, 10.5, "JFK"),
        (3661.25, 3663.0, "Host"),
    ]
    # Cue identifiers, NOTE blocks, styling tags and CRLF from other tools are read too.
    foreign = (
        "WEBVTT - made elsewhere\r\n\r\nNOTE a comment\r\n\r\ncue-1\r\n"
        "00:01.000 --> 00:02.500 align:start\r\n<b>Hello</b> there\r\n"
    )
    cue = read_vtt(foreign).segments[0]
    assert (cue.text, cue.start, cue.end) == ("Hello there", 1.0, 2.5)


def test_txt() -> None:
    assert to_txt(TRANSCRIPT) == (
        "And so my fellow Americans, ask not what your country can do for you,\n\n"
        "JFK:\nask what you can do for your country.\n\nHost:\nThank you — très bien.\n"
    )
    assert to_txt(Transcript(segments=())) == ""


def test_json_keeps_everything() -> None:
    text = to_json(TRANSCRIPT)
    data = json.loads(text)
    assert data["language"] == "en" and data["notices"] == ["A notice."]
    assert data["segments"][0]["words"][1] == {
        "text": "so",
        "start": 0.32,
        "end": 0.6,
        "speaker": None,
        "confidence": 0.88,
    }
    assert read_json(text) == TRANSCRIPT


def test_by_format_name_and_bad_input() -> None:
    for fmt in ("txt", "srt", "vtt", "json"):
        assert write_transcript(TRANSCRIPT, fmt)
    for fmt in ("srt", "vtt", "json"):
        assert read_transcript(write_transcript(TRANSCRIPT, fmt), f".{fmt}").segments
    with pytest.raises(InputError, match="txt, srt, vtt, json, md"):
        write_transcript(TRANSCRIPT, "docx")
    with pytest.raises(InputError, match="must start with WEBVTT"):
        read_vtt("1\n00:00:01,000 --> 00:00:02,000\nhi\n")
    with pytest.raises(InputError, match="No SRT cues"):
        read_srt("just some words")
    with pytest.raises(InputError, match="not a transcript JSON"):
        read_json('{"segments": [{"text": "x"}]}')
    assert read_srt("").segments == ()
