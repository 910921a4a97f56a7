"""The parts of a long transcription: their state, progress, and what each provider can take.

Split from long.py, which does the work; nothing here talks to a provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from audio_studio.core.errors import StudioError
from audio_studio.core.models import (
    AudioFormat,
    Capability,
    Latency,
    Transcript,
    TranscriptionRequest,
)
from audio_studio.core.providers.base import ProgressFn, ProviderInfo
from audio_studio.core.transcripts import Part

__all__ = [
    "CHECK_WHOLE_S",
    "FORM_OVERHEAD",
    "SILENCE_PEAK",
    "PartState",
    "Progress",
    "fallback_notice",
    "part_format",
    "peak",
    "ranges",
    "request_for",
    "upload_limits",
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
    latency: Latency | None = None  # of the request that brought the transcript back

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


def request_for(
    info: ProviderInfo, request: TranscriptionRequest, *, first: bool, notes: list[str]
) -> TranscriptionRequest:
    """``request`` as this provider can take it: a provider that finishes another's work uses
    its own default model and drops options it does not have (adding a notice to ``notes``)."""
    if first:
        return request
    listed = {m.id for m in info.models_for(Capability.TRANSCRIPTION)}
    model = request.model if request.model in listed else None
    features = info.stt_features(model)
    if request.diarize and not features.diarize:
        notes.append(
            f"{info.name} does not tell speakers apart: the parts it transcribed have no "
            "speaker labels."
        )
    return replace(
        request,
        model=model,
        diarize=request.diarize and features.diarize,
        num_speakers=request.num_speakers if features.num_speakers else None,
        prompt=request.prompt if features.prompt else None,
    )


def part_format(info: ProviderInfo) -> AudioFormat:
    """What the parts are encoded as: FLAC, or WAV for a provider that does not take FLAC."""
    if not info.input_formats or "flac" in info.input_formats:
        return AudioFormat.FLAC
    return AudioFormat.WAV


def upload_limits(
    info: ProviderInfo, request: TranscriptionRequest, max_bytes: int | None = None
) -> tuple[int | None, float | None]:
    """Bytes (for the file itself) and seconds one upload of ``request`` may have.

    ``max_bytes`` overrides the provider's byte limit (benchmarks, tests).
    """
    model = request.model
    if request.diarize and not info.stt_features(model).diarize:
        # The provider switches to its speaker model (OpenAI's diarize model): its limits.
        model = next((m.id for m in info.models if m.stt and m.stt.diarize), model)
    limit, seconds = info.upload_limits(model)
    if max_bytes is not None:
        return max_bytes, seconds
    return (limit - FORM_OVERHEAD if limit else limit), seconds


def fallback_notice(parts: list[Part], first: str | None) -> str | None:
    """Which parts another provider finished after ``first`` failed, for the transcript."""
    helpers = {p.provider for p in parts} - {first}
    if not helpers or first is None:
        return None
    names = ", ".join(sorted(str(h) for h in helpers))
    finished = [n + 1 for n, p in enumerate(parts) if p.provider in helpers]
    one = len(finished) == 1
    return (
        f"{'Part' if one else 'Parts'} {ranges(finished)} of {len(parts)} "
        f"{'was' if one else 'were'} transcribed by {names} after {first} failed."
    )
