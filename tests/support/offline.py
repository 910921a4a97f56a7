"""Helpers for the offline-engine tests: real speech data, WER, audio files, worker clean-up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import AudioData, decode, write
from audio_studio.core.providers.local.worker import shutdown_workers
from tests.support.data import DATA

SHARED_DATA = DATA

JFK = SHARED_DATA / "jfk.flac"
JFK_REFERENCE = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
# 60 words, four sentences, everyday vocabulary: what a narration tab would be given.
PARAGRAPH = (
    "The morning train was late again, so Maria walked to the harbour instead. "
    "She bought a loaf of bread and sat by the water to watch the fishing boats "
    "come home. A dog followed her along the pier, hoping for a share of breakfast. "
    "By the time the train arrived, she had decided to spend the day by the sea."
)


def normalise(text: str) -> str:
    """Lower case, hyphens to spaces, punctuation removed, single spaces."""
    text = text.lower().replace("-", " ")
    text = re.sub(r"[^\w\s']", " ", text)
    return " ".join(text.split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(normalise(reference), normalise(hypothesis)))


def write_audio(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    write(AudioData(np.asarray(samples, dtype=np.float32).reshape(-1, 1), rate), path)
    return path


def empty_wav(path: Path) -> Path:
    """A valid WAV file with no samples at all (the codec would write one zero sample)."""
    import wave

    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(16_000)
    return path


def long_speech(path: Path, repeats: int) -> Path:
    """jfk.flac repeated with a second of quiet between: real speech of any length."""
    audio = decode(JFK).mono()
    gap = np.zeros((audio.sample_rate, 1), np.float32)
    joined = np.concatenate([np.concatenate((audio.samples, gap))] * repeats)
    write(AudioData(joined, audio.sample_rate), path)
    return path


async def process_ended(process: object, within_s: float) -> bool:
    """Whether a worker process ends within ``within_s``. It watches the process's sentinel
    rather than joining it: the worker's own reaper thread joins it, and two threads waiting
    for one child race (one of them is told the child is still there)."""
    import asyncio
    from multiprocessing.connection import wait

    sentinel = process.sentinel  # type: ignore[attr-defined]
    return bool(await asyncio.to_thread(wait, [sentinel], within_s))


@pytest.fixture(scope="session", autouse=True)
def _stop_engine_workers() -> Iterator[None]:
    """The engine workers serve the whole session (models load once); stop them at its end."""
    yield
    shutdown_workers()
