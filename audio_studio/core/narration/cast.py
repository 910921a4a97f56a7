"""A narration's cast: named roles, each with its own provider, model, voice and settings.

A cast file is TOML with one table per role (``[Alice]`` ``provider = "openai"``
``voice = "nova"``, plus ``model``, ``speed``, ``instructions`` and a ``[Alice.settings]``
table of voice settings). The role called Narrator (any case) speaks everything the script
does not give to another role; a cast without one leaves the narrator to the project's voice.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import tomli_w

from audio_studio.core.errors import InputError
from audio_studio.core.models import frozen_mapping

__all__ = ["NARRATOR", "Cast", "Role", "role_colour"]

NARRATOR = "Narrator"
_KEYS = frozenset({"provider", "model", "voice", "speed", "instructions", "settings"})
# Colours the table and the cast panel give roles, in cast order (readable on light and dark).
_COLOURS = ("#5b8def", "#e0703c", "#3fa66b", "#b55fc9", "#c9a23a", "#d0527f", "#3aa6b5")


def role_colour(index: int) -> str:
    """The colour of the role at ``index`` in its cast (the narrator is 0)."""
    return _COLOURS[index % len(_COLOURS)]


@dataclass(frozen=True)
class Role:
    """One voice of the cast."""

    name: str
    provider: str
    model: str | None = None
    voice: str | None = None
    speed: float = 1.0
    instructions: str | None = None
    settings: Mapping[str, Any] = field(default_factory=frozen_mapping)

    @property
    def is_narrator(self) -> bool:
        return self.name.casefold() == NARRATOR.casefold()

    def signature(self) -> str:
        """A short hash of what makes this role sound as it does (a take made with another
        signature is stale once the role is recast)."""
        description = {
            "provider": self.provider,
            "model": self.model or "",
            "voice": self.voice or "",
            "speed": round(float(self.speed), 4),
            "instructions": (self.instructions or "").strip(),
            "settings": {str(k): self.settings[k] for k in sorted(self.settings)},
        }
        canonical = json.dumps(description, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def label(self) -> str:
        """E.g. "openai · nova" for the cast panel and messages."""
        return " · ".join(p for p in (self.provider, self.voice or self.model) if p)

    def to_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {"provider": self.provider}
        if self.model:
            table["model"] = self.model
        if self.voice:
            table["voice"] = self.voice
        if self.speed != 1.0:
            table["speed"] = self.speed
        if self.instructions:
            table["instructions"] = self.instructions
        if self.settings:
            table["settings"] = dict(self.settings)
        return table

    @classmethod
    def from_table(cls, name: str, table: Any, *, where: str = "the cast") -> Role:
        """A role from its TOML (or JSON) table.

        Raises:
            InputError: the table is not one, lacks a provider, or has a value of the wrong kind.
        """
        if not isinstance(table, Mapping):
            raise InputError(
                f'{where}: “{name}” should be a table like [{name}] with provider = "…" and '
                'voice = "…" under it.'
            )
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise InputError(
                f"{where}: [{name}] has {', '.join(unknown)}, which a role does not take "
                f"(it takes {', '.join(sorted(_KEYS))})."
            )
        provider = table.get("provider")
        if not isinstance(provider, str) or not provider.strip():
            raise InputError(
                f'{where}: [{name}] needs a provider, e.g. provider = "local" or "openai".'
            )
        texts = {k: table.get(k) for k in ("model", "voice", "instructions")}
        for key, value in texts.items():
            if value is not None and not isinstance(value, str):
                raise InputError(f"{where}: [{name}] {key} should be text in quotes.")
        speed = table.get("speed", 1.0)
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not 0.25 <= speed <= 4:
            raise InputError(f"{where}: [{name}] speed should be a number from 0.25 to 4.")
        settings = table.get("settings") or {}
        if not isinstance(settings, Mapping):
            raise InputError(f"{where}: [{name}] settings should be a table [{name}.settings].")
        return cls(
            name=name,
            provider=provider.strip(),
            model=texts["model"] or None,
            voice=texts["voice"] or None,
            speed=float(speed),
            instructions=texts["instructions"] or None,
            settings=frozen_mapping(dict(settings)),
        )


@dataclass(frozen=True)
class Cast:
    """The roles of a project, narrator first when there is one."""

    roles: tuple[Role, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.roles)

    def __iter__(self) -> Any:
        return iter(self.roles)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.roles)

    def get(self, name: str | None) -> Role | None:
        """The role called ``name`` (any case), or None."""
        if not name:
            return None
        folded = name.strip().casefold()
        return next((r for r in self.roles if r.name.casefold() == folded), None)

    def canonical(self, name: str) -> str | None:
        """``name`` as the cast spells it, or None when no role has it."""
        role = self.get(name)
        return role.name if role else None

    @property
    def narrator(self) -> Role | None:
        return self.get(NARRATOR)

    def colour(self, name: str) -> str:
        """The role's colour: its place in the cast, the narrator's for unknown names."""
        if name.casefold() == NARRATOR.casefold():
            return role_colour(0)
        others = [r.name.casefold() for r in self.roles if not r.is_narrator]
        folded = name.casefold()
        return role_colour(others.index(folded) + 1) if folded in others else role_colour(0)

    def with_role(self, role: Role) -> Cast:
        """This cast with ``role`` added, or put in place of the role of the same name."""
        if self.get(role.name) is None:
            roles = (*self.roles, role)
        else:
            folded = role.name.casefold()
            roles = tuple(role if r.name.casefold() == folded else r for r in self.roles)
        return Cast(_narrator_first(roles))

    def without(self, name: str) -> Cast:
        folded = name.casefold()
        return Cast(tuple(r for r in self.roles if r.name.casefold() != folded))

    def renamed(self, old: str, new: str) -> Cast:
        role = self.get(old)
        if role is None:
            return self
        return self.without(old).with_role(replace(role, name=new))

    # -- files -------------------------------------------------------------------------------

    def to_toml(self) -> str:
        return tomli_w.dumps({r.name: r.to_table() for r in self.roles})

    @classmethod
    def from_toml(cls, text: str, *, name: str = "the cast file") -> Cast:
        """A cast from TOML text.

        Raises:
            InputError: the TOML is malformed, or a role in it is (the message says where).
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(
                f"{name} is not valid TOML ({exc}). Each role is a table: [Alice] then "
                'provider = "openai" and voice = "nova" on their own lines.'
            ) from exc
        if not data:
            raise InputError(f'{name} has no roles. Add one, e.g. [Narrator] provider = "local".')
        return cls._of(data.items(), where=name)

    def to_json(self) -> dict[str, Any]:
        return {r.name: r.to_table() for r in self.roles}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Cast:
        return cls._of((data or {}).items(), where="the project's cast")

    @classmethod
    def _of(cls, items: Iterable[tuple[str, Any]], *, where: str) -> Cast:
        roles: list[Role] = []
        seen: set[str] = set()
        for role_name, table in items:
            clean = role_name.strip()
            if not clean or "[" in clean or "]" in clean or ":" in clean:
                raise InputError(f"{where}: “{role_name}” cannot name a role; use a plain name.")
            if clean.casefold() in seen:
                raise InputError(f"{where}: the role {clean} is there twice.")
            seen.add(clean.casefold())
            roles.append(Role.from_table(clean, table, where=where))
        return cls(_narrator_first(tuple(roles)))


def _narrator_first(roles: tuple[Role, ...]) -> tuple[Role, ...]:
    return tuple(sorted(roles, key=lambda r: not r.is_narrator))
