"""A cast against the studio: each role's Voicing, checks that its providers and voices exist,
and the preflight of a run costed role by role at each provider's own price."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from audio_studio.core.errors import ConfigurationError, InputError, StudioError
from audio_studio.core.models import Capability
from audio_studio.core.narration.cast import Cast, Role
from audio_studio.core.narration.options import synthesis_format
from audio_studio.core.narration.synth import Voicing
from audio_studio.core.preflight import Preflight

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["check_cast", "costed", "role_voicing"]

log = logging.getLogger(__name__)


def role_voicing(ctx: StudioContext, role: Role) -> Voicing:
    """How ``role`` sounds: its provider, model (or the provider's default), voice and knobs.

    Raises:
        ConfigurationError: the role's provider is not one the studio knows.
    """
    info = ctx.registry.spec(role.provider).info
    settings = ctx.settings.provider(role.provider)
    return Voicing(
        provider=role.provider,
        model=role.model or info.default_models.get(Capability.SPEECH),
        voice=role.voice or settings.voice or info.default_voice,
        format=synthesis_format(info),
        speed=role.speed,
        instructions=role.instructions,
        voice_settings=role.settings,
        base_url=settings.base_url if info.base_url_configurable else None,
        voice_name=role.voice,
    )


async def check_cast(ctx: StudioContext, cast: Cast, *, where: str = "The cast") -> None:
    """Every role's provider exists and speaks, and its voice is one the provider has.

    A provider that cannot list its voices now (no key, no network) is not held against the
    cast: the first request will say what is wrong.

    Raises:
        InputError: a role names an unknown provider, one that does not speak, or a voice the
            provider does not have (the message names the role and what to use).
    """
    known = [s.info.id for s in ctx.registry.specs()]
    for role in cast:
        if role.provider not in known:
            raise InputError(
                f"{where}: {role.name}'s provider “{role.provider}” is not one the studio knows. "
                f"Use one of: {', '.join(known)}."
            )
        info = ctx.registry.spec(role.provider).info
        if Capability.SPEECH not in info.capabilities:
            raise InputError(f"{where}: {role.name}'s provider “{role.provider}” does not speak.")
        if not role.voice:
            continue
        try:
            provider = await ctx.provider(role.provider, Capability.SPEECH)
            voices = await provider.list_voices()
        except StudioError as exc:
            log.info("voices of %s not checked: %s", role.provider, exc.message)
            continue
        ids = {v.id.casefold() for v in voices} | {v.name.casefold() for v in voices}
        if voices and role.voice.casefold() not in ids:
            sample = ", ".join(v.id for v in voices[:8])
            raise InputError(
                f"{where}: {role.name}'s voice “{role.voice}” is not one {role.provider} has "
                f"(it has {sample}{', …' if len(voices) > 8 else ''})."
            )


async def costed(
    ctx: StudioContext, to_make: Iterable[tuple[Voicing, str]]
) -> tuple[Preflight, ...]:
    """One preflight per provider and model, each on the characters its roles will send."""
    chars: dict[tuple[str, str | None], int] = {}
    for voicing, text in to_make:
        key = (voicing.provider, voicing.model)
        chars[key] = chars.get(key, 0) + len(text)
    checks = await asyncio.gather(
        *(
            ctx.preflight(pid, Capability.SPEECH, model, characters=n)
            for (pid, model), n in chars.items()
        )
    )
    return tuple(checks)


def voicing_or_raise(ctx: StudioContext, role: Role) -> Voicing:
    """``role_voicing``, with an unknown provider said as bad input (it came from a file)."""
    try:
        return role_voicing(ctx, role)
    except ConfigurationError as exc:
        raise InputError(f"{role.name}: {exc.message}") from exc
