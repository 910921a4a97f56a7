"""Decode and encode audio: soundfile where it can, PyAV for containers it cannot; no ffmpeg binary.

Every function here is blocking (file and codec work): call via asyncio.to_thread.
Samples are float32 arrays shaped (frames, channels) in -1..1.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio.formats import (
    SOUNDFILE_KINDS,
    check_mp3_length,
    check_ogg_complete,
    check_soundfile,
    declared_seconds,
    describe_source,
    not_audio,
    read_head,
    sniff,
    truncated,
)
from audio_studio.core.errors import UnsupportedFormatError
from audio_studio.core.models import AudioFormat

__all__ = [
    "AudioData",
    "StreamResampler",
    "decode",
    "encode",
    "format_for_path",
    "from_pcm16",
    "resample",
    "to_pcm16",
    "write",
]

Samples = npt.NDArray[np.float32]

# soundfile writes these itself; OGG/Vorbis is written in blocks (one big write segfaults
# libvorbis for long files: python-soundfile #426).
_SF_WRITE = {
    AudioFormat.WAV: ("WAV", "PCM_16"),
    AudioFormat.FLAC: ("FLAC", "PCM_16"),
    AudioFormat.OGG: ("OGG", "VORBIS"),
}
# PyAV: container, codec, sample rate the codec wants (None = keep), bit rate.
_AV_WRITE: dict[AudioFormat, tuple[str, str, int | None, int]] = {
    AudioFormat.MP3: ("mp3", "libmp3lame", None, 128_000),
    AudioFormat.OPUS: ("ogg", "libopus", 48_000, 64_000),
    AudioFormat.WEBM: ("webm", "libopus", 48_000, 64_000),
    AudioFormat.M4A: ("ipod", "aac", None, 128_000),
    AudioFormat.AAC: ("adts", "aac", None, 128_000),
}
_SUFFIXES = {
    ".wav": AudioFormat.WAV, ".wave": AudioFormat.WAV, ".mp3": AudioFormat.MP3,
    ".mpga": AudioFormat.MP3, ".mpeg": AudioFormat.MP3, ".flac": AudioFormat.FLAC,
    ".ogg": AudioFormat.OGG, ".oga": AudioFormat.OGG, ".opus": AudioFormat.OPUS,
    ".m4a": AudioFormat.M4A, ".mp4": AudioFormat.M4A, ".aac": AudioFormat.AAC,
    ".webm": AudioFormat.WEBM, ".raw": AudioFormat.PCM, ".pcm": AudioFormat.PCM,
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class AudioData:
    """Decoded audio: float32 samples shaped (frames, channels), and their rate."""

    samples: Samples
    sample_rate: int

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0

    def mono(self) -> AudioData:
        if self.channels == 1:
            return self
        return AudioData(
            self.samples.mean(axis=1, keepdims=True, dtype=np.float32), self.sample_rate
        )


def format_for_path(path: Path) -> AudioFormat:
    """The format a file name asks for.

    Raises:
        UnsupportedFormatError: the extension is not one the studio writes or reads.
    """
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted({s.lstrip(".") for s in _SUFFIXES}))
        raise UnsupportedFormatError(
            f"{path.name}: the studio does not know the format '{path.suffix or '(none)'}'. "
            f"Use one of: {known}."
        )
    return fmt


def from_pcm16(data: bytes, sample_rate: int, channels: int = 1) -> AudioData:
    """Raw signed 16-bit little-endian PCM (what OpenAI's `pcm` and Piper produce)."""
    usable = len(data) - len(data) % (2 * channels)
    ints = np.frombuffer(data[:usable], dtype="<i2").reshape(-1, channels)
    return AudioData((ints.astype(np.float32) / 32768.0), sample_rate)


def to_pcm16(audio: AudioData) -> bytes:
    clipped = np.clip(audio.samples, -1.0, 1.0)
    return (clipped * 32767.0).round().astype("<i2").tobytes()


def decode(
    source: Path | bytes,
    *,
    name: str | None = None,
    sample_rate: int | None = None,
    mono: bool = False,
) -> AudioData:
    """Decode a file or bytes of any supported format to float32 samples.

    ``sample_rate`` and ``mono`` convert after decoding (e.g. 16 kHz mono for speech to text).
    A file that declares its length (WAV header, FLAC, WebM, MP4, MP3 with a Xing/Info frame)
    but holds less is refused as truncated; an Ogg without its end page too. Streams that
    declare no length (ADTS AAC, MP3 without Xing) cannot be told from a shorter file.

    Raises:
        UnsupportedFormatError: empty, truncated, corrupt or not audio; the message names it.
    """
    label = describe_source(source, name)
    head = read_head(source, label)
    audio: AudioData | None = None
    if sniff(head) in SOUNDFILE_KINDS:
        try:
            audio = _decode_soundfile(source, label, head)
        except UnsupportedFormatError:
            raise
        except Exception:  # libsndfile refused it; FFmpeg may still read it
            audio = None
    if audio is None:
        if sniff(head) == "opus":
            check_ogg_complete(source, label)
        try:
            # FFmpeg converts rate and channels while it decodes: one pass, less memory.
            audio = _decode_av(source, label, head, sample_rate, mono)
        except UnsupportedFormatError:
            raise
        except Exception as exc:
            raise not_audio(label, exc) from exc
    if audio.frames == 0:
        raise UnsupportedFormatError(f"{label} holds no audio (0 samples); it may be truncated.")
    if mono:
        audio = audio.mono()
    return resample(audio, sample_rate) if sample_rate else audio


def _decode_soundfile(source: Path | bytes, label: str, head: bytes) -> AudioData:
    import soundfile as sf

    handle: Any = source if isinstance(source, Path) else io.BytesIO(source)
    with sf.SoundFile(handle) as f:
        check_soundfile(f, label)
        declared = int(f.frames)
        data = f.read(dtype="float32", always_2d=True)
        rate = int(f.samplerate)
    if data.shape[0] == 0:
        raise ValueError("no frames")
    audio = AudioData(np.ascontiguousarray(data), rate)
    check_mp3_length(head, label, audio.frames, declared, rate)
    return audio


def _decode_av(
    source: Path | bytes,
    label: str,
    head: bytes,
    to_rate: int | None = None,
    mono: bool = False,
) -> AudioData:
    import av

    handle: Any = str(source) if isinstance(source, Path) else io.BytesIO(source)
    with av.open(handle) as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        stream = container.streams.audio[0]
        rate = to_rate or int(stream.rate or stream.codec_context.sample_rate)
        width = 1 if mono or (stream.codec_context.channels or 1) == 1 else 2
        declared = declared_seconds(container, head)
        resampler = av.AudioResampler(
            format="flt", layout="mono" if width == 1 else "stereo", rate=rate
        )
        blocks: list[Samples] = []

        def take(frame: Any) -> None:
            for out in resampler.resample(frame):
                # Packed float ("flt") arrives as one row of interleaved samples.
                blocks.append(np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1, width))

        for frame in container.decode(stream):
            take(frame)
        take(None)
    if not blocks:
        raise ValueError("no audio frames")
    audio = AudioData(np.concatenate(blocks), rate)
    if declared and audio.duration_s < declared - max(0.5, 0.02 * declared):
        raise UnsupportedFormatError(truncated(label, audio.duration_s, declared))
    return audio


def encode(audio: AudioData, fmt: AudioFormat, *, tags: Mapping[str, str] | None = None) -> bytes:
    """Encode to ``fmt`` with optional tags (title, artist, album, comment).

    Raises:
        UnsupportedFormatError: a format the studio cannot write.
    """
    if audio.frames == 0:
        audio = AudioData(np.zeros((1, audio.channels), np.float32), audio.sample_rate)
    if fmt is AudioFormat.PCM:
        return to_pcm16(audio)
    if fmt in _SF_WRITE:
        return _encode_soundfile(audio, fmt, tags or {})
    if fmt in _AV_WRITE:
        return _encode_av(audio, fmt, tags or {})
    raise UnsupportedFormatError(f"The studio cannot write {fmt.value} audio.")


def _encode_soundfile(audio: AudioData, fmt: AudioFormat, tags: Mapping[str, str]) -> bytes:
    import soundfile as sf

    container, subtype = _SF_WRITE[fmt]
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", audio.sample_rate, audio.channels, subtype, format=container) as f:
        for key in ("title", "artist", "album", "comment"):
            if tags.get(key):
                setattr(f, key, tags[key])
        block = audio.sample_rate * 10
        for start in range(0, audio.frames, block):
            f.write(audio.samples[start : start + block])
    return buf.getvalue()


# FFmpeg's AAC encoder with its "fast" coder: an audiobook's export is mostly this encoding,
# and the fast coder takes 0.28 s of CPU where the default (twoloop) takes 0.67 s, on narrated
# speech. At 64 kbit/s mono it made short stretches harder to hear (offline recognition of
# caption-sized cuts failed), so mono audiobooks are written at 96 kbit/s (audiobook.py).
AAC_OPTIONS = {"aac_coder": "fast"}


def _encode_av(audio: AudioData, fmt: AudioFormat, tags: Mapping[str, str]) -> bytes:
    import av

    container_name, codec, codec_rate, bit_rate = _AV_WRITE[fmt]
    rate = codec_rate or audio.sample_rate
    if codec == "aac" or codec == "libmp3lame":
        rate = _nearest(rate, (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000))
    layout = "mono" if audio.channels == 1 else "stereo"
    samples = audio.samples if audio.channels <= 2 else audio.samples[:, :2]
    buf = io.BytesIO()
    with av.open(buf, "w", format=container_name) as out:
        options = AAC_OPTIONS if codec == "aac" else {}
        stream: Any = out.add_stream(codec, rate=rate, options=options)
        stream.layout = layout
        stream.bit_rate = bit_rate
        for key, value in tags.items():
            if value:
                out.metadata[key] = value
                stream.metadata[key] = value  # Ogg keeps tags on the stream
        resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples.T if layout == "stereo" else samples.reshape(1, -1)),
            format="fltp" if layout == "stereo" else "flt",
            layout=layout,
        )
        frame.sample_rate = audio.sample_rate
        for converted in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(converted):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def _nearest(rate: int, allowed: tuple[int, ...]) -> int:
    return min(allowed, key=lambda r: abs(r - rate))


def write(
    audio: AudioData,
    path: Path,
    fmt: AudioFormat | None = None,
    *,
    tags: Mapping[str, str] | None = None,
) -> AudioFormat:
    """Encode and write atomically; the format comes from the extension unless given."""
    from audio_studio.core.fileio import atomic_write_bytes

    chosen = fmt or format_for_path(path)
    atomic_write_bytes(path, encode(audio, chosen, tags=tags))
    return chosen


def resample(audio: AudioData, rate: int) -> AudioData:
    """Change the sample rate (PyAV's resampler, i.e. FFmpeg's swresample)."""
    if rate == audio.sample_rate or audio.frames == 0:
        return audio
    # Ten-second frames: swresample is about five times faster on them than on one huge frame
    # (cache), and the result is the same sample for sample.
    streamer = StreamResampler(audio.sample_rate, rate, audio.channels)
    step = audio.sample_rate * 10
    parts = [streamer.push(audio.samples[i : i + step]) for i in range(0, audio.frames, step)]
    parts.append(streamer.flush())
    return AudioData(np.concatenate(parts), rate)


class StreamResampler:
    """Resample a stream chunk by chunk; the filter state carries over, so joins are seamless."""

    def __init__(self, from_rate: int, to_rate: int, channels: int) -> None:
        import av

        self.from_rate = from_rate
        self.to_rate = to_rate
        self.channels = min(2, channels)
        self._layout = "mono" if self.channels == 1 else "stereo"
        self._resampler = av.AudioResampler(format="fltp", layout=self._layout, rate=to_rate)

    def push(self, samples: Samples) -> Samples:
        """Resample the next chunk ((frames, channels) float32); may return fewer frames."""
        import av

        if not len(samples):
            return np.zeros((0, self.channels), np.float32)
        planar = np.ascontiguousarray(samples[:, : self.channels].T, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(
            planar if self.channels == 2 else planar.reshape(1, -1),
            format="fltp" if self.channels == 2 else "flt",
            layout=self._layout,
        )
        frame.sample_rate = self.from_rate
        return self._join(self._resampler.resample(frame))

    def flush(self) -> Samples:
        """What the filter still holds, at the end of the stream."""
        return self._join(self._resampler.resample(None))

    def _join(self, frames: list[Any]) -> Samples:
        parts = [f.to_ndarray() for f in frames]
        if not parts:
            return np.zeros((0, self.channels), np.float32)
        return np.ascontiguousarray(np.concatenate(parts, axis=1).T, dtype=np.float32)
