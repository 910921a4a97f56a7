"""Offline speech to text with faster-whisper, in the engine worker process.

The parent side (``WhisperEngine``) picks the model and turns the request into a job for the
worker; ``transcribe_file`` runs inside the worker (blocking, imports faster-whisper there):
it decodes the file with the studio's codec, reports progress as the share of the audio's
duration done, and returns a ``Transcript`` with segments, word times, language and
probabilities. Cancel between segments is a hard stop of the worker (see worker.py).
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from audio_studio.core.errors import ConfigurationError, InputError, InvalidRequestError
from audio_studio.core.models import Capability, Segment, Transcript, TranscriptionRequest, Word
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.providers.local.models import (
    InstalledModel,
    find_installed,
    installed_models,
)
from audio_studio.core.providers.local.worker import EngineWorker

__all__ = ["NO_SPEECH", "SILENT", "WhisperEngine", "transcribe_file"]

HANDLER = "audio_studio.core.providers.local.whisper:transcribe_file"
SAMPLES_HANDLER = "audio_studio.core.providers.local.whisper:transcribe_window"
NO_SPEECH = "No speech was found in this audio."
SILENT = "The audio is silent, so there is nothing to transcribe."
EMPTY = "The audio is empty (it has no samples), so there is nothing to transcribe."
_SILENCE_PEAK = 10 ** (-60 / 20)  # below -60 dBFS throughout: silence, and Whisper would
# invent words ("Thank you.") if it were asked to transcribe it


class WhisperEngine:
    """faster-whisper models from the bundled package and the models folder."""

    def __init__(
        self,
        models_dir: Path,
        worker: EngineWorker,
        *,
        default_model: str | None = None,
        discover: Callable[[Path], list[InstalledModel]] = installed_models,
    ) -> None:
        self.models_dir = models_dir
        self.worker = worker
        self.default_model = default_model
        self._discover = discover

    async def models(self) -> list[InstalledModel]:
        found = await asyncio.to_thread(self._discover, self.models_dir)
        return [m for m in found if m.kind is Capability.TRANSCRIPTION]

    async def resolve(self, model_id: str | None) -> InstalledModel:
        models = await self.models()
        if model_id:
            return find_installed(
                models, Capability.TRANSCRIPTION, model_id.removeprefix("whisper-")
            )
        if self.default_model and any(m.id == self.default_model for m in models):
            return find_installed(models, Capability.TRANSCRIPTION, self.default_model)
        return find_installed(models, Capability.TRANSCRIPTION, None)

    async def transcribe(
        self, request: TranscriptionRequest, progress: ProgressFn | None = None
    ) -> Transcript:
        if request.diarize:
            raise InvalidRequestError(
                "The offline engine cannot tell speakers apart. Turn that option off, or choose "
                "a provider that can (ElevenLabs Scribe).",
                provider="local",
            )
        model = await self.resolve(request.model)
        english_only = model.id.endswith(".en")
        language = (request.language or "").strip().lower() or None
        if english_only and language not in (None, "en"):
            raise InvalidRequestError(
                f"{model.id} understands English only. Download a multilingual model (for "
                "example `audio-studio models download base`) for other languages.",
                provider="local",
            )
        if english_only and request.translate:
            raise InvalidRequestError(
                f"{model.id} cannot translate; use a multilingual model.", provider="local"
            )
        if not await asyncio.to_thread(request.audio.is_file):
            raise InputError(f"{request.audio} does not exist or is not a file.")
        settings = dict(request.settings)
        payload: dict[str, Any] = {
            "model_path": str(model.location),
            "model_id": model.id,
            "audio": str(request.audio),
            "language": "en" if english_only else language,
            "task": "translate" if request.translate else "transcribe",
            "prompt": request.prompt or None,
            "word_timestamps": request.word_timestamps,
            "vad": request.vad,
            "beam_size": int(settings.get("beam_size", 1)),
            "compute_type": str(settings.get("compute_type", "int8")),
            "cpu_threads": int(settings.get("cpu_threads", min(8, os.cpu_count() or 1))),
            "careful": bool(settings.get("careful", False)),  # a second try (guard.py)
        }
        # A caller may ask for greedy decoding of each window alone (settings of the provider).
        if "temperature" in settings:
            payload["temperature"] = float(settings["temperature"])
        if "condition_on_previous_text" in settings:
            payload["condition_on_previous_text"] = bool(settings["condition_on_previous_text"])

        def on_event(event: Any) -> None:
            if progress is not None:
                progress(event[0], event[1])

        result: Transcript = await self.worker.run(HANDLER, payload, on_event)
        return result

    async def transcribe_samples(
        self,
        samples: Any,
        *,
        model_id: str | None = None,
        prompt: str | None = None,
        words: bool = False,
        windows: Sequence[tuple[float, float]] = (),
        all_cores: bool = False,
    ) -> list[tuple[float, float, str]]:
        """``(start_s, end_s, text)`` of 16 kHz mono float32 ``samples``, handed to the worker
        as they are (no file written and read back), decoded greedily.

        Live text while recording (core/transcription/live.py): segments of speech, on every
        core, so it keeps up. With ``words``, proof-listening's batches of takes
        (narration/listening.py): one entry per word, on one thread, so the voice keeps the
        other core. ``windows`` (start_s, end_s), each at most 30 s, are heard each on its
        own and decoded together, text only (no timestamp tokens); word times still come.
        ``all_cores`` gives words every core too (proof's last batch: the voice is done).
        """
        model = await self.resolve(model_id)
        payload = {
            "model_path": str(model.location),
            "model_id": model.id,
            "samples": samples.astype("float32").tobytes(),
            "language": "en" if model.id.endswith(".en") else None,
            "prompt": prompt,
            "words": words,
            "windows": [list(w) for w in windows],
            "compute_type": "int8",
            "cpu_threads": min(8, os.cpu_count() or 1) if all_cores or not words else 1,
        }
        found: list[tuple[float, float, str]] = await self.worker.run(SAMPLES_HANDLER, payload)
        return found


# -- in the worker process -----------------------------------------------------------------


def transcribe_window(
    payload: dict[str, Any], emit: Callable[[Any], None], cache: dict[str, Any]
) -> list[tuple[float, float, str]]:
    """Worker handler for ``transcribe_samples``."""
    import numpy as np

    samples = np.frombuffer(payload["samples"], np.float32)
    if not len(samples) or float(np.max(np.abs(samples))) < _SILENCE_PEAK:
        return []
    model = _load_model(payload, cache)
    words = bool(payload.get("words"))
    windows = payload.get("windows") or []
    segments: Any
    if words and windows:
        # Packed windows (proof-listening): a batch of them through one decoder call costs
        # less than one window after another, and the text needs no timestamp tokens.
        from faster_whisper import BatchedInferencePipeline

        segments, _info = BatchedInferencePipeline(model).transcribe(
            samples,
            language=payload["language"],
            beam_size=1,
            temperature=0.0,
            initial_prompt=payload["prompt"],
            condition_on_previous_text=False,
            word_timestamps=True,
            without_timestamps=True,
            clip_timestamps=[{"start": a, "end": b} for a, b in windows],
            batch_size=min(4, len(windows)),
        )
    else:
        # Words: every stretch heard, and no re-decoding when a window repeats itself (a
        # narrated list may). Live text: speech only, with Whisper's usual fallbacks.
        options: dict[str, Any] = (
            {"temperature": 0.0, "word_timestamps": True, "vad_filter": False}
            if words
            else {"without_timestamps": False, "vad_filter": True}
        )
        segments, _info = model.transcribe(
            samples,
            language=payload["language"],
            beam_size=1,
            initial_prompt=payload["prompt"],
            condition_on_previous_text=False,
            **options,
        )
    found: list[tuple[float, float, str]] = []
    for seg in segments:
        if words and seg.words:
            found += [(float(w.start), float(w.end), w.word.strip()) for w in seg.words]
        elif seg.text.strip():  # a segment (without word times, it goes whole)
            found.append((float(seg.start), float(seg.end), seg.text.strip()))
    return found


def _load_model(payload: dict[str, Any], cache: dict[str, Any]) -> Any:
    key = f"whisper:{payload['model_path']}:{payload['compute_type']}:{payload['cpu_threads']}"
    if key in cache:
        return cache[key]
    mine = f"whisper:{payload['model_path']}:"
    for old in [k for k in cache if k.startswith("whisper:") and not k.startswith(mine)]:
        del cache[old]  # one model in memory at a time (with one or all cores)
    # Never reach for the Hugging Face hub at run time (faster-whisper does when a model
    # folder lacks tokenizer.json): the studio is offline unless the user downloads.
    os.environ["HF_HUB_OFFLINE"] = "1"
    import importlib
    import threading

    from faster_whisper import WhisperModel

    # WORKAROUND: faster-whisper makes a tqdm bar per call, and tqdm's default lock is a
    # multiprocessing semaphore that leaks (with a warning at exit) when the worker is
    # terminated on cancel. A thread lock is all one worker needs.
    importlib.import_module("tqdm").tqdm.set_lock(threading.RLock())

    try:
        model = WhisperModel(
            payload["model_path"],
            device="cpu",
            compute_type=payload["compute_type"],
            cpu_threads=payload["cpu_threads"],
        )
    except Exception as exc:
        raise ConfigurationError(
            f"The transcription model {payload['model_id']} could not be loaded "
            f"({exc.__class__.__name__}: {str(exc)[:160]}). Its files may be damaged or "
            f"incomplete: delete it in Settings → Models (or `audio-studio models remove "
            f"{payload['model_id']}`) and download it again.",
            provider="local",
        ) from exc
    cache[key] = model
    return model


def _holds_no_samples(path: Path) -> bool:
    """A well-formed file with no audio in it (the codec refuses those as if truncated)."""
    import soundfile

    try:
        return int(soundfile.info(str(path)).frames) == 0
    except Exception:  # not a format libsndfile reads: the codec decides
        return False


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


_WINDOW_S = 120.0  # the engine is fed two minutes at a time (its features of a longer
# stretch take hundreds of MB: 10 minutes peaked at 740 MB)
_CUT_SEARCH_S = 10.0  # each window ends at the quietest moment of its last 10 s


def _windows(path: Path) -> Iterator[tuple[float, Any]]:
    """``(start_s, samples)`` of about two minutes each, 16 kHz mono, cut where it is quietest so
    no word is split; decoded as a stream (core/audio/speech_stream.py)."""
    import numpy as np

    from audio_studio.core.audio.speech_stream import SPEECH_RATE, iter_speech_windows

    carry = np.zeros(0, np.float32)
    carry_at = 0.0
    for start, samples in iter_speech_windows(path, _WINDOW_S):
        joined = np.concatenate([carry, samples]) if len(carry) else samples
        at = carry_at if len(carry) else start
        search = int(_CUT_SEARCH_S * SPEECH_RATE)
        if len(samples) < int(_WINDOW_S * SPEECH_RATE) or len(joined) <= search:
            carry, carry_at = joined, at  # the last window, or too short to cut
            continue
        tail = joined[-search:]
        hop = SPEECH_RATE // 10
        energy = [float(np.mean(np.square(tail[k : k + hop]))) for k in range(0, search - hop, hop)]
        cut = len(joined) - search + hop * int(np.argmin(energy))
        yield at, joined[:cut]
        carry, carry_at = joined[cut:].copy(), at + cut / SPEECH_RATE
    if len(carry):
        yield carry_at, carry


def transcribe_file(
    payload: dict[str, Any], emit: Callable[[Any], None], cache: dict[str, Any]
) -> Transcript:
    """Worker handler: emits ``(share_done, message)``; returns the Transcript.

    The file is decoded as a stream and fed to the engine two minutes at a time, so memory
    does not grow with the length of the recording; silent windows are skipped.
    """
    import numpy as np

    from audio_studio.core.audio.reading import probe

    emit((0.0, "Reading the audio…"))
    path = Path(payload["audio"])
    model_id = str(payload["model_id"])
    if _holds_no_samples(path):
        return Transcript((), duration_s=0.0, provider="local", model=model_id, notices=(EMPTY,))
    total = probe(path).duration_s or 0.0
    segments: list[Segment] = []
    language = payload["language"]
    info: Any = None
    heard = False
    duration = 0.0
    careful: dict[str, Any] = {}
    if payload.get("careful"):
        # Safer settings for a stretch that looped or was invented: no carried-over context
        # (loops feed on it), sampling when greedy decoding repeats, speech only.
        careful = {
            "condition_on_previous_text": False,
            "temperature": [0.2, 0.4, 0.6, 0.8, 1.0],
            "compression_ratio_threshold": 2.0,
            "no_speech_threshold": 0.5,
        }
    else:
        # What the caller asked for (greedy, each window alone, when set).
        careful = {
            k: payload[k] for k in ("temperature", "condition_on_previous_text") if k in payload
        }
    for start, samples in _windows(path):
        duration = start + len(samples) / 16_000
        if not len(samples) or float(np.max(np.abs(samples))) < _SILENCE_PEAK:
            continue
        if not heard:
            emit((0.0, "Loading the model…"))
            model = _load_model(payload, cache)
            emit((0.0, "Transcribing…"))
        heard = True
        segments_iter, window_info = model.transcribe(
            samples,
            language=language,
            task=payload["task"],
            beam_size=payload["beam_size"],
            word_timestamps=payload["word_timestamps"],
            vad_filter=payload["vad"] or bool(payload.get("careful")),
            initial_prompt=payload["prompt"],
            **careful,
        )
        if info is None:
            info = window_info
            language = language or window_info.language  # the same language all through
        for seg in segments_iter:  # lazy: each step decodes the next stretch of audio
            words = tuple(
                Word(text=w.word.strip(), start=start + float(w.start), end=start + float(w.end),
                     confidence=float(w.probability))
                for w in (seg.words or ())
            )  # fmt: skip
            segments.append(
                Segment(
                    text=seg.text.strip(),
                    start=start + float(seg.start),
                    end=start + float(seg.end),
                    words=words,
                    confidence=math.exp(float(seg.avg_logprob)),
                )
            )
            end = start + float(seg.end)
            done = f"{_clock(end)} of {_clock(total)}"
            emit((min(1.0, end / total) if total else None, done))
    if not heard:
        notice = EMPTY if duration == 0 else SILENT
        return Transcript(
            (), duration_s=duration, provider="local", model=model_id, notices=(notice,)
        )
    segments = [s for s in segments if s.text]
    return Transcript(
        segments=tuple(segments),
        language=info.language if info else language,
        language_probability=float(info.language_probability) if info else None,
        duration_s=duration,
        provider="local",
        model=model_id,
        notices=() if segments else (NO_SPEECH,),
    )
