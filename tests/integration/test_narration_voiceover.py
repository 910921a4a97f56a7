"""Voice-over from subtitles with the offline voice: every line starts on its cue (within
50 ms), a line too long for its slot is sped up to the limit and flagged, and the CLI says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import decode
from audio_studio.core.narration.project import NarrationSettings
from tests.support.books import CUES, make_srt

pytestmark = pytest.mark.slow


def onsets(path: Path, starts: list[float]) -> list[float]:
    """Where speech begins near each cue: the first 5 ms window above -40 dB of the peak."""
    audio = decode(path)
    level = np.abs(audio.samples).max(axis=1)
    hop = audio.sample_rate // 200
    windows = level[: len(level) // hop * hop].reshape(-1, hop).max(axis=1)
    loud = windows > windows.max() * 0.01
    found = []
    for start in starts:
        first = int((start - 0.4) * 200)
        hits = np.nonzero(loud[first:])[0]
        found.append((first + int(hits[0])) / 200 if len(hits) else -1.0)
    return found


async def test_lines_start_on_their_cues(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    narration = service.narration
    project = await narration.open_document(make_srt(tmp_path / "video.srt"), NarrationSettings())
    assert [c.text for c in project.chunks] == [t for _, _, t in CUES]
    report = await narration.generate(project)
    assert report.made == len(CUES)
    outcome = await narration.export_voiceover(project, tmp_path / "voice.wav")
    starts = [a for a, _, _ in CUES]
    assert [line.start_s for line in outcome.lines] == starts
    assert all(line.fits and line.speed == 1.0 for line in outcome.lines)
    found = onsets(outcome.path, starts)
    assert all(abs(f - s) <= 0.05 for f, s in zip(found, starts, strict=True)), (found, starts)
    assert outcome.duration_s >= CUES[-1][1]
    assert outcome.item.params["voice_over"] is True


async def test_a_long_line_is_sped_up_to_the_limit_and_flagged(service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cues = [
        (0.5, 1.5, "The lamp is lit every single night of the year by the old keeper."),
        (2.0, 3.0, "Listen."),
        (6.0, 7.0, "The bell rings twice."),
    ]
    narration = service.narration
    project = await narration.open_document(
        make_srt(tmp_path / "tight.srt", cues), NarrationSettings()
    )
    await narration.generate(project)
    outcome = await narration.export_voiceover(project, tmp_path / "tight.wav", max_speedup=1.2)
    first = outcome.lines[0]
    assert first.speed == 1.2 and not first.fits and first.placed_s < first.spoken_s
    assert [line.number for line in outcome.overruns] == [1]
    # Every line still starts on its cue, the overrun notwithstanding.
    later = onsets(outcome.path, [6.0])
    assert abs(later[0] - 6.0) <= 0.05


def test_cli_voiceover_from_srt(tmp_path: Path) -> None:
    srt = make_srt(tmp_path / "video.srt")
    out = subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(tmp_path / "home"), "narrate",
         str(srt), "-o", str(tmp_path / "voice.flac")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "voice-over, 3 cues, 0 sped up" in out.stdout
    audio = decode(tmp_path / "voice.flac")
    assert audio.duration_s >= CUES[-1][1]
