"""Who spoke when, offline: speech found by Silero VAD, a voice print every half second, clustered.

Runs in the engine worker (worker.py) as the handler ``detect_file``. The audio is decoded as
a stream in 30 s windows (core/audio/speech_stream.py), so memory grows only with the number of
voice prints (1 KB per half second of speech), never with samples. Clustering is average-linkage
on cosine distance (scipy); the number of speakers is given or found by a distance threshold.
Each 0.1 s of speech then goes to the speaker whose centroid its covering prints are closest
to, and turns shorter than a blink are folded into their neighbours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from audio_studio.core.providers.local.speakers.encoder import FRAME_S, PARTIAL_FRAMES, VoiceEncoder

__all__ = ["AUTO_DISTANCE", "MAX_SPEAKERS", "Detection", "cluster", "detect_file"]

Floats = npt.NDArray[np.float32]

MAX_SPEAKERS = 10
AUTO_DISTANCE = 0.4  # average cosine distance between clusters above which voices differ
SAME_VOICE = 0.7  # centroids at least this similar are one voice (automatic count only)
HOP_FRAMES = 50  # a voice print every 0.5 s
STEP_S = 0.1  # resolution of the speaker timeline
MIN_TURN_S = 0.4  # shorter runs join their neighbours
_MAX_LINKED = 1500  # prints clustered directly; the rest join the nearest centroid
_BATCH = 256
_WINDOW_S = 30.0


@dataclass(frozen=True)
class Detection:
    """Turns ``(start_s, end_s, speaker_index)`` in time order; one unit voice print per speaker
    (index order: first heard first); seconds of speech per speaker."""

    turns: tuple[tuple[float, float, int], ...]
    prints: tuple[tuple[float, ...], ...]
    seconds: tuple[float, ...]
    duration_s: float


@dataclass
class _Prints:
    spans: list[tuple[float, float]]
    vectors: list[Floats]
    regions: list[tuple[float, float]]


def _speech_regions(samples: Floats, offset: float) -> list[tuple[float, float]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=250, speech_pad_ms=60, min_speech_duration_ms=200)
    found = get_speech_timestamps(samples, options)
    return [(offset + r["start"] / 16_000, offset + r["end"] / 16_000) for r in found]


def _collect(
    path: Path, encoder: VoiceEncoder, emit: Callable[[Any], None]
) -> tuple[_Prints, float]:
    from audio_studio.core.audio.speech_stream import SPEECH_RATE, iter_speech_windows

    out = _Prints([], [], [])
    duration = 0.0
    for start, samples in iter_speech_windows(path, _WINDOW_S):
        duration = start + len(samples) / SPEECH_RATE
        if not len(samples) or float(np.max(np.abs(samples))) < 1e-3:
            continue
        batch: list[Floats] = []
        for r0, r1 in _speech_regions(samples, start):
            out.regions.append((r0, r1))
            piece = samples[int((r0 - start) * SPEECH_RATE) : int((r1 - start) * SPEECH_RATE)]
            mel = encoder.mel(piece)
            if len(mel) < PARTIAL_FRAMES:
                # A short phrase is repeated to fill the encoder's 1.6 s: silence padding
                # would make it sound like another voice.
                mel = np.tile(mel, (-(-PARTIAL_FRAMES // len(mel)), 1))[:PARTIAL_FRAMES]
            last = len(mel) - PARTIAL_FRAMES
            firsts = list(range(0, last + 1, HOP_FRAMES))
            if firsts[-1] != last:
                firsts.append(last)
            for f in firsts:
                t0 = r0 + f * FRAME_S
                out.spans.append((t0, min(r1, t0 + PARTIAL_FRAMES * FRAME_S)))
                batch.append(mel[f : f + PARTIAL_FRAMES])
        for i in range(0, len(batch), _BATCH):
            out.vectors.extend(encoder.embed(np.stack(batch[i : i + _BATCH])))
        emit((None, f"Listening for voices… {int(duration // 60)}:{int(duration % 60):02d}"))
    return out, duration


def cluster(vectors: Floats, num_speakers: int | None) -> npt.NDArray[np.int64]:
    """A cluster index per unit vector: ``num_speakers`` clusters, or as many as the distance
    threshold finds (auto)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(vectors)
    if n == 0:
        return np.zeros(0, np.int64)
    if n == 1 or num_speakers == 1:
        return np.zeros(n, np.int64)
    pick = np.linspace(0, n - 1, min(n, _MAX_LINKED)).astype(int)
    tree = linkage(vectors[pick], method="average", metric="cosine")
    if num_speakers:
        labels = fcluster(tree, min(num_speakers, len(pick)), criterion="maxclust")
    else:
        labels = fcluster(tree, AUTO_DISTANCE, criterion="distance")
    labels = labels - 1
    centroids = _centroids(vectors[pick], labels)
    if not num_speakers:
        # A cluster of a few prints is a cough or a clash of voices, not a person.
        sizes = np.bincount(labels, minlength=len(centroids))
        keep = sizes >= max(2, int(0.03 * len(pick)))
        if keep.any() and not keep.all():
            centroids = centroids[keep]
        centroids = _join_similar(centroids, vectors[pick])
    # One refinement pass: every print to its nearest centroid, then centroids again.
    assigned = np.argmax(vectors @ centroids.T, axis=1)
    centroids = _centroids(vectors, assigned)
    return np.asarray(np.argmax(vectors @ centroids.T, axis=1), np.int64)


def _join_similar(centroids: Floats, vectors: Floats) -> Floats:
    """Merge the two most similar clusters while their centroids are one voice's."""
    while len(centroids) > 1:
        sims = centroids @ centroids.T
        np.fill_diagonal(sims, -1.0)
        a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[a, b] < SAME_VOICE:
            break
        labels = np.argmax(vectors @ centroids.T, axis=1)
        labels[labels == b] = a
        centroids = _centroids(vectors, labels)
    return centroids


def _centroids(vectors: Floats, labels: npt.NDArray[Any]) -> Floats:
    found = [k for k in range(int(labels.max()) + 1) if np.any(labels == k)]
    means = np.stack([vectors[labels == k].mean(axis=0) for k in found])
    norms = np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
    return np.asarray(means / norms, np.float32)


def _timeline(
    prints: _Prints, labels: npt.NDArray[np.int64], centroids: Floats
) -> list[list[float]]:
    """``[start, end, cluster]`` runs over the speech regions, 0.1 s steps, smoothed."""
    spans = np.asarray(prints.spans, np.float64)
    scores = np.asarray(prints.vectors, np.float32) @ centroids.T  # (prints, clusters)
    runs: list[list[float]] = []
    for r0, r1 in prints.regions:
        inside = np.nonzero((spans[:, 0] < r1) & (spans[:, 1] > r0))[0]
        if not len(inside):
            continue
        steps = np.arange(r0, r1, STEP_S)
        for t in steps:
            mid = t + STEP_S / 2
            cover = inside[(spans[inside, 0] <= mid) & (spans[inside, 1] >= mid)]
            if not len(cover):
                cover = inside[[int(np.argmin(np.abs(spans[inside].mean(axis=1) - mid)))]]
            k = int(np.argmax(scores[cover].sum(axis=0)))
            end = min(r1, t + STEP_S)
            if runs and runs[-1][2] == k and abs(runs[-1][1] - t) < 1e-6:
                runs[-1][1] = end
            else:
                runs.append([t, end, k])
    return _smooth(runs)


def _smooth(runs: list[list[float]]) -> list[list[float]]:
    changed = True
    while changed and len(runs) > 1:
        changed = False
        for i, (a, b, _k) in enumerate(runs):
            if b - a >= MIN_TURN_S:
                continue
            before = runs[i - 1] if i > 0 and abs(runs[i - 1][1] - a) < 1e-6 else None
            after = runs[i + 1] if i + 1 < len(runs) and abs(runs[i + 1][0] - b) < 1e-6 else None
            host = max((r for r in (before, after) if r), key=lambda r: r[1] - r[0], default=None)
            if host is None:
                continue
            runs[i][2] = host[2]
            changed = True
        merged: list[list[float]] = []
        for r in runs:
            if merged and merged[-1][2] == r[2] and abs(merged[-1][1] - r[0]) < 1e-6:
                merged[-1][1] = r[1]
            else:
                merged.append(list(r))
        runs = merged
    return runs


def detect(
    path: Path, num_speakers: int | None, emit: Callable[[Any], None], cache: dict[str, Any]
) -> Detection:
    encoder = cache.get("voice-encoder")
    if encoder is None:
        encoder = cache["voice-encoder"] = VoiceEncoder()
    prints, duration = _collect(path, encoder, emit)
    if not prints.vectors:
        return Detection((), (), (), duration)
    vectors = np.stack(prints.vectors).astype(np.float32)
    labels = cluster(vectors, num_speakers)
    found = sorted(set(labels.tolist()))
    centroids = _centroids(vectors, np.array([found.index(k) for k in labels]))
    runs = _timeline(prints, labels, centroids)
    order: list[int] = []
    for _a, _b, k in runs:
        if int(k) not in order:
            order.append(int(k))
    turns = tuple((round(a, 2), round(b, 2), order.index(int(k))) for a, b, k in runs)
    seconds = tuple(round(sum(b - a for a, b, k in turns if k == i), 2) for i in range(len(order)))
    prints_out = tuple(tuple(float(x) for x in centroids[k]) for k in order)
    return Detection(turns, prints_out, seconds, duration)


def detect_file(
    payload: dict[str, Any], emit: Callable[[Any], None], cache: dict[str, Any]
) -> Detection:
    """Worker handler: ``{"audio": path, "num_speakers": N or None}`` → Detection."""
    return detect(Path(payload["audio"]), payload.get("num_speakers"), emit, cache)
