"""The sound services on real parts: the offline engine, SQLite, the loopback cloud servers."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from audio_studio.core.errors import (
    BudgetExceededError,
    InputError,
    InvalidRequestError,
    MissingApiKeyError,
)
from audio_studio.core.models import HistoryKind, SfxRequest
from audio_studio.core.settings import Budget
from audio_studio.core.sound.music_board import QueueClock
from audio_studio.core.sound.pack import PackOptions
from audio_studio.core.sound.variations import EffectSpec, more_like_this, spec_from_item
from audio_studio.core.store.history import HistoryQuery
from tests.servers.base import Fault


def sfx_rows(service):  # type: ignore[no-untyped-def]
    return service.history.query(HistoryQuery(kinds=(HistoryKind.SFX,), limit=100))


async def test_offline_variations_render_their_recipes_and_group(service) -> None:  # type: ignore[no-untyped-def]
    spec = EffectSpec(SfxRequest(prompt="laser zap"), count=3, first_seed=100)
    landed = await service.sound.variations(spec)
    assert [v.seed for v in landed] == [100, 101, 102]
    assert all(v.outcome.item.params["preset"] == "laser" for v in landed)
    heads = [r for r in sfx_rows(service) if r.parent_id is None]
    assert len(heads) == 1
    # "Render panel": one tile with exactly the given values; it joins the batch's group.
    exact = landed[1].outcome.item.params["sfxr"]
    spec = EffectSpec(SfxRequest(), count=1, base=exact, exact=True, parent_id=heads[0].id)
    (one,) = await service.sound.variations(spec)
    assert one.outcome.item.params["sfxr"] == exact and one.outcome.item.parent_id == heads[0].id
    # The same spec from History makes the same sound again.
    again = spec_from_item(landed[2].outcome.item)
    (same,) = await service.sound.variations(dataclasses.replace(again, exact=True, count=1))
    assert same.outcome.result.data == landed[2].outcome.result.data


async def test_bad_batches_fail_before_anything_is_made(service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="1 to 8"):
        await service.sound.variations(EffectSpec(SfxRequest(preset="coin"), count=9))
    with pytest.raises(InvalidRequestError, match="does not understand"):
        await service.sound.variations(EffectSpec(SfxRequest(prompt="rain on a roof")))
    with pytest.raises(InputError, match="outside"):
        bad = {"base_freq": 3.0}
        await service.sound.variations(EffectSpec(SfxRequest(), mutate_from=bad))
    with pytest.raises(MissingApiKeyError):
        await service.sound.variations(
            EffectSpec(SfxRequest(prompt="door"), provider_id="elevenlabs")
        )
    assert sfx_rows(service) == []


async def test_cloud_batches_cost_per_call_and_respect_the_budget(studio, wire) -> None:  # type: ignore[no-untyped-def]
    request = SfxRequest(prompt="rain on a tin roof", duration_s=3.0, model="stable-audio")
    spec = EffectSpec(request, count=3, provider_id="localai")
    landed = await studio.sound.variations(spec)
    assert all(v.ok for v in landed)
    bodies = [r.json() for r in wire.requests("POST", "/localai/v1/sound-generation")]
    assert len(bodies) == 3 and all(b["duration_seconds"] == 3.0 for b in bodies)
    assert all(b["model_id"] == "stable-audio" for b in bodies)
    rows = sfx_rows(studio)
    assert all(r.usage.cost_usd == 0.0 and r.provider == "localai" for r in rows)
    # ElevenLabs bills credits: its budget is in credits, and what it records counts. One
    # effect (the server says 80 credits) fits a 200-credit budget; a batch of three (≈ 120
    # credits each by the price table) would pass it, so it stops before a request goes out.
    budgets = {"elevenlabs": Budget(monthly_credits=200)}
    studio.use_settings(dataclasses.replace(studio.settings, budgets=budgets))
    el = dataclasses.replace(spec, provider_id="elevenlabs", count=1, request=SfxRequest(
        prompt="rain on a tin roof", duration_s=3.0))  # fmt: skip
    (one,) = await studio.sound.variations(el)
    assert one.ok and sfx_rows(studio)[0].usage.credits == 80.0
    before = len(wire.requests())
    with pytest.raises(BudgetExceededError, match="credits"):
        await studio.sound.variations(dataclasses.replace(el, count=3))
    assert len(wire.requests()) == before


async def test_cancelling_a_batch_keeps_what_landed(studio, wire) -> None:  # type: ignore[no-untyped-def]
    wire.fail("POST", "/elevenlabs/v1/sound-generation", Fault("slow", delay=0.0))
    wire.fail("POST", "/elevenlabs/v1/sound-generation", Fault("slow", delay=5.0), times=3)
    landed: list[object] = []
    spec = EffectSpec(SfxRequest(prompt="whoosh"), count=4, provider_id="elevenlabs")
    task = asyncio.ensure_future(studio.sound.variations(spec, on_variation=landed.append))
    for _ in range(200):
        if landed:
            break
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(landed) == 1 and len(sfx_rows(studio)) == 1


def studio_wire_requests(studio):  # type: ignore[no-untyped-def]
    return studio.wire.requests("POST", "/elevenlabs/v1/sound-generation")


async def test_more_like_this_for_a_cloud_effect(studio, wire) -> None:  # type: ignore[no-untyped-def]
    studio.wire = wire
    spec = EffectSpec(SfxRequest(prompt="glass clink", prompt_influence=0.8), count=1,
                      provider_id="elevenlabs", first_seed=41)  # fmt: skip
    (first,) = await studio.sound.variations(spec)
    # No cloud effects API takes a seed: none is invented, stored or shown (item 5).
    assert first.seed is None and "seed" not in first.outcome.item.params
    more = more_like_this(first.outcome.item, count=2)
    assert more.first_seed is None and more.request.prompt_influence == 0.8
    landed = await studio.sound.variations(more)
    for v in landed:
        assert v.outcome.item.parent_id == first.outcome.item.id
        assert v.outcome.item.params["derived_from"] == first.outcome.item.id
        assert v.seed is None and "seed" not in v.outcome.item.params
    sent = [r.json() for r in studio_wire_requests(studio)]
    assert sent and all("seed" not in body for body in sent)


async def test_pack_export_never_overwrites_and_leaves_nothing_half_made(service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    landed = await service.sound.variations(
        EffectSpec(SfxRequest(preset="blip"), count=2, first_seed=5)
    )
    items = [v.outcome.item for v in landed]
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "blip_1.wav").write_bytes(b"mine")
    (folder / "pack.json").write_text("{}")
    result = await service.sound.export_pack(items, PackOptions(folder))
    assert result.names == ("blip_1-2.wav", "blip_2.wav")
    assert (folder / "blip_1.wav").read_bytes() == b"mine" and (
        folder / "pack.json"
    ).read_text() == "{}"
    sidecar = json.loads((folder / "pack-2.json").read_text())
    assert [f["file"] for f in sidecar["files"]] == list(result.names)
    zipped = tmp_path / "blips.zip"
    await service.sound.export_pack(items, PackOptions(zipped))
    with pytest.raises(InputError, match="exists already"):
        await service.sound.export_pack(items, PackOptions(zipped))
    await service.sound.export_pack(items, PackOptions(zipped, overwrite=True))
    # A missing audio file stops the export; no partial pack is left behind.
    items[1].file().path.unlink()
    with pytest.raises(InputError, match="no audio file"):
        await service.sound.export_pack(items, PackOptions(tmp_path / "broken"))
    assert not (tmp_path / "broken").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pack-")]
    with pytest.raises(InputError, match="Star the effects"):
        await service.sound.export_pack([], PackOptions(tmp_path / "none"))


async def test_the_submitted_message_counts_as_queued(studio) -> None:  # type: ignore[no-untyped-def]
    from audio_studio.core.models import MusicRequest

    seen: list[str] = []
    await studio.music.generate(MusicRequest("calm", duration_s=8),
                                progress=lambda _s, m: seen.append(m or ""))  # fmt: skip
    submitted = next(m for m in seen if "(job " in m)
    assert QueueClock.queued(submitted)
