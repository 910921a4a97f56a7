"""Small things a newcomer reads: counts and titles in plain words, export names from the
project title, dialogs that remember their folder, a steady Test connection button, and a
Music page that says when its provider needs a key."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.support.qt import run

pytestmark = pytest.mark.slow


def make_window(qtbot, service: Studio) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def read_and_cancel_dialog(seen: list[tuple[str, str]]) -> None:
    """When the file dialog opens, note its folder and offered name, then close it."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(30, poll)
            return
        field = dialog.findChild(QLineEdit, "fileNameEdit")
        seen.append((dialog.directory().absolutePath(), field.text() if field else ""))
        dialog.reject()

    QTimer.singleShot(30, poll)


@pytest.mark.qt_log_ignore("This plugin does not support")  # the file dialog, offscreen
def test_words_names_and_folders_a_newcomer_meets(  # type: ignore[no-untyped-def]
    qtbot, qloop, narration_gui_studio, wire, tmp_path: Path
) -> None:
    window = make_window(qtbot, narration_gui_studio)
    tab = window.narration
    run(qloop, tab.voice_panel.choose_provider("local"))
    tab.live.setChecked(False)
    # A pasted script has no title: the export is offered under its first words, not
    # a cut-off sentence with "…" before the extension.
    tab.set_script("Welcome to the harbour tour, friends. Today we walk to the lighthouse.")
    run(qloop, tab.generate(), timeout=120)
    assert "2 of 2 sentences made" in tab.status.text()
    seen: list[tuple[str, str]] = []
    read_and_cancel_dialog(seen)
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    default_folder = narration_gui_studio.paths.default_output_dir
    assert seen and seen[-1] == (str(default_folder), "Welcome to the harbour tour.wav")
    # One sentence: "1 of 1 sentence"; the same text again comes from the cache, said once free.
    tab.set_script("The lamp is lit.", title="Lamp")
    run(qloop, tab.generate(), timeout=120)
    assert "1 of 1 sentence made" in tab.status.text()
    tab.set_script("The lamp is lit.", title="Lamp again")
    run(qloop, tab.sync_script())
    run(qloop, tab.refresh_preflight())
    assert "1 from the cache" in tab.preflight.text()
    assert "free · free" not in tab.preflight.text()
    # A titled project is exported under its title; the dialog then remembers the folder.
    run(qloop, tab.generate(), timeout=60)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = run(qloop, tab.export_to(folder / "lamp.wav"), timeout=60)
    assert out is not None
    row = window.jobs.row(tab.vm.last_job_id or "")
    assert row is not None and row.title.text() == "Export: lamp.wav"
    tab.folders.remember("narration-export", folder / "lamp.wav")
    read_and_cancel_dialog(seen)
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    assert seen[-1] == (str(folder), "Lamp again.wav")


def test_test_connection_stays_put_after_save_key(qtbot, qloop, narration_gui_studio, wire) -> None:  # type: ignore[no-untyped-def]
    run(qloop, narration_gui_studio.delete_api_key("openai"))
    window = make_window(qtbot, narration_gui_studio)
    dialog = run(qloop, window.open_settings())
    page = dialog.providers
    row = next(
        i
        for i in range(page.list.count())
        if page.list.item(i).data(Qt.ItemDataRole.UserRole) == "openai"
    )
    page.list.setCurrentRow(row)
    qtbot.waitUntil(lambda: page.key_state.text() == "No key stored.", timeout=5000)
    qtbot.wait(50)
    before = page.test_button.mapTo(dialog, page.test_button.rect().topLeft())
    page.key.setText("sk-test-key-123456789")
    qtbot.mouseClick(page.save_key_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "key is" in page.key_state.text(), timeout=5000)
    qtbot.wait(50)
    assert page.test_button.mapTo(dialog, page.test_button.rect().topLeft()) == before
    dialog.reject()


def test_the_music_page_says_its_provider_needs_a_key(qtbot, qloop, sound_studio) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, sound_studio)
    window.tabs.setCurrentIndex(2)
    music = window.sound.music
    pid = music.provider_id
    info = sound_studio.registry.spec(pid).info
    assert info.needs_key
    run(qloop, sound_studio.delete_api_key(pid))
    run(qloop, music.update_cost())
    assert music.key_note.isVisibleTo(music)
    assert f"{info.name} needs an API key" in music.key_note.text()
    # Saving the key (Settings closes): the note goes.
    run(qloop, sound_studio.set_api_key(pid, "r8-test-key-123456789"))
    window.sound.refresh_availability()
    run(qloop, music.update_cost())
    assert not music.key_note.isVisibleTo(music)


def test_sound_messages_go_when_their_cause_is_gone(qtbot, qloop, sound_studio) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, sound_studio)
    window.tabs.setCurrentIndex(2)
    sound = window.sound
    music = sound.music
    # "Describe the music" goes as soon as there is a prompt.
    music.prompt.clear()
    run(qloop, music.generate())
    assert music.message.text() == "Describe the music to generate."
    qtbot.keyClicks(music.prompt, "calm piano")
    assert music.message.text() == ""
    # Effects from a cloud provider without a key: the message goes once Settings have it.
    effects = sound.effects
    run(qloop, sound_studio.delete_api_key("elevenlabs"))
    effects.provider.setCurrentIndex(effects.provider.findData("elevenlabs"))
    effects.prompt.setText("door creak")
    run(qloop, effects.generate())
    assert "API key" in effects.message.text()
    run(qloop, sound_studio.set_api_key("elevenlabs", "el-test-key-123456789"))
    window._on_settings_dialog_finished(1)
    assert effects.message.text() == ""


@pytest.mark.qt_log_ignore("This plugin does not support")  # the file dialog, offscreen
def test_every_file_dialog_starts_where_its_purpose_left_off(  # type: ignore[no-untyped-def]
    qtbot, qloop, narration_gui_studio, tmp_path: Path
) -> None:
    from audio_studio.ui.widgets.folders import RecentFolders

    window = make_window(qtbot, narration_gui_studio)
    folders = RecentFolders(narration_gui_studio.context)
    places = {}
    for purpose in ("cast", "sample", "library"):
        places[purpose] = tmp_path / purpose
        places[purpose].mkdir()
        folders.remember(purpose, places[purpose] / "something.file")
    seen: list[tuple[str, str]] = []
    cast_panel = window.narration.cast_panel
    read_and_cancel_dialog(seen)
    qtbot.mouseClick(cast_panel.open_button, Qt.MouseButton.LeftButton)
    read_and_cancel_dialog(seen)
    cast_panel._on_save_clicked()  # the button waits for a role; the dialog is the same
    read_and_cancel_dialog(seen)
    window.history.maintenance._on_import_clicked()
    read_and_cancel_dialog(seen)
    clone = window.narration.open_clone_dialog("elevenlabs")
    clone._on_open_clicked()  # type: ignore[attr-defined]
    clone.close()
    assert [s[0] for s in seen] == [
        str(places["cast"]),
        str(places["cast"]),
        str(places["library"]),
        str(places["sample"]),
    ]
    assert seen[1][1] == "cast.toml"


def test_escape_stops_a_narration_and_keeps_what_was_made(  # type: ignore[no-untyped-def]
    qtbot, qloop, narration_gui_studio, wire
) -> None:
    from audio_studio.core.narration.project import ChunkStatus

    window = make_window(qtbot, narration_gui_studio)
    window.activateWindow()
    tab = window.narration
    run(qloop, tab.voice_panel.choose_provider("openai"))
    tab.set_script(" ".join(f"Sentence number {n} is here." for n in range(1, 9)), title="Esc")
    run(qloop, tab.sync_script())
    wire.state["speech_delay_s"] = 0.6  # slow enough to press a key while it works
    tab.editor.setFocus()
    qtbot.keyClick(tab.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.vm.busy, timeout=5000)
    qtbot.keyClick(tab.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not tab.vm.busy, timeout=15_000)
    chunks = tab.vm.project.chunks
    assert not all(c.status is ChunkStatus.DONE for c in chunks)  # it stopped part-way
    assert all(c.status in (ChunkStatus.DONE, ChunkStatus.PENDING) for c in chunks)
    assert tab.generate_button.isEnabled() and not tab.stop_button.isEnabled()
