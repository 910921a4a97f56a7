"""Sound effects: any effects provider → stored audio + a History row whose params remake it.

For the offline engine the row's params hold the whole recipe (``engine``, ``version``,
``seed``, ``sfxr`` parameters), so ``regenerate`` gives the same bytes again.
Runs on the event loop; hashing and SQLite go through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import InputError
from audio_studio.core.models import AudioFormat, AudioResult, Capability, HistoryKind, SfxRequest
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["SfxOutcome", "generate_sfx", "regenerate"]


@dataclass(frozen=True)
class SfxOutcome:
    item: HistoryItem
    path: Path
    result: AudioResult


async def generate_sfx(
    ctx: StudioContext,
    request: SfxRequest,
    *,
    provider_id: str | None = None,
    progress: ProgressFn | None = None,
    parent_id: int | None = None,
    extra_params: Mapping[str, Any] | None = None,
) -> SfxOutcome:
    """Make one effect and keep it in History (``parent_id`` groups variations).

    ``extra_params`` are kept with the row's params (a variation's number, the tile it was
    derived from...); the provider never sees them.

    Raises:
        StudioError: what the provider or storage reports.
    """
    pid = provider_id or ctx.settings.sfx_provider or "local"
    provider = await ctx.provider(pid, Capability.SFX)
    check = await ctx.preflight(pid, Capability.SFX, request.model, seconds=request.duration_s)
    check.raise_if_blocked()
    result: AudioResult = await provider.generate_sfx(request)
    stored = await asyncio.to_thread(ctx.files.put_bytes, result.data, result.format.extension)
    params: dict[str, Any] = {**dict(result.params), "format": result.format.value}
    if request.duration_s is not None:
        params["duration_requested_s"] = request.duration_s
    if request.loop:
        params["loop"] = True
    if request.prompt_influence is not None:
        params.setdefault("prompt_influence", request.prompt_influence)
    params.update(extra_params or {})
    title = request.preset or request.prompt.strip() or str(params.get("preset") or "Effect")
    entry = HistoryEntry(
        kind=HistoryKind.SFX,
        title=title[:60],
        provider=pid,
        model=result.model or request.model,
        params=params,
        prompt=request.prompt,
        duration_s=result.duration_s,
        usage=check.usage(result.usage),
        latency=result.latency,
        files=(
            FileRecord.of("audio", stored, result.duration_s, result.sample_rate, result.channels),
        ),
        parent_id=parent_id,
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    item = await asyncio.to_thread(ctx.history.get, item_id)
    assert item is not None
    if progress:
        progress(1.0, "Done")
    return SfxOutcome(item=item, path=stored.path, result=result)


async def regenerate(ctx: StudioContext, item: HistoryItem) -> AudioResult:
    """Render a procedural effect again from its History row (same bytes as the original).

    Raises:
        InputError: the row was not made by the offline effects engine.
    """
    params = dict(item.params)
    if params.get("engine") != "sfxr" or "sfxr" not in params:
        raise InputError("Only effects made by the offline engine can be regenerated exactly.")
    fmt = AudioFormat(str(params.get("format", AudioFormat.WAV.value)))
    provider = await ctx.provider(item.provider or "local", Capability.SFX)
    request = SfxRequest(params=params, seed=int(params["seed"]), format=fmt)
    result: AudioResult = await provider.generate_sfx(replace(request, preset=params.get("preset")))
    return result
