"""Decoding every container on real files, encode → decode round trips with tags, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import (
    AudioData,
    StreamResampler,
    decode,
    encode,
    format_for_path,
    from_pcm16,
    resample,
    to_pcm16,
    write,
)
from audio_studio.core.audio.reading import iter_blocks, probe
from audio_studio.core.errors import UnsupportedFormatError
from audio_studio.core.models import AudioFormat
from tests.support.audio import SHARED_DATA, dominant_frequency, tone

# file, rate, channels, seconds (from the files' own headers)
REAL_FILES = [
    ("jfk.flac", 44100, 2, 11.0),
    ("hotwords.mp3", 44100, 2, 4.0),
    ("multilingual.mp3", 24000, 1, 59.9),
    ("stereo_diarization.wav", 16000, 2, 5.0),
]
# What codec.encode writes, and what comes back: rate, a length tolerance (codec padding).
ROUND_TRIP = [
    (AudioFormat.WAV, 44100, 0.0),
    (AudioFormat.FLAC, 44100, 0.0),
    (AudioFormat.MP3, 44100, 0.03),
    (AudioFormat.OPUS, 48000, 0.03),
    (AudioFormat.OGG, 44100, 0.03),
    (AudioFormat.M4A, 44100, 0.06),
    (AudioFormat.AAC, 44100, 0.08),
    (AudioFormat.WEBM, 48000, 0.03),
]


@pytest.fixture(scope="module")
def source() -> AudioData:
    """2 s of a 440 Hz stereo tone at 44.1 kHz, louder on the left."""
    left = tone(440, 2.0, 44100, 0.5).samples
    return AudioData(np.hstack([left, left * 0.5]), 44100)


@pytest.mark.parametrize(("name", "rate", "channels", "seconds"), REAL_FILES)
def test_real_files_decode_whole_and_streamed(
    name: str, rate: int, channels: int, seconds: float
) -> None:
    path = SHARED_DATA / name
    audio = decode(path)
    assert (audio.sample_rate, audio.channels) == (rate, channels)
    assert audio.duration_s == pytest.approx(seconds, abs=0.05)
    assert 0.05 < float(np.abs(audio.samples).max()) <= 1.0  # speech, not silence
    streamed = np.concatenate([b.samples for b in iter_blocks(path, block_frames=40_000)])
    assert streamed.shape == audio.samples.shape
    # The streamed path may use another decoder (MP3: FFmpeg) than the whole-file one.
    assert np.abs(streamed - audio.samples).max() < 1e-4
    info = probe(path)
    assert (info.sample_rate, info.channels) == (rate, channels)
    assert info.duration_s == pytest.approx(seconds, abs=0.1)


def test_decode_to_speech_input_rate_and_mono() -> None:
    audio = decode(SHARED_DATA / "jfk.flac", sample_rate=16000, mono=True)
    assert (audio.sample_rate, audio.channels) == (16000, 1)
    assert audio.duration_s == pytest.approx(11.0, abs=0.01)


@pytest.mark.parametrize(("fmt", "rate", "slack"), ROUND_TRIP, ids=lambda v: str(v))
def test_encode_decode_round_trip_with_tags(
    tmp_path: Path, source: AudioData, fmt: AudioFormat, rate: int, slack: float
) -> None:
    path = tmp_path / f"take.{fmt.extension}"
    assert write(source, path, tags={"title": "Take one", "artist": "Studio Tester"}) is fmt
    back = decode(path)
    assert back.sample_rate == rate and back.channels == 2
    assert source.duration_s - 0.01 <= back.duration_s <= source.duration_s + slack
    assert dominant_frequency(back.samples[4000:-4000], rate) == pytest.approx(440, abs=2)
    left, right = (float(np.sqrt(np.mean(back.samples[4000:-4000, c] ** 2))) for c in (0, 1))
    assert left == pytest.approx(0.5 / np.sqrt(2), rel=0.06) and right / left == pytest.approx(
        0.5, rel=0.06
    )
    if fmt is not AudioFormat.AAC:  # raw ADTS has nowhere to keep tags
        tags = probe(path).tags
        assert tags.get("title") == "Take one" and tags.get("artist") == "Studio Tester"
    # From bytes too, as cloud responses arrive.
    assert decode(path.read_bytes()).frames == back.frames


def test_lossless_formats_are_exact(source: AudioData) -> None:
    for fmt in (AudioFormat.WAV, AudioFormat.FLAC):
        back = decode(encode(source, fmt))
        assert np.abs(back.samples - source.samples).max() <= 1 / 32767 + 1e-6


def test_mp4_named_audio_and_self_encoded_containers_stream(
    tmp_path: Path, source: AudioData
) -> None:
    mp4 = tmp_path / "clip.mp4"
    mp4.write_bytes(encode(source, AudioFormat.M4A))
    assert format_for_path(mp4) is AudioFormat.M4A
    assert decode(mp4).duration_s == pytest.approx(2.0, abs=0.06)
    for fmt in (AudioFormat.OPUS, AudioFormat.WEBM, AudioFormat.OGG, AudioFormat.MP3):
        path = tmp_path / f"s.{fmt.extension}"
        path.write_bytes(encode(source, fmt))
        whole = decode(path).samples
        streamed = np.concatenate([b.samples for b in iter_blocks(path, block_frames=3000)])
        assert np.abs(whole - streamed).max() < 1e-4, fmt


def test_pcm16_and_resampling() -> None:
    audio = tone(1000, 0.5, 22050)
    back = from_pcm16(to_pcm16(audio), 22050)
    assert np.abs(back.samples - audio.samples).max() < 1e-4
    up = resample(audio, 48000)
    assert up.frames == 24000 and dominant_frequency(up.samples, 48000) == pytest.approx(1000, 1)
    # Chunk by chunk gives the same samples as one call: no clicks at the joins.
    streamer = StreamResampler(22050, 48000, 1)
    parts = [streamer.push(audio.samples[i : i + 1000]) for i in range(0, audio.frames, 1000)]
    joined = np.concatenate([*parts, streamer.flush()])
    assert np.abs(joined - up.samples).max() < 1e-6


# -- bad input --------------------------------------------------------------------------------


def _cases(tmp_path: Path, source: AudioData) -> dict[str, Path]:
    files: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        files[name] = tmp_path / name
        files[name].write_bytes(data)

    put("empty.wav", b"")
    put("notes.mp3", b"These are my notes, not audio.\n" * 40)
    put("picture.flac", bytes.fromhex("89504e470d0a1a0a") + bytes(range(256)) * 8)
    for fmt in (AudioFormat.WAV, AudioFormat.FLAC, AudioFormat.OGG, AudioFormat.OPUS):
        data = encode(source, fmt)
        put(f"header-only.{fmt.extension}", data[:60])
        put(f"cut-in-half.{fmt.extension}", data[: len(data) // 2])
        put(f"bad-header.{fmt.extension}", b"\x13\x37" * 8 + data[16:])
    for fmt in (AudioFormat.MP3, AudioFormat.M4A, AudioFormat.WEBM):
        data = encode(source, fmt)
        put(f"cut-in-half.{fmt.extension}", data[: len(data) // 2])
    put("bad-header.m4a", encode(source, AudioFormat.M4A)[:4] + b"\x00" * 60)
    return files


def test_bad_files_raise_unsupported_format_naming_the_file(
    tmp_path: Path, source: AudioData
) -> None:
    for name, path in _cases(tmp_path, source).items():
        with pytest.raises(UnsupportedFormatError) as caught:
            decode(path)
        assert name in caught.value.message, caught.value.message
        with pytest.raises(UnsupportedFormatError, match=name.replace(".", r"\.")):
            for _ in iter_blocks(path, block_frames=4096):
                pass
    with pytest.raises(UnsupportedFormatError, match=r"missing\.wav: cannot be read"):
        decode(tmp_path / "missing.wav")
    with pytest.raises(UnsupportedFormatError, match=r"reply\.mp3 is empty"):
        decode(b"", name="reply.mp3")


def test_truncation_says_how_much_is_there(tmp_path: Path, source: AudioData) -> None:
    path = tmp_path / "download.wav"
    data = encode(source, AudioFormat.WAV)
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        UnsupportedFormatError, match=r"truncated: it ends after 1\.0 s of the 2\.0"
    ):
        decode(path)


def test_unknown_extension_is_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"song\.xyz.*Use one of:.*flac"):
        format_for_path(tmp_path / "song.xyz")
