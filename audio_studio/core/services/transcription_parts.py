"""The parts of a long transcription: their state, progress over all of them, and small helpers.

Split from transcription_long.py, which does the work; nothing here talks to a provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from audio_studio.core.errors import NetworkError, ProviderProtocolError, StudioError
from audio_studio.core.models import Transcript
from audio_studio.core.providers.base import ProgressFn

__all__ = [
    "CHECK_WHOLE_S",
    "FORM_OVERHEAD",
    "SILENCE_PEAK",
    "PartState",
    "Progress",
    "peak",
    "ranges",
    "retryable",
]

# Multipart headers and form fields travel in the same request as the file.
FORM_OVERHEAD = 64 * 1024
# Below -60 dBFS throughout is silence: not sent (it costs money, and Whisper invents words
# such as "Thank you." for silence). Whole files are checked up to this length before upload.
SILENCE_PEAK = 10 ** (-60 / 20)
CHECK_WHOLE_S = 900.0


@dataclass
class PartState:
    """One part of the file: where it lies, its audio, and what became of it."""

    index: int
    start_s: float
    end_s: float
    path: Path
    owned: bool  # a file this run made (removed by close), not the user's original
    size: int = 0
    attempts: int = 0
    provider: str | None = None
    model: str | None = None
    transcript: Transcript | None = None
    error: StudioError | None = None

    @property
    def done(self) -> bool:
        return self.transcript is not None


@dataclass
class Progress:
    total_s: float
    report: ProgressFn | None
    parts: list[PartState] = field(default_factory=list)
    cutting: bool = True
    inflight: dict[int, float] = field(default_factory=dict)

    def update(self, message: str | None = None) -> None:
        if self.report is None:
            return
        done = sum(p.end_s - p.start_s for p in self.parts if p.done)
        moving = sum(
            share * (p.end_s - p.start_s) * 0.5
            for p in self.parts
            if (share := self.inflight.get(p.index)) is not None
        )
        share_done = min(1.0, (done + moving) / self.total_s) if self.total_s > 0 else None
        if message is None:
            n_done = sum(1 for p in self.parts if p.done)
            total = f"{len(self.parts)}{'+' if self.cutting else ''}"
            message = f"{n_done} of {total} parts transcribed"
        self.report(share_done, message)


def retryable(exc: StudioError) -> bool:
    # A broken reply (protocol error, reset mid-body) is not re-sent by the HTTP layer, which
    # cannot know whether the server acted on it; a transcription can safely be asked again.
    return exc.retryable or isinstance(exc, NetworkError | ProviderProtocolError)


def peak(path: Path) -> float:
    """The peak level of a file (0..1). Blocking."""
    from audio_studio.core.audio.codec import decode

    samples = decode(path, sample_rate=16_000, mono=True).samples
    return float(abs(samples).max()) if len(samples) else 0.0


def ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1–3, 5"."""
    out: list[str] = []
    for n in sorted(numbers):
        if out and out[-1].split("–")[-1] == str(n - 1):
            out[-1] = f"{out[-1].split('–')[0]}–{n}"
        else:
            out.append(str(n))
    return ", ".join(out)
