"""Named voices are remembered: rename a detected speaker, and a later recording says the name."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.models import Transcript, TranscriptionRequest
from tests.support.dialogue import TURNS, VOICES, Turn, make_dialogue

pytestmark = pytest.mark.slow

JOE, HEART = VOICES
OTHER_TURNS = (
    "Hello again. Did the report arrive in time for the meeting?",
    "It did, thank you. The board liked the summary slides a lot.",
    "Good to hear. Shall we plan the next quarter on Monday?",
    "Monday works for me, ideally after lunch if you can.",
)


def voice_of(t: Transcript, turns: list[Turn], voice: str) -> str | None:
    """The label most of ``voice``'s words got."""
    labels = [
        w.speaker
        for s in t.segments
        for w in s.words
        for turn in turns
        if turn.voice == voice and turn.start - 0.2 <= (w.start + w.end) / 2 <= turn.end + 0.2
    ]
    return Counter(labels).most_common(1)[0][0] if labels else None


async def test_a_renamed_voice_is_named_in_the_next_recording_until_forgotten(
    service, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "first.wav"
    turns = await make_dialogue(service, first, texts=TURNS[:4])
    stt = service.transcription
    done = await stt.transcribe(
        TranscriptionRequest(audio=first, diarize=True), provider_id="local"
    )
    joe = voice_of(done.transcript, turns, JOE)
    assert joe == "Speaker 1"  # Joe speaks first
    renamed = await stt.rename_speaker(done.item, joe, "Mara")
    assert "Mara" in (await stt.load(renamed)).speakers
    known = await stt.known_voices()
    assert [v.name for v in known] == ["Mara"] and known[0].prints == 1
    assert known[0].sample is not None and known[0].sample.stat().st_size > 16_000 * 2
    with pytest.raises(InputError, match="no speaker called"):
        await stt.rename_speaker(done.item, "Speaker 9", "Bob")

    # Another recording, Heart first this time: Joe's voice comes back as Mara by itself.
    second = tmp_path / "second.wav"
    later = await make_dialogue(service, second, voices=(HEART, JOE), texts=OTHER_TURNS)
    again = await stt.transcribe(
        TranscriptionRequest(audio=second, diarize=True), provider_id="local"
    )
    assert voice_of(again.transcript, later, JOE) == "Mara"
    assert voice_of(again.transcript, later, HEART) == "Speaker 1"

    # "Not Mara": the speaker gets a neutral name, and the voice is not called Mara again.
    corrected = await stt.not_speaker(again.item, "Mara", "Mara")
    assert "Mara" not in (await stt.load(corrected)).speakers
    third = await stt.transcribe(
        TranscriptionRequest(audio=second, diarize=True), provider_id="local"
    )
    assert "Mara" not in third.transcript.speakers
    assert (await stt.known_voices())[0].not_prints == 1

    assert await stt.forget_voice("Mara") and await stt.known_voices() == []
    assert not await stt.forget_voice("Mara")
    fourth = await stt.transcribe(
        TranscriptionRequest(audio=first, diarize=True), provider_id="local"
    )
    assert set(fourth.transcript.speakers) == {"Speaker 1", "Speaker 2"}


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), "speakers", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip


def test_the_speakers_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    listed = cli(home)
    assert listed.returncode == 0 and "No named voices" in listed.stdout
    assert cli(home, "list", "--json").stdout.strip() == "[]"
    missing = cli(home, "forget", "Mara")
    assert missing.returncode == 1 and "no named voice" in missing.stderr
    for args in (("rename", "1", "Speaker 1"), ("rename", "x", "A", "B"), ("not",)):
        bad = cli(home, *args)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr, bad.stderr
    none = cli(home, "rename", "12", "Speaker 1", "Mara")
    assert none.returncode == 1 and "no transcript 12" in none.stderr
