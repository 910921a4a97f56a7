"""Offline speaker detection on real voices: Piper's Joe and hibari's Heart taking turns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.models import Transcript, TranscriptionRequest
from audio_studio.core.subtitles import read_json
from audio_studio.core.transcription.captions import PRESETS
from audio_studio.core.transcription.exports import ExportOptions, render
from tests.support.dialogue import TURNS, Turn, make_dialogue
from tests.support.offline import JFK, write_audio

pytestmark = pytest.mark.slow


def consistent_turns(transcript: Transcript, turns: list[Turn]) -> int:
    """How many turns carry their voice's label (the label most of that voice's turns got)."""
    words = [w for s in transcript.segments for w in s.words]
    heard = []
    for turn in turns:
        inside = [
            w.speaker for w in words if turn.start - 0.2 <= (w.start + w.end) / 2 <= turn.end + 0.2
        ]
        heard.append(Counter(inside).most_common(1)[0][0] if inside else None)
    pairs = list(zip(heard, turns, strict=True))
    names = {v: Counter(h for h, t in pairs if t.voice == v).most_common(1)[0][0]
             for v in {t.voice for t in turns}}  # fmt: skip
    if len(set(names.values())) < len(names):
        return 0  # both voices under one name: nothing is told apart
    return sum(h == names[t.voice] for h, t in zip(heard, turns, strict=True))


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip


async def test_two_voices_are_told_apart_automatically_and_when_counted(
    service, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    audio = tmp_path / "dialogue.wav"
    turns = await make_dialogue(service, audio)
    for count in (None, 2):
        outcome = await service.transcription.transcribe(
            TranscriptionRequest(audio=audio, diarize=True, num_speakers=count), provider_id="local"
        )
        t = outcome.transcript
        assert set(t.speakers) == {"Speaker 1", "Speaker 2"}, (count, t.speakers)
        assert consistent_turns(t, turns) >= 7, (count, [(s.speaker, s.text) for s in t.segments])
        # Every segment has one speaker: a segment spanning a change was split there.
        for seg in t.segments:
            assert {w.speaker for w in seg.words} == {seg.speaker}
        assert outcome.item.params["speakers_by"] == "offline"
        assert outcome.speaker_prints and len(outcome.speaker_prints) == 2
        # The transcript kept in History has them too.
        kept = await service.transcription.load(outcome.item)
        assert kept.speakers == t.speakers


async def test_speakers_reach_every_export(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    audio = tmp_path / "dialogue.wav"
    turns = await make_dialogue(service, audio)
    out = tmp_path / "out"
    out.mkdir()
    home = Path(os.environ["AUDIO_STUDIO_HOME"])
    for fmt in ("srt", "vtt", "json", "txt", "md"):
        run = cli(home, "transcribe", str(audio), "--speakers", "auto", "--provider", "local",
                  "-o", str(out / f"d.{fmt}"))  # fmt: skip
        assert run.returncode == 0, run.stderr
    vtt = (out / "d.vtt").read_text()
    assert "<v Speaker 1>" in vtt and "<v Speaker 2>" in vtt
    srt = (out / "d.srt").read_text()
    assert srt.count("- ") >= 7  # the caption norm in Settings marks each change of speaker
    data = json.loads((out / "d.json").read_text())
    assert {s["speaker"] for s in data["segments"]} == {"Speaker 1", "Speaker 2"}
    assert consistent_turns(read_json((out / "d.json").read_text()), turns) >= 7
    txt = (out / "d.txt").read_text()
    paragraphs = [p for p in txt.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 7
    assert all(p.startswith(("Speaker 1:", "Speaker 2:")) for p in paragraphs)
    md = (out / "d.md").read_text()
    assert md.count("Speaker 1:") >= 3 and md.count("Speaker 2:") >= 3
    # Captions with names instead of dashes, when Settings ask for them.
    style = PRESETS["netflix"].with_changes(speaker_style="name")
    named = render(read_json((out / "d.json").read_text()), "srt", ExportOptions(style=style))
    assert b"Speaker 1: " in named and b"Speaker 2: " in named
    assert len(TURNS) == len(turns)


def test_bad_speaker_counts_get_one_sentence(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for value, code in (("0", 2), ("lots", 2), ("50", 1)):
        run = cli(home, "transcribe", str(JFK), "--speakers", value, "--provider", "local")
        assert run.returncode == code, run.stderr
        assert "Traceback" not in run.stderr
        assert "1 to 10" in run.stderr, run.stderr


async def test_one_voice_is_one_speaker_and_silence_has_none(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outcome = await service.transcription.transcribe(
        TranscriptionRequest(audio=JFK, diarize=True), provider_id="local"
    )
    assert outcome.transcript.speakers == ("Speaker 1",)
    assert "ask not what your country" in outcome.transcript.text.lower()
    quiet = write_audio(tmp_path / "quiet.wav", np.zeros(16_000 * 5, np.float32))
    silent = await service.transcription.transcribe(
        TranscriptionRequest(audio=quiet, diarize=True, num_speakers=2), provider_id="local"
    )
    assert silent.transcript.segments == () and silent.transcript.speakers == ()
    assert silent.transcript.notices  # says there was no speech
    with pytest.raises(InputError, match="1 to 10"):
        await service.transcription.transcribe(
            TranscriptionRequest(audio=JFK, diarize=True, num_speakers=11), provider_id="local"
        )
