"""A cast of voices over a real socket and offline: the right voice on the wire for every
sentence, no name spoken, recasting remakes only that role, costs per role, bad cast input."""

from __future__ import annotations

import dataclasses

import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.narration.cast import Cast
from audio_studio.core.narration.casting import check_cast
from audio_studio.core.narration.project import NarrationProject, NarrationSettings
from tests.support.narration import SPEECH

pytestmark = pytest.mark.slow

OPENAI = NarrationSettings(provider="openai", model="gpt-4o-mini-tts", voice="coral")
CAST = """
[Narrator]
provider = "openai"
model = "gpt-4o-mini-tts"
voice = "coral"

[Alice]
provider = "openai"
model = "gpt-4o-mini-tts"
voice = "nova"
"""
SCRIPT = (
    "The kettle sang in the kitchen.\n\n"
    "Alice: Is anyone home? I brought the letters.\n\n"
    'The old man looked up. [voice Alice]"You forgot again."[voice] He smiled.'
)


def cast_project(cast: Cast, script: str = SCRIPT) -> NarrationProject:
    project = NarrationProject(script, title="Letters", settings=OPENAI, max_chars=4096)
    project.set_cast(cast)
    return project


async def test_each_sentence_goes_out_in_its_roles_voice_and_recasting_remakes_only_it(
    narration_studio, wire
) -> None:  # type: ignore[no-untyped-def]
    narration = narration_studio.narration
    cast = Cast.from_toml(CAST)
    project = cast_project(cast)
    report = await narration.generate(project)
    assert report.made == 6 and report.failed == 0
    sent = {r.json()["input"]: r.json()["voice"] for r in wire.requests("POST", SPEECH)}
    assert sent == {
        "The kettle sang in the kitchen.": "coral",
        "Is anyone home?": "nova",  # no "Alice:" on the wire
        "I brought the letters.": "nova",
        "The old man looked up.": "coral",
        '"You forgot again."': "nova",
        "He smiled.": "coral",
    }
    assert [t.role for t in (c.take for c in project.chunks) if t] == [
        "Narrator", "Alice", "Alice", "Narrator", "Alice", "Narrator"
    ]  # fmt: skip
    # The project keeps its cast; History keeps each take's role and voice.
    saved = await narration.load(project.id)
    assert saved.cast == cast and [t.role for c in saved.chunks for t in c.takes][1] == "Alice"
    rows = narration_studio.history.children(project.item_id)
    assert {(r.params["role"], r.voice) for r in rows} == {("Narrator", "coral"), ("Alice", "nova")}
    assert narration_studio.history.get(project.item_id).params["cast"]["Alice"]["voice"] == "nova"
    # Recast Alice: only her three sentences are made again.
    alice = cast.get("Alice")
    assert alice is not None
    project.set_cast(cast.with_role(dataclasses.replace(alice, voice="shimmer")))
    plan = await narration.plan(project)
    assert plan.to_make == 3 and plan.cached == 0
    wire.reset()
    report = await narration.generate(project)
    assert report.made == 3
    again = [r.json() for r in wire.requests("POST", SPEECH)]
    assert sorted(b["input"] for b in again) == sorted(
        ["Is anyone home?", "I brought the letters.", '"You forgot again."']
    )
    assert {b["voice"] for b in again} == {"shimmer"}


async def test_the_preflight_costs_each_role_at_its_own_providers_price(
    narration_studio, wire
) -> None:  # type: ignore[no-untyped-def]
    cast = Cast.from_toml(CAST + '\n[Bob]\nprovider = "local"\nvoice = "hibari-heart"\n')
    project = cast_project(cast, SCRIPT + "\n\nBob: I was out all day.")
    plan = await narration_studio.narration.plan(project)
    providers = [p.provider for p in plan.checks]
    assert providers == ["openai", "local"], providers
    assert plan.checks[0].estimate.usd and plan.checks[1].estimate.free
    assert "openai ≈" in plan.text() or "openai <" in plan.text()
    assert "local free" in plan.text()


async def test_bad_casts_are_named_plainly(narration_studio, wire) -> None:  # type: ignore[no-untyped-def]
    ctx = narration_studio.context
    with pytest.raises(InputError, match="provider “openia” is not one the studio knows"):
        await check_cast(ctx, Cast.from_toml('[Alice]\nprovider = "openia"\nvoice = "nova"'))
    with pytest.raises(InputError, match="voice “en_US-nobody” is not one local has"):
        await check_cast(ctx, Cast.from_toml('[Alice]\nprovider = "local"\nvoice = "en_US-nobody"'))
    await check_cast(ctx, Cast.from_toml(CAST))  # a good cast passes
    project = cast_project(Cast.from_toml(CAST), "Hello.\n[voice Bob]Hi.[voice]")
    plan = await narration_studio.narration.plan(project)
    assert plan.blocked and plan.blocked.startswith("Line 2: “[voice Bob]”")
    with pytest.raises(InputError, match="Line 2"):
        await narration_studio.narration.generate(project)
    assert wire.requests("POST", SPEECH) == []


async def test_joe_and_heart_narrate_one_script_offline(service) -> None:  # type: ignore[no-untyped-def]
    cast = Cast.from_toml(
        '[Narrator]\nprovider = "local"\nvoice = "en_US-joe-medium"\n'
        '[Heart]\nprovider = "local"\nvoice = "hibari-heart"\n'
    )
    await check_cast(service.context, cast)
    project = NarrationProject("The rain stopped.\n\nHeart: Shall we go out?\n\nThey went.")
    project.set_cast(cast)
    report = await service.narration.generate(project, proof=False)
    assert report.made == 3 and report.failed == 0
    takes = [c.take for c in project.chunks]
    assert [(t.role, t.voice, t.sample_rate) for t in takes if t] == [
        ("Narrator", "en_US-joe-medium", 22_050),  # Piper's rate
        ("Heart", "hibari-heart", 24_000),  # hibari's
        ("Narrator", "en_US-joe-medium", 22_050),
    ]
