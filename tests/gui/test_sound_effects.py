"""The Effects page as a sound designer uses it: variations, audition keys, locks, stars, a pack."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from PySide6.QtCore import Qt

from audio_studio.core.audio import codec
from audio_studio.core.audio.analysis import analyze
from audio_studio.core.audio.player import PlayerState
from audio_studio.core.models import HistoryKind
from audio_studio.core.sound.pack import PackOptions, regenerate
from audio_studio.core.sound.variations import REJECTED_TAG
from audio_studio.core.store.history import HistoryQuery
from audio_studio.ui.bridge import JobController
from audio_studio.ui.sound.tab import SoundTab
from tests.servers.base import Fault
from tests.support.qt import run
from tests.support.sound import moderation_refusal


def make_tab(qtbot, service) -> SoundTab:  # type: ignore[no-untyped-def]
    tab = SoundTab(service.context, service.sound, service.music, JobController(service.runner))
    qtbot.addWidget(tab)
    tab.resize(1100, 800)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def effects(service):  # type: ignore[no-untyped-def]
    return service.history.query(HistoryQuery(kinds=(HistoryKind.SFX,), limit=100))


def test_six_procedural_variations_fill_the_grid(qtbot, qloop, sound_studio) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, sound_studio)
    page = tab.effects
    assert page.procedural and page.params_box.isVisible()
    page.preset.setCurrentIndex(page.preset.findData("laser"))
    page.variations.setValue(6)
    landed = run(qloop, page.generate())
    assert [v.ok for v in landed] == [True] * 6
    tiles = page.grid.tiles
    assert len(tiles) == 6 and all(t.ready for t in tiles)
    assert [t.number_label.text() for t in tiles] == ["1", "2", "3", "4", "5", "6"]
    for tile, variation in zip(tiles, landed, strict=True):
        assert tile.item is not None and variation.outcome is not None
        assert tile.item.id == variation.outcome.item.id
        stats = tile.measured.stats
        assert stats.duration_s == pytest.approx(tile.item.duration_s, abs=1e-3)
        assert f"{stats.duration_s:.2f} s" in tile.stats.text()
        assert "dBFS" in tile.stats.text() and "LUFS" in tile.stats.text()
        assert "clipping" in tile.stats.text() or "clipped" in tile.stats.text()
        assert tile.seam.text().startswith("Loop seam:")
        assert tile.waveform.duration == pytest.approx(stats.duration_s, abs=1e-3)
    rows = effects(sound_studio)
    assert len(rows) == 6 and all(r.params["engine"] == "sfxr" for r in rows)
    assert len({r.params["seed"] for r in rows}) == 6
    heads = [r for r in rows if r.parent_id is None]
    assert len(heads) == 1 and all(r.parent_id == heads[0].id for r in rows if r is not heads[0])
    assert page.job_id is None and page.generate_button.isEnabled()
    # A click on Generate leaves the focus free for the audition keys (Space must not
    # press Generate again).
    assert page.generate_button.focusPolicy() == Qt.FocusPolicy.TabFocus
    assert page.grid.hasFocus() or not tab.isActiveWindow()


def test_audition_keys_play_stop_and_loop_but_not_in_text_fields(
    qtbot, qloop, sound_studio
) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, sound_studio)
    page = tab.effects
    page.preset.setCurrentIndex(page.preset.findData("powerup"))  # long enough to hear
    page.variations.setValue(3)
    run(qloop, page.generate())
    grid, player = page.grid, page.grid.player_bar.player
    tiles = grid.tiles
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: grid.playing is tiles[1] and player.state is PlayerState.PLAYING)
    assert grid.selected is tiles[1] and tiles[1].property("playing")
    qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.state is PlayerState.STOPPED and grid.playing is None)
    # L loops the selected tile; its seam line is marked while it loops.
    qtbot.keyClick(page, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: player.state is PlayerState.PLAYING and player.looping)
    assert grid.playing is tiles[1] and tiles[1].seam.text().startswith("⟳ Loop seam:")
    assert page.grid.player_bar.loop_button.isChecked()
    qtbot.wait(int(tiles[1].measured.stats.duration_s / 4 * 1000) + 200)  # past one pass
    assert player.state is PlayerState.PLAYING  # looping, not ended
    qtbot.keyClick(page, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.state is PlayerState.STOPPED)
    assert not tiles[1].seam.text().startswith("⟳")
    # Typing digits, a space or L in the prompt types them; nothing plays.
    page.prompt.setFocus()
    qtbot.keyClicks(page.prompt, "1 L")
    assert page.prompt.text() == "1 L"
    qtbot.wait(100)
    assert player.state is PlayerState.STOPPED and grid.playing is None
    # A key for a tile that does not exist does nothing.
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_9)
    qtbot.wait(50)
    assert grid.playing is None


def test_mutate_and_randomise_leave_locked_parameters_alone(qtbot, qloop, sound_studio) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, sound_studio)
    page = tab.effects
    page.preset.setCurrentIndex(page.preset.findData("jump"))
    page.variations.setValue(4)
    run(qloop, page.generate())
    source = page.grid.tiles[0]
    qtbot.mouseClick(source, Qt.MouseButton.LeftButton)  # its recipe goes into the panel
    panel = page.params.values()
    assert panel == dict(source.item.params["sfxr"])
    first_batch = {t.item.id for t in page.grid.tiles}
    qtbot.mouseClick(page.grid.tiles[1].reject_button, Qt.MouseButton.LeftButton)
    page.params.locks["base_freq"].setChecked(True)
    page.params.locks["decay"].setChecked(True)
    page.params.spins["decay"].setValue(0.35)  # a tweak, then locked
    qtbot.mouseClick(page.mutate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.job_id is not None)
    qtbot.waitUntil(lambda: page.job_id is None, timeout=15000)
    mutated = [t for t in page.grid.tiles if t.ready]
    # Unstarred tiles made room (emptied and reused for the new batch).
    assert len(mutated) == 4 and not first_batch & {t.item.id for t in mutated}
    assert not any(t.rejected or t.property("rejected") for t in mutated)
    assert [t.number for t in page.grid.tiles] == [1, 2, 3, 4]
    changed = set()
    for tile in mutated:
        values = tile.item.params["sfxr"]
        assert values["base_freq"] == panel["base_freq"]
        assert values["decay"] == 0.35
        assert values["wave"] == panel["wave"]  # mutate never changes the wave
        changed |= {k for k, v in values.items() if v != panel[k]} - {"decay"}
    assert len(changed) >= 5  # the unlocked ones moved
    # Randomise draws new sounds, but the locked values come from the panel.
    # (A value the spin box does not already show: setting 0.42 over a drawn 0.4201 is no
    # change to a three-decimal box, and the panel keeps the exact drawn value.)
    wanted = 0.42 if abs(panel["base_freq"] - 0.42) > 0.01 else 0.55
    page.params.spins["base_freq"].setValue(wanted)
    run(qloop, page.generate("randomize"))
    for tile in page.grid.tiles:
        assert tile.item.params["sfxr"]["base_freq"] == wanted
        assert tile.item.params["sfxr"]["decay"] == 0.35
        assert tile.item.params["preset"] == "random"


def test_star_reject_more_like_this_and_a_pack_that_regenerates(  # type: ignore[no-untyped-def]
    qtbot, qloop, sound_studio, tmp_path
) -> None:
    tab = make_tab(qtbot, sound_studio)
    page = tab.effects
    page.preset.setCurrentIndex(page.preset.findData("pickup"))
    page.variations.setValue(4)
    run(qloop, page.generate())
    tiles = page.grid.tiles
    assert not page.judging.export_button.isEnabled()
    page.grid.select(tiles[0])
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_S)  # star the selected tile from the keyboard
    qtbot.mouseClick(tiles[2].star_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tiles[3].reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(sound_studio.history.query(HistoryQuery(starred_only=True))) == 2)
    # The tab counts its stars after History answers; wait for the tab, not only the database.
    qtbot.waitUntil(lambda: "2 starred" in page.judging.starred_label.text())
    assert tiles[0].star_button.text() == "★" and page.judging.export_button.isEnabled()
    qtbot.waitUntil(lambda: REJECTED_TAG in sound_studio.history.get(tiles[3].item.id).tags)
    assert tiles[3].property("rejected")
    # More like this on tile 1: the starred tiles stay, the others make room.
    kept = [tiles[0], tiles[2]]
    source_id = tiles[0].item.id
    qtbot.mouseClick(tiles[0].more_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.job_id is not None)
    qtbot.waitUntil(lambda: page.job_id is None, timeout=15000)
    assert page.grid.tiles[:2] == kept and len(page.grid.tiles) == 6
    for tile in page.grid.tiles[2:]:
        assert tile.item.params["derived_from"] == source_id
        assert tile.item.parent_id == (kept[0].item.parent_id or source_id)
    # The starred set as a zip: audio normalised, and a sidecar that rebuilds it exactly.
    result = run(qloop, page.judging.export_starred(PackOptions(tmp_path / "coins.zip")))
    assert result is not None and result.names == ("pickup_1.wav", "pickup_2.wav")
    with zipfile.ZipFile(tmp_path / "coins.zip") as pack:
        assert sorted(pack.namelist()) == ["pack.json", "pickup_1.wav", "pickup_2.wav"]
        sidecar = json.loads(pack.read("pack.json"))
        assert sidecar["loudness"]["target_lufs"] == -16.0
        for entry, tile in zip(sidecar["files"], kept, strict=True):
            assert entry["history_id"] == tile.item.id and entry["regenerate"]["engine"] == "sfxr"
            exported = codec.decode(pack.read(entry["file"]))
            rebuilt = regenerate(entry)
            assert exported.sample_rate == rebuilt.sample_rate
            assert np.array_equal(exported.samples, rebuilt.samples)  # sample for sample
            facts, stats = entry["export"], analyze(exported)
            if facts["mode"] == "lufs" and not facts["limited"]:
                assert stats.lufs == pytest.approx(-16.0, abs=0.1)
            else:  # under 0.4 s (no LUFS), or held back by the peak ceiling
                assert stats.peak_dbfs == pytest.approx(-1.0, abs=0.05)
    assert "Exported 2 file(s)" in page.message.text()
    # A folder, another template, no normalising: exact copies of the History files.
    folder = tmp_path / "pack"
    options = PackOptions(folder, template="{preset}-{seed}", target_lufs=None)
    run(qloop, page.judging.export_starred(options))
    for tile in kept:
        name = f"pickup-{tile.item.params['seed']}.wav"
        assert (folder / name).read_bytes() == tile.path.read_bytes()
    assert (folder / "pack.json").exists()


def test_cloud_variations_arrive_and_a_refusal_shows_on_its_tile(  # type: ignore[no-untyped-def]
    qtbot, qloop, sound_studio, wire
) -> None:
    tab = make_tab(qtbot, sound_studio)
    page = tab.effects
    page.provider.setCurrentIndex(page.provider.findData("elevenlabs"))
    assert not page.procedural and not page.params_box.isVisible()
    page.prompt.setText("heavy wooden door slam, reverb tail")
    page.duration.setValue(2.0)
    page.influence.setValue(0.6)
    page.loop.setChecked(True)
    page.variations.setValue(4)
    wire.fail("POST", "/elevenlabs/v1/sound-generation", moderation_refusal())
    landed = run(qloop, page.generate())
    assert sorted(v.ok for v in landed) == [False, True, True, True]
    refused = [t for t in page.grid.tiles if t.failed]
    assert len(refused) == 1 and "flagged by content moderation" in refused[0].status.text()
    assert not refused[0].star_button.isEnabled()
    sent = [r.json() for r in wire.requests("POST", "/elevenlabs/v1/sound-generation")]
    assert len(sent) == 4
    assert all(
        b == {"text": "heavy wooden door slam, reverb tail", "duration_seconds": 2.0,
              "prompt_influence": 0.6, "loop": True}
        for b in sent
    )  # fmt: skip
    rows = effects(sound_studio)
    assert len(rows) == 3 and all(r.provider == "elevenlabs" for r in rows)
    assert all(r.usage.credits == 80 for r in rows)  # the character-cost header, per call
    # "More like this" for a cloud tile: the same prompt and settings asked again; no seed is
    # invented (the provider never takes one), so none is stored or shown.
    tile = next(t for t in page.grid.tiles if t.ready)
    page.variations.setValue(2)
    run(qloop, page.more_like(tile))
    more = [t.item for t in page.grid.tiles if t.ready and t is not tile]
    assert len(more) == 2 and all(m.params.get("derived_from") == tile.item.id for m in more)
    assert all("seed" not in m.params for m in [tile.item, *more])
    assert "seed" not in tile.title.toolTip()


def test_a_cloud_batch_that_cannot_start_says_why(qtbot, qloop, sound_studio, wire) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, sound_studio)
    page = tab.effects
    page.provider.setCurrentIndex(page.provider.findData("elevenlabs"))
    page.prompt.clear()
    assert run(qloop, page.generate()) == []
    assert "Describe the sound" in page.message.text() and not page.grid.tiles
    page.prompt.setText("rain")
    wire.fail("POST", "/elevenlabs/v1/sound-generation", Fault("status", 401), times=8)
    run(qloop, page.generate())
    assert all(t.failed and "API key" in t.status.text() for t in page.grid.tiles)
    assert page.generate_button.isEnabled()


def test_open_item_brings_an_effect_back_for_tweaking(qtbot, qloop, sound_studio) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, sound_studio)
    page = tab.effects
    page.preset.setCurrentIndex(page.preset.findData("explosion"))
    page.variations.setValue(2)
    run(qloop, page.generate())
    item = page.grid.tiles[1].item
    page.grid.clear()
    page.preset.setCurrentIndex(0)
    tab.sub_tabs.setCurrentIndex(1)
    task = tab.open_item(item)
    assert task is not None
    run(qloop, task)
    assert tab.sub_tabs.currentWidget() is page
    assert page.preset.currentData() == "explosion"
    assert page.params.values() == dict(item.params["sfxr"])
    (tile,) = page.grid.tiles
    assert tile.item.id == item.id and tile.ready and page.grid.selected is tile
    # Opening it again selects the same tile instead of adding another.
    run(qloop, tab.open_item(item))
    assert len(page.grid.tiles) == 1
