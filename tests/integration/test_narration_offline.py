"""Narration with the offline voice (real Piper): takes, regenerate, choose, lock, export at the
loudness target, History provenance, and the project restored from disk."""

from __future__ import annotations

import asyncio

import pytest

from audio_studio.core.audio.analysis import analyze_file
from audio_studio.core.audio.codec import decode
from audio_studio.core.errors import InputError
from audio_studio.core.models import HistoryKind, HistoryStatus
from audio_studio.core.narration.project import NarrationProject, NarrationSettings
from audio_studio.core.text import Lexicon
from tests.support.narration import CollectingSink

pytestmark = pytest.mark.slow

SCRIPT = "Nguyen opened the shop. The bell rang twice.\n\nA customer came in [pause 1.2s] at last."


async def test_takes_locks_export_and_history_offline(service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    narration = service.narration
    # Counts takes: no proof-listening, whose rare remake would add one (tested on its own).
    settings = NarrationSettings(lexicon=Lexicon.of({"Nguyen": "Win"}), proof=False)
    project = NarrationProject(SCRIPT, title="Shop", settings=settings)
    assert [c.text for c in project.chunks] == [
        "Nguyen opened the shop.", "The bell rang twice.", "A customer came in", "at last.",
    ]  # fmt: skip
    plan = await narration.plan(project)
    assert plan.to_make == 4 and plan.preflight.estimate.free and "free" in plan.text()
    sink = CollectingSink()
    changes: list[str] = []
    report = await narration.generate(
        project, preview=sink, on_change=lambda c: changes.append(c.status.value)
    )
    assert report.made == 4 and report.failed == 0 and report.cost_usd == 0
    assert report.ttfa_ms is not None and report.ttfa_ms < report.total_ms
    assert {"queued", "working", "done"} <= set(changes)
    # The preview heard all four sentences in order, with the pauses between them.
    takes = [c.take for c in project.chunks]
    assert all(takes) and sink.rate == 22_050 and sink.ended
    heard = sum(t.duration_s for t in takes if t) + 0.25 + 0.6 + 1.2
    assert sink.seconds == pytest.approx(heard, abs=0.05)
    first = takes[0]
    assert first is not None and first.spoken == "Win opened the shop." and first.item_id
    # Regenerate one sentence: a second take becomes current; choose the first back; lock it.
    bell = project.chunks[1]
    again = await narration.regenerate(project, bell)
    assert again.made == 1 and len(bell.takes) == 2 and bell.current == 1
    project.choose_take(bell, 0)
    project.set_locked(bell, True)
    with pytest.raises(InputError, match="locked"):
        await narration.regenerate(project, bell)
    assert (await narration.generate(project)).targets == 0  # nothing needs audio
    # Export: the current takes joined, normalised to the target loudness.
    out = await narration.export(project, tmp_path / "shop.flac")
    assert out.path == tmp_path / "shop.flac" and out.path.exists()
    stats = await asyncio.to_thread(analyze_file, out.path)
    assert stats.lufs == pytest.approx(-16.0, abs=0.5) and stats.peak_dbfs <= -0.9
    expected = sum(c.take.duration_s for c in project.chunks if c.take) + 0.25 + 0.6 + 1.2
    assert stats.duration_s == pytest.approx(expected, abs=0.05)
    # History: the project row, its five takes (with cost), and the export (without).
    item = await asyncio.to_thread(service.history.get, project.item_id)
    assert item.kind is HistoryKind.NARRATION and item.status is HistoryStatus.DONE
    assert item.input_text == SCRIPT and item.params["lexicon"] == {"Nguyen": "Win"}
    children = await asyncio.to_thread(service.history.children, item.id)
    kids = sorted(c.kind.value for c in children)
    assert kids == ["narration"] + ["take"] * 5
    export_row = next(c for c in children if c.kind is HistoryKind.NARRATION)
    assert export_row.usage.cost_usd is None and "export" in export_row.tags
    assert export_row.params["lufs"] == pytest.approx(-16.0, abs=0.5)
    assert export_row.params["takes"] == [c.take.item_id for c in project.chunks if c.take]
    assert export_row.file("export").path == out.path.resolve()
    take_rows = [c for c in children if c.kind is HistoryKind.TAKE]
    assert all(t.usage.cost_usd == 0.0 and t.latency.total_ms for t in take_rows)
    assert any(t.params.get("spoken_text") == "Win opened the shop." for t in take_rows)
    # Reopening: the project comes back from disk with its takes, choice and lock.
    again_loaded = await narration.latest()
    assert again_loaded is not None and again_loaded.id == project.id
    bell_back = again_loaded.chunks[1]
    assert bell_back.locked and bell_back.current == 0 and len(bell_back.takes) == 2
    via_history = await asyncio.to_thread(narration.projects.for_item, take_rows[0])
    assert via_history is not None and via_history.id == project.id


async def test_editing_one_sentence_remakes_only_that_one(service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    narration = service.narration
    project = NarrationProject("One sentence here. Another one there.")
    await narration.generate(project)
    kept = project.chunks[0].take
    project.set_script("One sentence here. Another one, edited.")
    assert project.chunks[1].stale
    with pytest.raises(InputError, match="edited"):
        await narration.export(project, tmp_path / "x.wav")
    report = await narration.generate(project)
    assert report.targets == 1 and report.made == 1
    assert project.chunks[0].take is kept
    out = await narration.export(project, tmp_path / "x")  # no extension: the project's format
    assert out.path.suffix == ".wav" and decode(out.path).duration_s > 1


async def test_history_reruns_a_take_and_an_export(service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    narration = service.narration
    project = NarrationProject("One small step. Then another.", title="Steps")
    await narration.generate(project)
    out = await narration.export(project, tmp_path / "steps.wav")
    second = project.chunks[1]
    first_take = second.take
    assert first_take is not None and first_take.item_id
    take_row = await asyncio.to_thread(service.history.get, first_take.item_id)
    # The project's voice changes afterwards; the take is made again with its own voice.
    project.settings = NarrationSettings(speed=1.3, proof=False)
    await narration.save(project)
    again = await service.library.rerun(take_row)
    assert again.kind is HistoryKind.TAKE and again.id != take_row.id
    assert again.parent_id == take_row.parent_id and again.params["speed"] == 1.0
    reloaded = await narration.load(project.id)
    chunk = reloaded.find(second.id)
    assert chunk is not None and len(chunk.takes) == 2 and chunk.take.item_id == again.id
    assert reloaded.settings.speed == 1.3  # the project keeps its own settings
    # An export made again lands beside the first file, never over it, with no new calls.
    before = out.path.read_bytes()
    remade = await service.library.rerun(out.item)
    export = remade.file("export")
    assert export is not None and export.path == tmp_path / "steps-2.wav"
    assert out.path.read_bytes() == before and "export" in remade.tags
    project_row = await asyncio.to_thread(service.history.get, reloaded.item_id)
    assert (await service.library.rerun(project_row)).id == reloaded.item_id
