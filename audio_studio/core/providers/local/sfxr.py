"""Procedural retro sound effects from the sfxr parameter model, rendered with numpy.

The sound is fully determined by ``(SfxParams, seed)``: the seed only feeds the noise
oscillator, so saving the parameters' JSON and the seed regenerates an output bit for bit.
Presets, mutate and randomise live in ``sfxr_presets``.

Signal path: oscillator at 8× the output rate (vectorised; averaging the 8 supersamples is
the anti-aliasing) → low/high-pass filters as a short-time spectral gain (vectorised, time-
varying cutoff and resonance) → flanger (a swept comb) → envelope → gain → a safety limiter so
no sample exceeds full scale.

Blocking (numpy work of tens of milliseconds): call ``render`` via asyncio.to_thread.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from audio_studio.core.errors import InputError

__all__ = [
    "ENGINE_VERSION",
    "MAX_SECONDS",
    "RANGES",
    "SAMPLE_RATES",
    "SfxParams",
    "Wave",
    "render",
]

Floats = npt.NDArray[np.float64]

ENGINE_VERSION = 1  # bump when rendering changes, so old params can say which engine made them
BASE_RATE = 44_100  # the parameter model's time unit: per-sample slides are per 1/44100 s
SUPERSAMPLE = 8
SAMPLE_RATES = (44_100, 22_050, 11_025, 5_512)
ENV_UNIT_S = 100_000 / BASE_RATE  # an envelope stage with parameter 1.0 lasts this long
MAX_SECONDS = 3 * ENV_UNIT_S
_FREQ_SCALE = SUPERSAMPLE * BASE_RATE / 100  # parameter p -> (p² + 0.001) × this many Hz
_HEADROOM = 0.98  # the limiter's ceiling


class Wave(enum.StrEnum):
    SQUARE = "square"
    SAW = "saw"
    SINE = "sine"
    NOISE = "noise"


# Every numeric parameter with its range; mutate/randomise and validation use this table.
RANGES: dict[str, tuple[float, float]] = {
    "attack": (0.0, 1.0),
    "sustain": (0.0, 1.0),
    "punch": (0.0, 1.0),
    "decay": (0.0, 1.0),
    "base_freq": (0.0, 1.0),
    "freq_limit": (0.0, 1.0),
    "freq_slide": (-1.0, 1.0),
    "freq_delta_slide": (-1.0, 1.0),
    "vibrato_depth": (0.0, 1.0),
    "vibrato_speed": (0.0, 1.0),
    "arp_mult": (-1.0, 1.0),
    "arp_speed": (0.0, 1.0),
    "duty": (0.0, 1.0),
    "duty_sweep": (-1.0, 1.0),
    "retrigger": (0.0, 1.0),
    "flanger_offset": (-1.0, 1.0),
    "flanger_sweep": (-1.0, 1.0),
    "lpf_cutoff": (0.0, 1.0),
    "lpf_sweep": (-1.0, 1.0),
    "lpf_resonance": (0.0, 1.0),
    "hpf_cutoff": (0.0, 1.0),
    "hpf_sweep": (-1.0, 1.0),
    "gain": (0.0, 1.0),
}


@dataclass(frozen=True)
class SfxParams:
    """One effect's parameters, sfxr's model: each value in its ``RANGES`` interval.

    Times are the square of the parameter times ``ENV_UNIT_S`` (about 2.27 s); frequencies are
    ``(p² + 0.001) × 3528`` Hz; slides are per 1/44100 s, so the sound does not depend on
    ``sample_rate``, which only sets the output's resolution.
    """

    wave: Wave = Wave.SQUARE
    attack: float = 0.0
    sustain: float = 0.3
    punch: float = 0.0
    decay: float = 0.4
    base_freq: float = 0.3
    freq_limit: float = 0.0  # the sound stops when its frequency falls below this
    freq_slide: float = 0.0
    freq_delta_slide: float = 0.0
    vibrato_depth: float = 0.0
    vibrato_speed: float = 0.0
    arp_mult: float = 0.0  # a jump in pitch after arp_speed's delay; 0 = none
    arp_speed: float = 0.0
    duty: float = 0.0  # square wave only
    duty_sweep: float = 0.0
    retrigger: float = 0.0  # 0 = off; else restarts pitch, duty and arpeggio periodically
    flanger_offset: float = 0.0
    flanger_sweep: float = 0.0
    lpf_cutoff: float = 1.0  # 1 = open
    lpf_sweep: float = 0.0
    lpf_resonance: float = 0.0
    hpf_cutoff: float = 0.0  # 0 = off
    hpf_sweep: float = 0.0
    gain: float = 0.5
    sample_rate: int = BASE_RATE

    def __post_init__(self) -> None:
        wave: object = self.wave  # JSON gives a plain string
        if not isinstance(wave, Wave):
            object.__setattr__(self, "wave", _wave(wave))
        for name, (lo, hi) in RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"Effect parameter {name} must be a number, not {value!r}.")
            if not (lo <= value <= hi) or math.isnan(value):
                raise InputError(f"Effect parameter {name}={value} is outside {lo}..{hi}.")
            object.__setattr__(self, name, float(value))
        if self.sample_rate not in SAMPLE_RATES:
            rates = ", ".join(str(r) for r in SAMPLE_RATES)
            raise InputError(f"Effect sample rate {self.sample_rate} is not one of {rates}.")

    @property
    def envelope_seconds(self) -> float:
        return (self.attack**2 + self.sustain**2 + self.decay**2) * ENV_UNIT_S

    def replace(self, **changes: Any) -> SfxParams:
        return dataclasses.replace(self, **changes)

    def with_duration(self, seconds: float) -> SfxParams:
        """The same sound stretched or squeezed so its envelope lasts ``seconds``."""
        seconds = min(MAX_SECONDS, max(0.01, seconds))
        current = self.envelope_seconds
        if current <= 0:
            return self.replace(sustain=min(1.0, math.sqrt(seconds / ENV_UNIT_S)))
        k = math.sqrt(seconds / current)
        stages = {n: getattr(self, n) * k for n in ("attack", "sustain", "decay")}
        if max(stages.values()) > 1.0:  # a stage hit its limit: hand the rest to the others
            stages = _fit_stages(stages, seconds)
        return self.replace(**stages)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["wave"] = self.wave.value
        return data

    def to_json(self) -> str:
        """Exact: Python's float repr round-trips, so from_json(to_json()) == self."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SfxParams:
        """Build from saved JSON values; unknown names or bad values raise InputError."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"Unknown effect parameter(s): {', '.join(unknown)}.")
        return cls(**dict(data))

    @classmethod
    def from_json(cls, text: str) -> SfxParams:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"The effect parameters are not valid JSON ({exc.msg}).") from exc
        if not isinstance(data, dict):
            raise InputError("The effect parameters must be a JSON object.")
        return cls.from_mapping(data)


def _wave(value: object) -> Wave:
    try:
        return Wave(str(value))
    except ValueError:
        names = ", ".join(w.value for w in Wave)
        raise InputError(f"Unknown wave {value!r}; use one of {names}.") from None


def _fit_stages(stages: dict[str, float], seconds: float) -> dict[str, float]:
    budget = seconds / ENV_UNIT_S  # in squared-parameter units
    fixed: dict[str, float] = {}
    for _ in range(3):
        free = {n: v for n, v in stages.items() if n not in fixed}
        free_sq = sum(v * v for v in free.values()) or 1.0
        scale = math.sqrt(max(0.0, budget - len(fixed)) / free_sq)
        stages = {**fixed, **{n: v * scale for n, v in free.items()}}
        over = {n for n, v in stages.items() if v > 1.0 and n not in fixed}
        if not over:
            break
        fixed.update({n: 1.0 for n in over})
    return {n: min(1.0, v) for n, v in stages.items()}


# -- rendering -----------------------------------------------------------------------------


def render(params: SfxParams, seed: int) -> npt.NDArray[np.float32]:
    """The effect's mono samples in -1..1 (float32) at ``params.sample_rate``."""
    p = params
    att, sus, dec = (int(v * v * 100_000) for v in (p.attack, p.sustain, p.decay))
    length = max(1, att + sus + dec)
    freq, duty, end = _pitch_tracks(p, length)
    length = max(1, end)
    freq, duty = freq[:length], duty[:length]
    n = np.arange(length, dtype=np.float64)
    tone = _oscillate(p.wave, freq, duty, seed)
    tone = _filter(tone, p, length)
    tone = _flange(tone, p, n)
    out = tone * _envelope(p, att, sus, dec, length) * p.gain
    factor = round(BASE_RATE / p.sample_rate)
    if factor > 1 and out.size >= factor:
        out = out[: out.size - out.size % factor].reshape(-1, factor).mean(axis=1)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > _HEADROOM:  # a resonant filter or punch can overshoot: scale, never clip
        out *= _HEADROOM / peak
    return out.astype(np.float32)


def _pitch_tracks(p: SfxParams, length: int) -> tuple[Floats, Floats, int]:
    """Frequency (Hz) and square duty per output sample, and where the sound ends (the
    frequency limit can end it before the envelope does)."""
    n = np.arange(length, dtype=np.float64)
    repeat = int((1.0 - p.retrigger) ** 2 * 20_000 + 32) if p.retrigger > 0 else 0
    local = np.mod(n, repeat) if repeat else n  # a retrigger restarts these tracks
    span = min(repeat, length) if repeat else length
    k = np.arange(span, dtype=np.float64)
    # The period grows by a slide factor per sample, and the factor itself drifts (delta
    # slide): in logs the pitch is a cumulative sum, which numpy does in one pass.
    step = 1.0 - p.freq_slide**3 * 0.01 + k * (-(p.freq_delta_slide**3) * 1e-6)
    log_period = np.concatenate(([0.0], np.cumsum(np.log(np.clip(step, 1e-3, 1e3)))[:-1]))
    base = _FREQ_SCALE * (p.base_freq**2 + 0.001)
    # A rising slide can run the exponent past float range (exp overflows to inf with a
    # RuntimeWarning); anything above e^50 is capped at 20 kHz below anyway, so cap it first.
    freq = base * np.exp(np.minimum(-log_period[local.astype(np.int64)], 50.0))
    if p.arp_mult != 0 and p.arp_speed < 1.0:
        delay = int((1.0 - p.arp_speed) ** 2 * 20_000 + 32)
        mult = 1.0 - p.arp_mult**2 * 0.9 if p.arp_mult >= 0 else 1.0 + p.arp_mult**2 * 10
        freq = np.where(local >= delay, freq / mult, freq)
    end = length
    if p.freq_limit > 0:
        below = np.nonzero(freq < _FREQ_SCALE * (p.freq_limit**2 + 0.001))[0]
        end = int(below[0]) if below.size else length
    if p.vibrato_depth > 0:
        phase = n * (p.vibrato_speed**2 * 0.01)
        freq = freq / (1.0 + np.sin(phase) * p.vibrato_depth * 0.5)
    duty = np.clip(0.5 - p.duty * 0.5 + local * (-p.duty_sweep * 0.00005), 0.0, 0.5)
    return np.minimum(freq, 20_000.0), duty, end


def _oscillate(wave: Wave, freq: Floats, duty: Floats, seed: int) -> Floats:
    """One output sample per input, each the mean of 8 supersamples of the raw wave."""
    fine = np.repeat(freq, SUPERSAMPLE) / (BASE_RATE * SUPERSAMPLE)  # cycles per supersample
    cycles = np.cumsum(fine)
    frac = cycles - np.floor(cycles)
    if wave is Wave.SQUARE:
        raw = np.where(frac < np.repeat(duty, SUPERSAMPLE), 1.0, -1.0)
    elif wave is Wave.SAW:
        raw = 1.0 - 2.0 * frac
    elif wave is Wave.SINE:
        raw = np.sin(2.0 * math.pi * cycles)
    else:
        # Noise: 32 random values per cycle, so the noise still follows the pitch.
        slots = np.floor(cycles * 32).astype(np.int64)
        table = np.random.default_rng(seed).uniform(-1.0, 1.0, int(slots[-1]) + 1)
        raw = table[slots]
    return np.asarray(raw.reshape(-1, SUPERSAMPLE).mean(axis=1), dtype=np.float64)


def _envelope(p: SfxParams, att: int, sus: int, dec: int, length: int) -> Floats:
    t = np.arange(length, dtype=np.float64)
    env = np.empty(length)
    a = t < att
    s = (t >= att) & (t < att + sus)
    d = t >= att + sus
    env[a] = t[a] / max(att, 1)
    env[s] = 1.0 + (1.0 - (t[s] - att) / max(sus, 1)) * 2.0 * p.punch
    env[d] = 1.0 - (t[d] - att - sus) / max(dec, 1)
    return np.clip(env, 0.0, None)


def _flange(x: Floats, p: SfxParams, n: Floats) -> Floats:
    if p.flanger_offset == 0 and p.flanger_sweep == 0:
        return x
    offset = math.copysign(p.flanger_offset**2 * 1020, p.flanger_offset)
    sweep = math.copysign(p.flanger_sweep**2, p.flanger_sweep)
    # The parameter model counts the delay in supersamples; here it is in output samples.
    delay = np.minimum(np.abs(offset + n * sweep) / SUPERSAMPLE, 127).astype(np.int64)
    source = n.astype(np.int64) - delay
    echo = np.where(source >= 0, x[np.clip(source, 0, None)], 0.0)
    return np.asarray(x + echo, dtype=np.float64)


_FRAME = 1024
_HOPS = 4  # frames overlap by three quarters
_HOP = _FRAME // _HOPS


def _filter(x: Floats, p: SfxParams, length: int) -> Floats:
    """Low-pass (with resonance) and high-pass, with swept cutoffs, as a spectral gain per
    short frame: zero-phase and vectorised (sfxr's own filter is a per-sample recursion)."""
    lowpass = p.lpf_cutoff < 1.0
    highpass = p.hpf_cutoff > 0.0
    if not (lowpass or highpass):
        return x
    count = -(-(length + _FRAME) // _HOP)  # frames covering the signal plus its padding
    pad = np.zeros((count + _HOPS) * _HOP)
    pad[_FRAME : _FRAME + length] = x
    starts = np.arange(count) * _HOP
    window = np.hanning(_FRAME + 1)[:-1]
    frames = pad[starts[:, None] + np.arange(_FRAME)] * window
    spectrum = np.fft.rfft(frames, axis=1)
    f = np.fft.rfftfreq(_FRAME, 1.0 / BASE_RATE)[None, :]
    t = ((starts + _FRAME / 2 - _FRAME) / BASE_RATE)[:, None]  # frame centre, seconds
    gain = np.ones(spectrum.shape)
    if lowpass:
        r = f / _cutoff(p.lpf_cutoff**3 * 0.1, 1.0 + p.lpf_sweep * 1e-4, t)
        q = 0.707 + p.lpf_resonance**2 * 8.0
        gain *= 1.0 / np.sqrt((1.0 - r**2) ** 2 + (r / q) ** 2)
    if highpass:
        r = f / _cutoff(p.hpf_cutoff**2 * 0.1, 1.0 + p.hpf_sweep * 3e-4, t)
        gain *= r**2 / np.sqrt((1.0 - r**2) ** 2 + (r / 0.707) ** 2)
    shaped = np.fft.irfft(spectrum * gain, n=_FRAME, axis=1) * window
    out = np.zeros(pad.size)
    norm = np.zeros(pad.size)
    square = window**2
    for j in range(_HOPS):  # frames j, j+4, j+8... do not overlap: add each set in one go
        rows = shaped[j::_HOPS]
        begin = j * _HOP
        out[begin : begin + rows.size] += rows.ravel()
        norm[begin : begin + rows.size] += np.tile(square, rows.shape[0])
    result = out / np.maximum(norm, 1e-9)
    return np.asarray(result[_FRAME : _FRAME + length], dtype=np.float64)


def _cutoff(coefficient: float, per_sample: float, t: Floats) -> Floats:
    """Cutoff in Hz from the model's one-pole coefficient (at the supersampled rate), swept by
    ``per_sample`` every 1/44100 s and kept in the model's 0.00001..0.1 range."""
    swept = np.clip(coefficient * np.power(per_sample, t * BASE_RATE), 1e-5, 0.1)
    hz = swept * BASE_RATE * SUPERSAMPLE / (2.0 * math.pi)
    return np.asarray(np.clip(hz, 20.0, BASE_RATE / 2), dtype=np.float64)
