"""Sound effects as a designer works: variations in parallel, "more like this", star and reject.

A batch asks one provider for 1–8 variations at once (bounded by the provider's limit) and
reports each one as it lands, so a grid fills in tile by tile. Every variation is its own
History row with its cost; the first to land heads the group and the others hang off it
(``parent_id``), so History shows one entry per batch. For the offline engine each variation's
parameters are drawn here (preset recipe, randomise or mutate, honouring parameter locks) and
the exact recipe is kept, so any tile renders again bit for bit.

Runs on the event loop; SQLite and rendering go through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import InputError, InvalidRequestError, StudioError
from audio_studio.core.models import Capability, SfxRequest, frozen_mapping
from audio_studio.core.sound.effects import SfxOutcome, generate_sfx
from audio_studio.core.store.history import HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.audio.analysis import AudioStats
    from audio_studio.core.audio.waveform import PeakSummary
    from audio_studio.core.context import StudioContext
    from audio_studio.core.preflight import Preflight
    from audio_studio.core.providers.local.sfxr import SfxParams

__all__ = [
    "MAX_VARIATIONS",
    "REJECTED_TAG",
    "EffectSpec",
    "Measured",
    "Variation",
    "VariationFn",
    "batch_preflight",
    "cost_line",
    "generate_variations",
    "is_procedural",
    "measure",
    "more_like_this",
    "seam_line",
    "set_rejected",
    "set_starred",
    "sfxr_params",
    "spec_from_item",
    "stats_line",
    "validate",
]

log = logging.getLogger(__name__)

MAX_VARIATIONS = 8
REJECTED_TAG = "rejected"
SFXR_MODEL = "sfxr"


@dataclass(frozen=True)
class EffectSpec:
    """One batch of variations, as the Effects page or the CLI asks for it.

    Args:
        request: prompt, preset, duration, prompt influence, loop, model, format.
        count: how many variations (1–8).
        provider_id: None = the Settings' effects provider.
        locked: offline engine: parameter names that keep their value from ``base``.
        base: offline engine: the parameters the locks take their values from (the panel).
        mutate_from: offline engine: nudge these parameters instead of drawing new ones.
        first_seed: the first variation's seed (the others count up); None = random.
        parent_id: hang the variations off this History row instead of grouping them anew.
        derived_from: the History row this batch is "more like" (kept in each row's params).
        exact: offline engine: render ``base`` as it is (the panel's "Render"), seeds aside.
    """

    request: SfxRequest
    count: int = 6
    provider_id: str | None = None
    locked: frozenset[str] = frozenset()
    base: Mapping[str, Any] | None = None
    mutate_from: Mapping[str, Any] | None = None
    first_seed: int | None = None
    parent_id: int | None = None
    derived_from: int | None = None
    exact: bool = False


@dataclass(frozen=True)
class Variation:
    """One variation of a batch: its outcome, or the error that stopped it (shown on its tile)."""

    index: int  # 0-based place in the batch
    seed: int | None  # the offline engine's seed; None in the cloud (no provider takes one)
    outcome: SfxOutcome | None = None
    error: StudioError | None = None
    params: Mapping[str, Any] = field(default_factory=frozen_mapping)  # sfxr values, offline

    @property
    def ok(self) -> bool:
        return self.outcome is not None


VariationFn = Callable[[Variation], None]


def is_procedural(ctx: StudioContext, provider_id: str) -> bool:
    """Whether ``provider_id`` makes effects with the offline sfxr engine (presets, locks)."""
    info = ctx.registry.spec(provider_id).info
    return info.default_models.get(Capability.SFX) == SFXR_MODEL


def sfxr_params(values: Mapping[str, Any]) -> SfxParams:
    """SfxParams from a whole recipe (``{"engine": "sfxr", "sfxr": {...}}``) or bare values.

    Raises:
        InputError: an unknown name or a value out of range.
    """
    from audio_studio.core.providers.local.sfxr import SfxParams

    inner = values.get("sfxr", values)
    if not isinstance(inner, Mapping):
        raise InputError("The effect parameters are not a table of values.")
    return SfxParams.from_mapping(inner)


def _provider_id(ctx: StudioContext, spec: EffectSpec) -> str:
    return spec.provider_id or ctx.settings.sfx_provider or "local"


def _seconds(spec: EffectSpec) -> float | None:
    return None if spec.request.duration_s is None else spec.request.duration_s * spec.count


def cost_line(check: Preflight) -> str:
    """What the tabs show before Generate: the estimate, the month's spend, any warning."""
    if check.blocked:
        return check.blocked
    warning = f" — {check.warning}" if check.warning else ""
    text = check.text()
    text = text.capitalize() if text.startswith("cost") else f"Cost: {text}"
    return f"{text}{warning}"


async def batch_preflight(ctx: StudioContext, spec: EffectSpec) -> Preflight:
    """The cost of the whole batch and the budget's verdict, before any call is made."""
    pid = _provider_id(ctx, spec)
    return await ctx.preflight(pid, Capability.SFX, spec.request.model, seconds=_seconds(spec))


async def validate(ctx: StudioContext, spec: EffectSpec) -> bool:
    """Check a batch before anything is made; returns whether it is for the offline engine.

    Raises:
        InputError / InvalidRequestError: a bad count, an empty prompt for a cloud provider, a
            prompt the offline engine cannot read, bad parameters.
        ConfigurationError / MissingApiKeyError: no such provider, not installed, no key.
    """
    pid = _provider_id(ctx, spec)
    procedural = is_procedural(ctx, pid)
    if not 1 <= spec.count <= MAX_VARIATIONS:
        raise InputError(f"Ask for 1 to {MAX_VARIATIONS} variations.")
    if not procedural and not spec.request.prompt.strip():
        raise InputError("Describe the sound to generate, e.g. “heavy wooden door slam”.")
    if procedural and spec.mutate_from is None and not spec.exact:
        _preset_for(spec)
    for values in (spec.base, spec.mutate_from):
        if procedural and values is not None:
            sfxr_params(values)
    await ctx.provider(pid, Capability.SFX)  # no key or not installed: say so once
    return procedural


def _preset_for(spec: EffectSpec) -> str:
    from audio_studio.core.providers.local.sfxr_presets import (
        PRESETS,
        preset_for_prompt,
        preset_name,
    )

    if spec.request.preset:
        return preset_name(spec.request.preset)
    prompt = spec.request.prompt.strip()
    if not prompt:
        return "random"
    found = preset_for_prompt(prompt)
    if found is None:
        raise InvalidRequestError(
            f"The offline effects engine makes retro game sounds from presets and does not "
            f"understand {prompt[:60]!r}. Choose a preset ({', '.join(PRESETS)}) or a provider "
            "that takes descriptions.",
            provider="local",
        )
    return found


def _procedural_params(spec: EffectSpec, preset: str, seed: int) -> SfxParams:
    """One variation's parameters: a mutation of ``mutate_from``, or the preset's draw."""
    from audio_studio.core.providers.local.sfxr_presets import make_preset, mutate

    if spec.mutate_from is not None:
        return mutate(sfxr_params(spec.mutate_from), seed, locked=spec.locked)
    base = sfxr_params(spec.base) if spec.base is not None else None
    if spec.exact and base is not None:
        return base
    params = make_preset(preset, seed, locked=spec.locked, base=base)
    if base is not None and "sample_rate" not in spec.locked:
        params = params.replace(sample_rate=base.sample_rate)  # resolution, not the sound
    return params


def _plan(spec: EffectSpec, procedural: bool, seed0: int) -> list[tuple[int | None, SfxRequest]]:
    """Every variation's seed and request; the offline ones carry their exact parameters.

    Cloud effects get no seed: no cloud effects API takes one, and a number the provider never
    received must not appear in History, pack.json or file names as if it meant something.
    """
    plans: list[tuple[int | None, SfxRequest]] = []
    # Mutations keep their source's preset name (for pack names); fresh draws resolve one.
    mutating = spec.mutate_from is not None or spec.exact
    preset = spec.request.preset if mutating or not procedural else _preset_for(spec)
    for i in range(spec.count):
        seed = seed0 + i
        if procedural:
            params = _procedural_params(spec, preset or "random", seed)
            request = dataclasses.replace(
                spec.request, params=frozen_mapping(params.to_dict()), seed=seed, preset=preset
            )
            plans.append((seed, request))
        else:
            plans.append((None, dataclasses.replace(spec.request, seed=None)))
    return plans


async def generate_variations(
    ctx: StudioContext, spec: EffectSpec, *, on_variation: VariationFn | None = None
) -> list[Variation]:
    """Make ``spec.count`` variations in parallel; ``on_variation`` hears each as it lands.

    A variation that fails (a refused prompt, a timeout) is reported with its error and the
    others go on. Cancelling stops them all; what landed is in History.

    Raises:
        InputError: a bad count, an empty prompt for a cloud provider, bad parameters.
        ConfigurationError / BudgetExceededError: no such provider, no key, over budget.
    """
    pid = _provider_id(ctx, spec)
    procedural = await validate(ctx, spec)
    check = await batch_preflight(ctx, spec)
    check.raise_if_blocked()
    seed0 = spec.first_seed if spec.first_seed is not None else secrets.randbelow(2**31 - 16)
    # Off the loop: a random draw may render itself once to check it is audible (~25 ms).
    plans = await asyncio.to_thread(_plan, spec, procedural, seed0)
    info = ctx.registry.spec(pid).info
    limit = min(spec.count, info.limits.max_concurrency, ctx.settings.provider(pid).max_concurrency)
    gate = asyncio.Semaphore(max(1, limit))
    head = _BatchHead(spec.parent_id)
    landed: list[Variation] = []

    async def one(index: int, seed: int | None, request: SfxRequest) -> None:
        extra: dict[str, Any] = {"variation": index + 1}
        if spec.derived_from is not None:
            extra["derived_from"] = spec.derived_from
        async with gate:
            try:
                outcome = await generate_sfx(
                    ctx, request, provider_id=pid, parent_id=spec.parent_id, extra_params=extra
                )
            except StudioError as exc:
                log.info("variation %d of %d failed: %s", index + 1, spec.count, exc.message)
                variation = Variation(index, seed, error=exc, params=request.params)
            else:
                outcome = await head.join(ctx, outcome, index)
                variation = Variation(index, seed, outcome=outcome, params=request.params)
        landed.append(variation)
        if on_variation is not None:
            on_variation(variation)

    async with asyncio.TaskGroup() as group:
        for index, (seed, request) in enumerate(plans):
            group.create_task(one(index, seed, request))
    return sorted(landed, key=lambda v: v.index)


class _BatchHead:
    """Which row stands for a batch in History: its lowest-numbered variation that landed (a
    given parent, for "more like this", stays the head). Variations land in any order, so when
    a lower one lands after others, the batch moves under it."""

    def __init__(self, parent_id: int | None) -> None:
        self.fixed = parent_id is not None
        self.id = parent_id
        self.index: int | None = None
        self.members: list[int] = []
        self._lock = asyncio.Lock()

    async def join(self, ctx: StudioContext, outcome: SfxOutcome, index: int) -> SfxOutcome:
        item = outcome.item
        async with self._lock:  # one re-parenting at a time, in the order they land
            if self.fixed:
                return outcome
            if self.id is None or self.index is None or index < self.index:
                old, self.id, self.index = self.id, item.id, index
                moved = ([old] if old is not None else []) + self.members
                self.members = moved
                if moved:
                    await asyncio.to_thread(_reparent, ctx, moved, item.id)
                return outcome
            self.members.append(item.id)
            await asyncio.to_thread(ctx.history.update, item.id, parent_id=self.id)
            return dataclasses.replace(outcome, item=dataclasses.replace(item, parent_id=self.id))


def _reparent(ctx: StudioContext, ids: list[int], head: int) -> None:
    """Blocking (SQLite): the batch's rows go under its new head."""
    for member in ids:
        ctx.history.update(member, parent_id=head)


# -- from History ---------------------------------------------------------------------------


def spec_from_item(item: HistoryItem, *, count: int = 1) -> EffectSpec:
    """The batch that made ``item`` (its prompt, settings and, offline, its exact recipe)."""
    p = item.params
    duration = p.get("duration_requested_s")
    influence = p.get("prompt_influence")
    request = SfxRequest(
        prompt=item.prompt,
        duration_s=float(duration) if isinstance(duration, int | float) else None,
        prompt_influence=float(influence) if isinstance(influence, int | float) else None,
        loop=bool(p.get("loop", False)),
        preset=str(p["preset"]) if p.get("preset") else None,
        model=item.model if item.model and item.model != SFXR_MODEL else None,
    )
    seed = p.get("seed")
    return EffectSpec(
        request=request,
        count=count,
        provider_id=item.provider,
        base=dict(p["sfxr"]) if isinstance(p.get("sfxr"), Mapping) else None,
        first_seed=int(seed) if isinstance(seed, int) else None,
    )


def more_like_this(
    item: HistoryItem, *, count: int = 6, locked: frozenset[str] = frozenset()
) -> EffectSpec:
    """Variations close to ``item``: offline, mutations of its recipe (locks kept); in the
    cloud, the same prompt and settings asked again (the provider varies its answer itself).
    They join ``item``'s group."""
    spec = spec_from_item(item, count=count)
    procedural = spec.base is not None
    return dataclasses.replace(
        spec,
        locked=locked,
        mutate_from=spec.base if procedural else None,
        first_seed=None,
        parent_id=item.parent_id or item.id,
        derived_from=item.id,
    )


# -- judging tiles -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Measured:
    """What a tile shows about its audio: the numbers and the waveform."""

    stats: AudioStats
    summary: PeakSummary


def measure(path: Path) -> Measured:
    """Duration, peak, LUFS, clipping and loop seam, and the waveform, in one decode. Blocking.

    Raises:
        UnsupportedFormatError: not audio the studio reads.
    """
    from audio_studio.core.audio.analysis import analyze
    from audio_studio.core.audio.codec import decode
    from audio_studio.core.audio.waveform import summarize

    audio = decode(path)
    return Measured(analyze(audio), summarize(audio))


def stats_line(stats: AudioStats) -> str:
    """A tile's numbers: "0.84 s · peak −1.2 dBFS · −14.3 LUFS · no clipping".

    Integrated loudness needs 0.4 s of audio; shorter sounds show "— LUFS".
    """
    peak = "silent" if stats.is_silent else f"peak {stats.peak_dbfs:.1f} dBFS"
    lufs = f"{stats.lufs:.1f} LUFS" if stats.lufs is not None else "— LUFS"
    clip = f"{stats.clipped_samples} clipped" if stats.clipped_samples else "no clipping"
    return f"{stats.duration_s:.2f} s · {peak} · {lufs} · {clip}".replace("-", "−")


def seam_line(stats: AudioStats) -> str:
    """How the end joins the start when the sound loops."""
    if stats.loop_click:
        return f"Loop seam: clicks ({stats.seam_jump:.2f})"
    return "Loop seam: smooth"


async def set_starred(ctx: StudioContext, item_id: int, starred: bool) -> None:
    await asyncio.to_thread(ctx.history.update, item_id, starred=starred)


async def set_rejected(ctx: StudioContext, item: HistoryItem, rejected: bool) -> HistoryItem:
    """Tag (or untag) an effect as rejected: it stays in History, dimmed, never exported."""
    tags = [t for t in item.tags if t != REJECTED_TAG]
    if rejected:
        tags.append(REJECTED_TAG)
    await asyncio.to_thread(
        ctx.history.update, item.id, tags=tags, **({"starred": False} if rejected else {})
    )
    return dataclasses.replace(item, tags=tuple(tags), starred=False if rejected else item.starred)
