"""Waveform peaks (streaming, zoom, cache) and the measurements (LUFS, peak, silence, seam)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio import waveform
from audio_studio.core.audio.analysis import analyze, analyze_file, k_weighting_ir
from audio_studio.core.audio.codec import AudioData, decode, write
from audio_studio.core.audio.waveform import PeakSummary, peaks, summarize, summary_for
from tests.support.audio import SHARED_DATA, tone

# -- waveform ---------------------------------------------------------------------------------


def test_peaks_match_a_brute_force_envelope() -> None:
    audio = decode(SHARED_DATA / "jfk.flac")
    result = peaks(audio, 500)
    assert result.columns == 500
    top, bottom = audio.samples.max(axis=1), audio.samples.min(axis=1)
    edges = np.linspace(0, audio.frames, 501).astype(int)
    margin = summarize(audio).bin_frames  # columns are made of whole 32-frame bins
    for i, (a, b) in enumerate(itertools.pairwise(edges)):
        inner, outer = slice(a + margin, b - margin), slice(max(0, a - margin), b + margin)
        assert top[inner].max() <= result.maxs[i] <= top[outer].max()
        assert bottom[outer].min() <= result.mins[i] <= bottom[inner].min()
    assert result.maxs.max() == pytest.approx(float(audio.samples.max()))
    assert np.all(result.rms <= np.maximum(np.abs(result.mins), result.maxs) + 1e-6)


def test_streaming_summary_equals_the_in_memory_one(tmp_path: Path) -> None:
    for name in ("jfk.flac", "multilingual.mp3"):
        path = SHARED_DATA / name
        streamed, whole = summarize(path), summarize(decode(path))
        assert streamed.frames == whole.frames and streamed.bin_frames == whole.bin_frames
        assert np.allclose(streamed.maxs, whole.maxs, atol=1e-4)
        assert np.allclose(streamed.ms, whole.ms, atol=1e-4)


def test_zooming_in_and_more_columns_than_bins() -> None:
    audio = AudioData(np.linspace(-1, 1, 48000, dtype=np.float32).reshape(-1, 1), 48000)
    summary = summarize(audio)
    zoom = summary.columns(100, 0.5, 0.6)
    assert zoom.start_s == 0.5 and zoom.end_s == pytest.approx(0.6)
    assert zoom.mins[0] == pytest.approx(0.0, abs=0.01) and zoom.maxs[-1] == pytest.approx(
        0.2, abs=0.01
    )
    assert np.all(np.diff(zoom.maxs) >= 0)
    many = summary.columns(5000, 0.0, 0.01)  # 480 frames = 15 bins over 5000 columns
    assert many.columns == 5000 and np.all(np.diff(many.maxs) >= 0)
    assert summary.columns(0).columns == 0


def test_a_long_file_keeps_a_bounded_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waveform, "MAX_BINS", 1000)
    summary = summarize(tone(100, 30.0, 8000))
    assert len(summary.mins) <= 1000 and summary.bin_frames == 240
    assert summary.columns(300).maxs.max() == pytest.approx(0.5, abs=0.01)


def test_summaries_are_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = tmp_path / "a.flac"
    write(tone(300, 2.0), first)
    cache = tmp_path / "cache"
    computed = summary_for(first, cache)
    assert len(list((cache / "peaks").glob("*.npz"))) == 1
    # The same content under another name is not read again; neither is the same file.
    twin = tmp_path / "b.flac"
    twin.write_bytes(first.read_bytes())

    def refuse(_: object) -> PeakSummary:
        raise AssertionError("decoded again instead of using the cache")

    monkeypatch.setattr(waveform, "summarize", refuse)
    for path in (first, twin):
        again = summary_for(path, cache)
        assert np.array_equal(again.maxs, computed.maxs) and again.frames == computed.frames
    assert PeakSummary.load(tmp_path / "missing.npz") is None


# -- analysis ---------------------------------------------------------------------------------


def stereo_tone(db: float, seconds: float, rate: int = 48000) -> np.ndarray:  # type: ignore[type-arg]
    return tone(1000, seconds, rate, 10 ** (db / 20), channels=2).samples


@pytest.mark.parametrize("rate", [48000, 44100])
def test_ebu_tech_3341_loudness_cases(rate: int) -> None:
    # Case 1 and 2: a stereo 1 kHz sine at -23 / -33 dBFS reads -23 / -33 LUFS.
    assert analyze(AudioData(stereo_tone(-23, 5, rate), rate)).lufs == pytest.approx(-23, abs=0.1)
    assert analyze(AudioData(stereo_tone(-33, 5, rate), rate)).lufs == pytest.approx(-33, abs=0.1)
    # Case 4 (shortened): quiet parts below the gates do not pull the loudness down.
    parts = [(-72, 2), (-36, 2), (-23, 12), (-36, 2), (-72, 2)]
    gated = np.concatenate([stereo_tone(db, secs, rate) for db, secs in parts])
    assert analyze(AudioData(gated, rate)).lufs == pytest.approx(-23, abs=0.1)


def test_loudness_matches_ffmpeg_ebur128_on_real_speech() -> None:
    import av
    import av.filter

    for name in ("jfk.flac", "hotwords.mp3"):
        path = SHARED_DATA / name
        reference = None
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            graph = av.filter.Graph()
            graph.link_nodes(
                graph.add_abuffer(template=stream),
                graph.add("ebur128", "metadata=1"),
                graph.add("abuffersink"),
            ).configure()
            for frame in [*container.decode(stream), None]:
                graph.push(frame)
                while True:
                    try:
                        out = graph.pull()
                    except (av.BlockingIOError, av.EOFError):
                        break
                    reference = out.metadata.get("lavfi.r128.I", reference)
        ours = analyze_file(path).lufs
        assert reference is not None and ours is not None
        assert ours == pytest.approx(float(reference), abs=0.1), name


def test_k_weighting_matches_the_standard_at_48k() -> None:
    ir = k_weighting_ir(48000)
    response = np.abs(np.fft.rfft(ir, 48000))
    gain_db = 20 * np.log10(response)
    assert gain_db[1000] == pytest.approx(0.691, abs=0.01)  # why -0.691 appears in BS.1770
    assert gain_db[10000] == pytest.approx(4.0, abs=0.1)  # the head's high shelf
    assert gain_db[20] < -10  # the RLB high-pass


def test_peak_rms_clipping_and_silence() -> None:
    rate = 48000
    body = tone(1000, 1.0, rate, 0.5).samples
    clipped = np.clip(tone(1000, 0.1, rate, 2.0).samples, -1, 1)
    audio = AudioData(
        np.concatenate([np.zeros((rate // 2, 1)), body, clipped, np.zeros((rate, 1))]).astype(
            np.float32
        ),
        rate,
    )
    stats = analyze(audio)
    assert stats.duration_s == pytest.approx(2.6)
    assert stats.peak_dbfs == pytest.approx(0.0, abs=0.01)
    assert stats.clipped_samples > 1000
    assert stats.leading_silence_s == pytest.approx(0.5, abs=0.011)
    assert stats.trailing_silence_s == pytest.approx(1.0, abs=0.011)
    quiet = analyze(tone(1000, 1.0, rate, 0.5))
    assert quiet.peak_dbfs == pytest.approx(-6.02, abs=0.01)
    assert quiet.rms_dbfs == pytest.approx(-9.03, abs=0.01)  # a sine's RMS is peak - 3 dB
    assert quiet.clipped_samples == 0 and quiet.leading_silence_s == 0.0
    silent = analyze(AudioData(np.zeros((rate, 2), np.float32), rate))
    assert silent.is_silent and silent.lufs is None and silent.peak_dbfs == -math.inf
    assert analyze(tone(1000, 0.2)).lufs is None  # shorter than one 400 ms block


def test_loop_seam_discontinuity() -> None:
    seamless = analyze(tone(1000, 1.0, 48000))  # 1000 whole cycles
    assert not seamless.loop_click and seamless.seam_ratio < 3
    cut = analyze(tone(1000, 1.00025, 48000))  # a quarter cycle too long: a jump at the seam
    assert cut.loop_click and cut.seam_jump > 0.4 and cut.seam_ratio > 8


def test_file_and_memory_analysis_agree(tmp_path: Path) -> None:
    path = SHARED_DATA / "multilingual.mp3"
    from_file, in_memory = analyze_file(path), analyze(decode(path))
    assert from_file.lufs == pytest.approx(in_memory.lufs, abs=0.01)
    assert from_file.peak_dbfs == pytest.approx(in_memory.peak_dbfs, abs=0.01)
    assert from_file.leading_silence_s == pytest.approx(in_memory.leading_silence_s, abs=0.01)
