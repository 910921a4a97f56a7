"""Effect recipes (pickup, laser, explosion…), mutate and randomise, all seeded and lock-aware.

Each preset is a recipe that draws its parameters from ranges with ``random.Random(seed)``,
whose sequence for an integer seed is stable across Python versions, so a preset name and a
seed always give the same parameters. ``locked`` names keep their value from ``base``: that is
how the Sound tab's parameter locks survive Randomise and Mutate.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterable

from audio_studio.core.errors import InputError
from audio_studio.core.providers.local.sfxr import RANGES, SfxParams, Wave

__all__ = [
    "PRESETS",
    "PRESET_ALIASES",
    "make_preset",
    "mutate",
    "preset_for_prompt",
    "preset_name",
    "randomize",
]

Recipe = Callable[[random.Random], dict[str, object]]


def _pickup(r: random.Random) -> dict[str, object]:
    params: dict[str, object] = {
        "wave": r.choice((Wave.SQUARE, Wave.SAW)),
        "base_freq": r.uniform(0.45, 0.85),
        "sustain": r.uniform(0.0, 0.1),
        "decay": r.uniform(0.1, 0.5),
        "punch": r.uniform(0.3, 0.6),
    }
    if r.random() < 0.5:
        params.update(arp_speed=r.uniform(0.5, 0.7), arp_mult=r.uniform(0.2, 0.6))
    return params


def _laser(r: random.Random) -> dict[str, object]:
    base = r.uniform(0.5, 1.0)
    params: dict[str, object] = {
        "wave": r.choice((Wave.SQUARE, Wave.SQUARE, Wave.SAW, Wave.SINE)),
        "base_freq": base,
        "freq_limit": max(0.2, base - r.uniform(0.2, 0.6)),
        "freq_slide": -r.uniform(0.15, 0.35),
        "sustain": r.uniform(0.1, 0.3),
        "decay": r.uniform(0.0, 0.4),
        "punch": r.uniform(0.0, 0.3) if r.random() < 0.5 else 0.0,
        "duty": r.uniform(0.0, 0.5),
        "duty_sweep": r.uniform(0.0, 0.2),
    }
    if r.random() < 0.33:
        params.update(flanger_offset=r.uniform(0.0, 0.2), flanger_sweep=-r.uniform(0.0, 0.2))
    if r.random() < 0.5:
        params["hpf_cutoff"] = r.uniform(0.0, 0.3)
    return params


def _explosion(r: random.Random) -> dict[str, object]:
    params: dict[str, object] = {
        "wave": Wave.NOISE,
        "base_freq": r.uniform(0.08, 0.35),
        "freq_slide": r.uniform(-0.1, 0.1) if r.random() < 0.5 else r.uniform(-0.35, -0.2),
        "sustain": r.uniform(0.2, 0.5),
        "decay": r.uniform(0.5, 0.85),
        "punch": r.uniform(0.2, 0.8),
        "lpf_cutoff": r.uniform(0.4, 0.9),
        "lpf_resonance": r.uniform(0.0, 0.3),
    }
    if r.random() < 0.5:
        params.update(flanger_offset=r.uniform(-0.3, 0.6), flanger_sweep=-r.uniform(0.0, 0.3))
    if r.random() < 0.33:
        params["retrigger"] = r.uniform(0.3, 0.8)
    return params


def _powerup(r: random.Random) -> dict[str, object]:
    params: dict[str, object] = {
        "wave": r.choice((Wave.SQUARE, Wave.SAW, Wave.SINE)),
        "duty": r.uniform(0.0, 0.6),
        "base_freq": r.uniform(0.25, 0.45),
        "sustain": r.uniform(0.3, 0.55),
        "decay": r.uniform(0.3, 0.6),
    }
    if r.random() < 0.5:
        params.update(freq_slide=r.uniform(0.1, 0.3), retrigger=r.uniform(0.4, 0.8))
    else:
        params.update(
            freq_slide=r.uniform(0.05, 0.2),
            vibrato_depth=r.uniform(0.0, 0.7),
            vibrato_speed=r.uniform(0.0, 0.6),
        )
    return params


def _hit(r: random.Random) -> dict[str, object]:
    wave = r.choice((Wave.SQUARE, Wave.SAW, Wave.NOISE))
    params: dict[str, object] = {
        "wave": wave,
        "base_freq": r.uniform(0.2, 0.8),
        "freq_slide": -r.uniform(0.3, 0.6),
        "sustain": r.uniform(0.0, 0.1),
        "decay": r.uniform(0.1, 0.3),
        "duty": r.uniform(0.0, 0.6) if wave is Wave.SQUARE else 0.0,
    }
    if r.random() < 0.5:
        params["hpf_cutoff"] = r.uniform(0.0, 0.3)
    return params


def _jump(r: random.Random) -> dict[str, object]:
    params: dict[str, object] = {
        "wave": Wave.SQUARE,
        "duty": r.uniform(0.0, 0.6),
        "base_freq": r.uniform(0.3, 0.6),
        "freq_slide": r.uniform(0.1, 0.3),
        "sustain": r.uniform(0.1, 0.4),
        "decay": r.uniform(0.1, 0.3),
    }
    if r.random() < 0.5:
        params["hpf_cutoff"] = r.uniform(0.0, 0.3)
    if r.random() < 0.5:
        params["lpf_cutoff"] = r.uniform(0.4, 1.0)
    return params


def _blip(r: random.Random) -> dict[str, object]:
    wave = r.choice((Wave.SQUARE, Wave.SAW))
    return {
        "wave": wave,
        "duty": r.uniform(0.0, 0.6) if wave is Wave.SQUARE else 0.0,
        "base_freq": r.uniform(0.2, 0.6),
        "sustain": r.uniform(0.1, 0.2),
        "decay": r.uniform(0.0, 0.2),
        "hpf_cutoff": 0.1,
    }


def _random(r: random.Random) -> dict[str, object]:
    params: dict[str, object] = {"wave": r.choice(tuple(Wave))}
    for name, (lo, hi) in RANGES.items():
        params[name] = r.uniform(lo, hi)
    # A few shapes keep "random" listenable: curved slides, an audible length, mostly open
    # filters and little high-pass, as bfxr's randomiser does.
    params["base_freq"] = r.uniform(0.0, 1.0) ** 2 * 0.8 + 0.1
    params["freq_slide"] = r.uniform(-1.0, 1.0) ** 5
    params["freq_delta_slide"] = r.uniform(-1.0, 1.0) ** 3
    params["freq_limit"] = 0.0
    params["sustain"] = r.uniform(0.2, 0.8)
    params["attack"] = r.uniform(0.0, 1.0) ** 3
    params["decay"] = r.uniform(0.1, 0.8)
    params["lpf_cutoff"] = 1.0 - r.uniform(0.0, 1.0) ** 3
    params["hpf_cutoff"] = r.uniform(0.0, 1.0) ** 5
    params["retrigger"] = r.uniform(0.0, 1.0) if r.random() < 0.3 else 0.0
    params["gain"] = 0.5
    return params


PRESETS: dict[str, Recipe] = {
    "pickup": _pickup,
    "laser": _laser,
    "explosion": _explosion,
    "powerup": _powerup,
    "hit": _hit,
    "jump": _jump,
    "blip": _blip,
    "random": _random,
}
PRESET_ALIASES = {
    "coin": "pickup",
    "shoot": "laser",
    "power-up": "powerup",
    "hurt": "hit",
    "select": "blip",
}
# Words in a prompt that point to a preset, for prompts given to the offline engine.
_PROMPT_WORDS = {
    "pickup": ("coin", "pickup", "pick", "collect", "gem", "ring", "point", "score"),
    "laser": ("laser", "shoot", "shot", "zap", "blaster", "pew", "gun", "beam", "phaser"),
    "explosion": ("explosion", "explode", "boom", "blast", "bomb", "crash", "thunder"),
    "powerup": ("powerup", "power", "level", "upgrade", "bonus", "heal"),
    "hit": ("hit", "hurt", "damage", "punch", "impact", "ouch", "thud"),
    "jump": ("jump", "hop", "bounce", "spring", "leap"),
    "blip": ("blip", "select", "menu", "click", "beep", "ui", "button", "cursor"),
}


def preset_name(name: str) -> str:
    """The canonical preset name for ``name`` or one of its aliases.

    Raises:
        InputError: not a preset; the message lists them.
    """
    key = name.strip().lower().replace("_", "-")
    key = PRESET_ALIASES.get(key, key).replace("-", "")
    if key not in PRESETS:
        names = ", ".join([*PRESETS, *PRESET_ALIASES])
        raise InputError(f"There is no effect preset called {name!r}. Presets: {names}.")
    return key


def preset_for_prompt(prompt: str) -> str | None:
    """The preset a short prompt asks for ("laser zap" -> laser), or None."""
    words = [w.strip(".,!?;:'\"()").lower() for w in prompt.replace("-", " ").split()]
    for name, keys in _PROMPT_WORDS.items():
        if any(w in keys for w in words):
            return name
    return None


def make_preset(
    name: str,
    seed: int,
    *,
    locked: Iterable[str] = (),
    base: SfxParams | None = None,
) -> SfxParams:
    """A preset's parameters for ``seed``; ``locked`` names keep their value from ``base``."""
    key = preset_name(name)
    r = random.Random(seed)
    params = _with_locks(SfxParams.from_mapping(_clamped(PRESETS[key](r))), locked, base)
    # About one random draw in twenty closes its own filters (a low low-pass under a rising
    # high-pass) and is next to silent: an unplayable tile. Draw again from the same stream,
    # so a seed still always gives the same sound. Presets are shaped to be audible already.
    for _ in range(_REDRAWS if key == "random" else 0):
        if _audible(params, seed):
            break
        params = _with_locks(SfxParams.from_mapping(_clamped(PRESETS[key](r))), locked, base)
    return params


_REDRAWS = 8
_AUDIBLE_PEAK = 10 ** (-30 / 20)  # -30 dBFS


def _audible(params: SfxParams, seed: int) -> bool:
    from audio_studio.core.providers.local.sfxr import render

    if params.gain < 0.1:
        return True  # a gain locked that low is what the user asked for
    samples = render(params, seed)
    return samples.size > 0 and float(abs(samples).max()) >= _AUDIBLE_PEAK


def randomize(seed: int, *, locked: Iterable[str] = (), base: SfxParams | None = None) -> SfxParams:
    return make_preset("random", seed, locked=locked, base=base)


def mutate(
    params: SfxParams, seed: int, *, locked: Iterable[str] = (), amount: float = 0.05
) -> SfxParams:
    """Small random nudges to about half of the unlocked numbers; the wave never changes."""
    r = random.Random(seed)
    frozen = _check_names(locked)
    changes: dict[str, object] = {}
    for name, (lo, hi) in RANGES.items():
        # Both draws happen for every name, so locking one never changes how others move.
        nudge = r.uniform(-amount, amount) * (hi - lo)
        skip = r.random() < 0.5
        if skip or name in frozen:
            continue
        changes[name] = min(hi, max(lo, getattr(params, name) + nudge))
    return params.replace(**changes)


def _with_locks(params: SfxParams, locked: Iterable[str], base: SfxParams | None) -> SfxParams:
    names = _check_names(locked)
    if not names or base is None:
        return params
    return params.replace(**{n: getattr(base, n) for n in names})


def _check_names(locked: Iterable[str]) -> frozenset[str]:
    names = frozenset(locked)
    known = {f.name for f in dataclasses.fields(SfxParams)}
    unknown = sorted(names - known)
    if unknown:
        raise InputError(f"Cannot lock unknown effect parameter(s): {', '.join(unknown)}.")
    return names


def _clamped(values: dict[str, object]) -> dict[str, object]:
    out = dict(values)
    for name, (lo, hi) in RANGES.items():
        value = out.get(name)
        if isinstance(value, float):
            out[name] = min(hi, max(lo, value))
    return out
