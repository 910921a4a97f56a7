"""Helpers for the transcription tests: long files of speech clips at known times, and a studio
whose OpenAI provider is the listening loopback server (tests/servers/stt_wire.py)."""

from __future__ import annotations

import asyncio
import random
import wave
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import decode
from audio_studio.core.models import Segment, Transcript, Word
from audio_studio.core.settings import Settings
from audio_studio.core.store.history import HistoryItem
from audio_studio.core.store.paths import AppPaths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import Studio, open_studio
from tests.servers import stt_wire
from tests.servers.base import WireServer
from tests.support.data import JFK
from tests.support.wire import Naps, fast_specs, wire_settings

RATE = 8_000  # low-rate mono keeps a two-hour file cheap to make and to read


@dataclass(frozen=True)
class ClipFile:
    path: Path
    clips: list[tuple[float, float]]  # (start, end) seconds of every burst of speech
    duration_s: float


def jfk_bursts(rate: int = RATE) -> list[np.ndarray]:
    """The stretches of speech in jfk.flac, each over a quiet 440 Hz bed.

    The bed (-23 dB RMS, well above the server's -35 dB) gives every clip sharp edges and no
    dips inside, so where the server hears it does not depend on how its 10 ms windows fall.
    """
    audio = decode(JFK, sample_rate=rate, mono=True).samples[:, 0]
    clips = []
    for a, b in stt_wire.bursts(audio, rate):
        speech = audio[round(a * rate) : round(b * rate)]
        bed = 0.1 * np.sin(2 * np.pi * 440 * np.arange(len(speech)) / rate)
        clips.append(np.clip(speech + bed, -1, 1).astype(np.float32))
    return clips


def clip_file(
    path: Path, seconds: float, *, seed: int = 7, rate: int = RATE, long_gaps: float = 0.4
) -> ClipFile:
    """A 16-bit WAV of ``seconds``: jfk's bursts in a row with silences between them.

    Most gaps are short (0.35-1 s, just above the cutter's 0.3 s pause), so cuts often fall
    between two close clips; ``long_gaps`` of them are 3-20 s. Written a minute at a time.
    """
    rng = random.Random(seed)
    pieces = jfk_bursts(rate)
    clips: list[tuple[float, float]] = []
    total = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        block = np.zeros(rate * 60, np.int16)
        written, cursor, n = 0, rate // 2, 0
        while written < total:
            block[:] = 0
            end = min(total, written + len(block))
            while True:
                clip = pieces[n % len(pieces)]
                if cursor + len(clip) > total:
                    cursor = total + 1
                    break
                if cursor + len(clip) > end:
                    break
                at = cursor - written
                block[at : at + len(clip)] = np.round(clip * 32767).astype(np.int16)
                clips.append((cursor / rate, (cursor + len(clip)) / rate))
                gap = rng.uniform(3, 20) if rng.random() < long_gaps else rng.uniform(0.35, 1.0)
                cursor += len(clip) + int(gap * rate)
                n += 1
            if cursor <= end and cursor < total:
                cursor = max(cursor, end)  # a clip never straddles two blocks' writes
            out.writeframes(block[: end - written].tobytes())
            written = end
    return ClipFile(path, clips, total / rate)


@pytest.fixture
async def bursts_studio(
    paths: AppPaths, wire: WireServer, naps: Naps, wire_secrets: MemorySecretStore
) -> AsyncIterator[Studio]:
    """A studio with the offline engines, whose ``openai`` provider is the listening server
    (chat too), and every other cloud provider on the loopback server."""
    from audio_studio.core.providers.local.provider import SPECS as LOCAL

    service = open_studio(paths, secrets=wire_secrets, specs=[*LOCAL, *fast_specs(naps)])  # type: ignore[list-item]
    url = f"{wire.url}{stt_wire.PREFIX}"
    service.use_settings(_listening(wire, url))
    yield service
    await service.aclose()


@pytest.fixture
def transcription_gui_studio(
    qloop: asyncio.AbstractEventLoop,
    paths: AppPaths,
    wire: WireServer,
    naps: Naps,
    wire_secrets: MemorySecretStore,
) -> Iterator[Studio]:
    """``bursts_studio`` for pytest-qt tests: opened here, closed on the Qt loop, fake audio."""
    from audio_studio.core.audio.fake import FakeBackend
    from audio_studio.core.providers.local.provider import SPECS as LOCAL
    from tests.support.qt import run

    service = open_studio(paths, secrets=wire_secrets, specs=[*LOCAL, *fast_specs(naps)])  # type: ignore[list-item]
    url = f"{wire.url}{stt_wire.PREFIX}"
    service.use_settings(_listening(wire, url))
    service.audio_backend = FakeBackend()
    yield service
    run(qloop, service.aclose())


def _listening(wire: WireServer, url: str) -> Settings:
    # The listening server decodes every part it is sent to find the speech in it; on a loaded
    # machine that can take longer than the wire tests' 3 s read timeout, and a part timed out
    # is sent again (double uploads), which the tests count.
    return wire_settings(wire, read_timeout_s=60.0).with_provider("openai", base_url=url)


def long_transcript(hours: float, *, words_per_segment: int = 12, speakers: int = 3) -> Transcript:
    """A made-up transcript of ``hours``: a segment every 3 s, words with times and confidence."""
    segments = []
    vocabulary = [
        "budget",
        "plan",
        "release",
        "review",
        "customer",
        "design",
        "meeting",
        "test",
        "ship",
        "week",
    ]
    for n in range(int(hours * 3600 / 3)):
        start = n * 3.0
        words = tuple(
            Word(vocabulary[(n + i) % len(vocabulary)], start + i * 0.2, start + i * 0.2 + 0.18,
                 f"S{n % speakers}", 0.3 if i == 3 else 0.95)
            for i in range(words_per_segment)
        )  # fmt: skip
        text = " ".join(w.text for w in words) + f" number {n}."
        segments.append(Segment(text, start, start + 2.8, f"S{n % speakers}", words, 0.9))
    return Transcript(tuple(segments), language="en", language_probability=0.98,
                      duration_s=hours * 3600, provider="openai", model="whisper-1")  # fmt: skip


async def store_transcript(
    service: Studio, audio: Path, transcript: Transcript, provider: str = "openai"
) -> HistoryItem:
    """A TRANSCRIPT row (under the RECORDING of ``audio``) as transcription.py would store it."""
    from audio_studio.core.models import HistoryKind
    from audio_studio.core.store.history import FileRecord, HistoryEntry
    from audio_studio.core.subtitles import to_json

    recording = await service.transcription.recording_for(audio)
    stored = service.files.put_bytes(to_json(transcript).encode(), "json")
    entry = HistoryEntry(
        kind=HistoryKind.TRANSCRIPT,
        title=recording.title,
        provider=provider,
        model=transcript.model,
        transcript=transcript.text,
        duration_s=transcript.duration_s,
        files=(FileRecord("transcript", stored.path, stored.sha256, "json", stored.size_bytes),),
        parent_id=recording.id,
    )
    item = service.history.get(service.history.add(entry))
    assert item is not None
    return item
