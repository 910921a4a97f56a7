"""SoundService: what the Sound tab's Effects page and the CLI call for sound effects.

effects.py makes one effect into History, variations.py makes 1–8 of them in parallel and judges
them, pack.py exports the starred ones. Music is its own service (music.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from audio_studio.core.models import AudioResult, SfxRequest
from audio_studio.core.preflight import Preflight
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.sound import effects, pack, variations
from audio_studio.core.sound.effects import SfxOutcome
from audio_studio.core.sound.pack import PackOptions, PackResult
from audio_studio.core.sound.variations import EffectSpec, Variation, VariationFn
from audio_studio.core.store.history import HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["SoundService"]


class SoundService:
    """Sound effects: one or many, judged (stars, rejects), exported as packs."""

    def __init__(self, ctx: StudioContext) -> None:
        self.ctx = ctx

    async def generate(
        self,
        request: SfxRequest,
        *,
        provider_id: str | None = None,
        progress: ProgressFn | None = None,
        parent_id: int | None = None,
        extra_params: Mapping[str, Any] | None = None,
    ) -> SfxOutcome:
        """One effect into History (``parent_id`` groups variations)."""
        return await effects.generate_sfx(
            self.ctx,
            request,
            provider_id=provider_id,
            progress=progress,
            parent_id=parent_id,
            extra_params=extra_params,
        )

    async def render_again(self, item: HistoryItem) -> AudioResult:
        """A procedural effect rendered again from its row (the same bytes)."""
        return await effects.regenerate(self.ctx, item)

    async def variations(
        self, spec: EffectSpec, *, on_variation: VariationFn | None = None
    ) -> list[Variation]:
        """1–8 variations in parallel, each reported as it lands (variations.py)."""
        return await variations.generate_variations(self.ctx, spec, on_variation=on_variation)

    def is_procedural(self, provider_id: str) -> bool:
        """Whether the provider is the offline engine (its sounds have editable parameters)."""
        return variations.is_procedural(self.ctx, provider_id)

    async def validate(self, spec: EffectSpec) -> bool:
        """Say what is wrong with ``spec`` before any call (InputError); see variations.py."""
        return await variations.validate(self.ctx, spec)

    async def preflight(self, spec: EffectSpec) -> Preflight:
        """The cost and budget verdict of the whole batch."""
        return await variations.batch_preflight(self.ctx, spec)

    async def set_starred(self, item_id: int, starred: bool) -> None:
        await variations.set_starred(self.ctx, item_id, starred)

    async def set_rejected(self, item: HistoryItem, rejected: bool) -> HistoryItem:
        return await variations.set_rejected(self.ctx, item, rejected)

    async def export_pack(
        self,
        items: Sequence[HistoryItem],
        options: PackOptions,
        *,
        progress: ProgressFn | None = None,
    ) -> PackResult:
        """Starred effects as a folder or zip plus a JSON sidecar (pack.py)."""
        return await pack.export_pack(items, options, progress=progress)
