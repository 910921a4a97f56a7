"""Pack naming (templates, safe file names) and the export gain, without any audio engine."""

from __future__ import annotations

import math

import numpy as np
import pytest

from audio_studio.core.audio.analysis import analyze
from audio_studio.core.audio.codec import AudioData
from audio_studio.core.audio.gain import apply_gain, normalize, plan_gain
from audio_studio.core.errors import InputError
from audio_studio.core.models import HistoryKind, HistoryStatus, Latency, Usage
from audio_studio.core.sound.pack import file_names, safe_name
from audio_studio.core.store.history import HistoryItem
from tests.support.audio import tone


def item(n: int, prompt: str = "", **params: object) -> HistoryItem:
    return HistoryItem(
        id=n, kind=HistoryKind.SFX, title=str(params.get("preset") or prompt or "Effect"),
        status=HistoryStatus.DONE, provider="local", model="sfxr", voice=None, params=params,
        input_text="", prompt=prompt, transcript="", duration_s=0.5, usage=Usage(),
        latency=Latency(), error=None, created_at="2026-08-21T10:00:00+00:00", finished_at=None,
        starred=True, tags=(), parent_id=None, job_id=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("door slam", "door_slam"),
        ("door / slam: big?", "door_slam_big"),
        ('a\\b*c"d<e>f|g', "a_b_c_d_e_f_g"),
        ("..hidden", "hidden"),
        ("trailing. ", "trailing"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("café crème", "café_crème"),
        ("\x00\x1f", "sound"),
        ("   ", "sound"),
    ],
)
def test_safe_names(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_long_names_are_cut_on_a_character_not_a_byte() -> None:
    name = safe_name("ü" * 200)
    assert len(name.encode("utf-8")) <= 120 and name == "ü" * 60


def test_templates_fill_and_stay_unique() -> None:
    items = [
        item(1, "heavy wooden door slam, reverb tail", seed=7),
        item(2, "heavy wooden door slam, reverb tail", seed=8),
        item(3, preset="laser", seed=9, engine="sfxr"),
    ]
    names = file_names(items, "{prompt}_{n}", "wav", date="2026-08-21")
    assert names == [
        "heavy_wooden_door_slam,_reverb_tail_1.wav",
        "heavy_wooden_door_slam,_reverb_tail_2.wav",
        "laser_3.wav",
    ]
    same = file_names(items, "{preset}", "flac", taken=["EFFECT.flac"])
    assert same == ["sound.flac", "sound-2.flac", "laser.flac"]
    dated = file_names(items[2:], "{date}-{preset}-{seed}-{n:03d}-{id}", "wav", date="2026-08-21")
    assert dated == ["2026-08-21-laser-9-001-3.wav"]
    # A cloud row's seed (an old library's invented one) never names a file.
    cloud = item(4, "rain", seed=41)
    assert file_names([cloud], "{prompt}-{seed}", "wav") == ["rain.wav"]
    assert file_names(items[:1], "pack", "wav", taken=["pack.wav"]) == ["pack-2.wav"]
    assert file_names([item(4, "x")], "{prompt}", "wav") != ["pack.json"]


@pytest.mark.parametrize(
    ("template", "says"),
    [("{name}_{n}", "{name}"), ("{prompt", "not valid"), ("", "nothing"), ("{prompt:d}", "cannot")],
)
def test_bad_templates_say_what_they_can_use(template: str, says: str) -> None:
    with pytest.raises(InputError, match="template") as info:
        file_names([item(1, "x")], template, "wav")
    assert says in info.value.message
    if "{name}" in says:
        assert "{prompt}" in info.value.message and "{seed}" in info.value.message


def test_gain_reaches_the_target_under_the_ceiling() -> None:
    quiet = tone(440, 2.0, 48000, 0.05)
    louder, plan = normalize(quiet, -16.0)
    assert plan.mode == "lufs" and not plan.limited
    assert analyze(louder).lufs == pytest.approx(-16.0, abs=0.05)
    assert "to -16 LUFS" in plan.describe()
    # A peaky sound cannot reach the target: the gain stops at the ceiling.
    spiky = AudioData(np.zeros((48000, 1), np.float32), 48000)
    spiky.samples[::4800] = 0.5
    held, plan = normalize(spiky, -10.0)
    assert plan.limited and analyze(held).peak_dbfs == pytest.approx(-1.0, abs=0.01)
    short = tone(440, 0.2, 48000, 0.1)  # no integrated loudness under 0.4 s
    _, plan = normalize(short, -16.0)
    assert plan.mode == "peak" and plan.after_peak_dbfs == pytest.approx(-1.0, abs=1e-3)
    silent = AudioData(np.zeros((4800, 1), np.float32), 48000)
    same, plan = normalize(silent, -16.0)
    assert plan.mode == "none" and plan.gain_db == 0.0 and same is silent


def test_apply_gain_is_one_float32_multiplication() -> None:
    audio = tone(330, 0.5, 22050, 0.3)
    out = apply_gain(audio, 3.5)
    factor = np.float32(math.pow(10.0, 3.5 / 20.0))
    assert out.samples.dtype == np.float32
    assert np.array_equal(out.samples, audio.samples * factor)
    assert plan_gain(analyze(audio), -20.0).gain_db == pytest.approx(
        -20.0 - analyze(audio).lufs, abs=1e-3
    )
