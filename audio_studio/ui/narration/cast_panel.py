"""The cast panel: the project's roles with their colours and voices, edited in place.

Add, edit or remove a role (name, provider, model, voice, speed); open a cast file or save
this cast as one (TOML, reusable with ``narrate --cast``). Every change goes to the tab as a
whole new Cast; the tab checks it against the providers and shows what is wrong here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.context import StudioContext
from audio_studio.core.errors import InputError, StudioError
from audio_studio.core.models import Capability
from audio_studio.core.narration.cast import NARRATOR, Cast, Role
from audio_studio.ui.tasks import spawn
from audio_studio.ui.widgets.folders import RecentFolders

CAST_FILTER = "Cast files (*.toml);;All files (*)"


def swatch(colour: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class RoleDialog(QDialog):
    """One role's name and voice; the voices of the chosen provider load as it is picked."""

    def __init__(self, ctx: StudioContext, role: Role | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Edit role" if role else "New role")
        self.name = QLineEdit(role.name if role else "")
        self.name.setPlaceholderText("e.g. Alice, or Narrator")
        self.provider = QComboBox()
        for spec in ctx.registry.specs():
            if Capability.SPEECH in spec.info.capabilities:
                self.provider.addItem(spec.info.name, spec.info.id)
        self.model = QLineEdit(role.model or "" if role else "")
        self.model.setPlaceholderText("the provider's default")
        self.voice = QComboBox()
        self.voice.setEditable(True)
        self.voice.setMinimumContentsLength(18)
        self.speed = QDoubleSpinBox()
        self.speed.setRange(0.25, 4.0)
        self.speed.setSingleStep(0.05)
        self.speed.setValue(role.speed if role else 1.0)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Provider", self.provider)
        form.addRow("Voice", self.voice)
        form.addRow("Model", self.model)
        form.addRow("Speed", self.speed)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._wanted = role.voice if role else None
        self.role: Role | None = None
        if role is not None:
            self.provider.setCurrentIndex(max(0, self.provider.findData(role.provider)))
        self.provider.currentIndexChanged.connect(self._on_provider_changed)
        self._on_provider_changed()

    @Slot()
    def _on_provider_changed(self) -> None:
        spawn(self._load_voices(str(self.provider.currentData())), owner=self)

    async def _load_voices(self, provider_id: str) -> None:
        wanted = self.voice.currentText() or self._wanted or ""
        try:
            provider = await self.ctx.provider(provider_id, Capability.SPEECH)
            voices = await provider.list_voices()
        except StudioError:
            voices = []  # no key or no network yet: the voice can still be typed
        if str(self.provider.currentData()) != provider_id:
            return
        self.voice.clear()
        for v in voices:
            self.voice.addItem(f"{v.name} ({v.id})" if v.name != v.id else v.id, v.id)
        found = self.voice.findData(wanted)
        if found >= 0:
            self.voice.setCurrentIndex(found)
        else:
            self.voice.setEditText(wanted)

    def _voice(self) -> str | None:
        data = self.voice.currentData()
        text = self.voice.currentText().strip()
        if data is not None and self.voice.itemText(self.voice.currentIndex()) == text:
            return str(data)
        return text or None

    @Slot()
    def _on_accepted(self) -> None:
        try:
            role = Role.from_table(
                self.name.text().strip() or NARRATOR,
                {
                    "provider": str(self.provider.currentData()),
                    "model": self.model.text().strip() or None,
                    "voice": self._voice(),
                    "speed": round(self.speed.value(), 2),
                },
                where="This role",
            )
            Cast.from_json({role.name: role.to_table()})  # the name is one a role can have
        except InputError as exc:
            self.error.setText(exc.message)
            return
        self.role = role
        self.accept()


class CastPanel(QWidget):
    """The roles of the project.

    Signals:
        cast_changed(object): the new Cast, after any edit or a file opened.
    """

    cast_changed = Signal(object)

    def __init__(self, ctx: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cast = Cast()
        self.roles = QListWidget()
        self.roles.setMinimumHeight(self.fontMetrics().height() * 3 + 14)
        self.roles.setToolTip(
            "Who speaks what: a paragraph starting “Alice:”, or [voice Alice] … [voice] in "
            "the script. Everything else is the Narrator's."
        )
        self.add_button = QPushButton("Add…")
        self.add_button.setToolTip("Add a role with a voice of its own")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Change the selected role's provider, model or voice")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Take the selected role out of the cast")
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Use a cast file (TOML) made before")
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save this cast as a file to reuse (also with narrate --cast)")
        self.status = QLabel()
        self.status.setWordWrap(True)
        # Two rows: the side column stays narrow enough for a 1024-pixel screen.
        buttons = QVBoxLayout()
        for row_buttons in (
            (self.add_button, self.edit_button, self.remove_button),
            (self.open_button, self.save_button),
        ):
            row = QHBoxLayout()
            for button in row_buttons:
                row.addWidget(button)
            row.addStretch(1)
            buttons.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        hint = QLabel("A voice per role. In the script: “Alice: …” or [voice Alice] … [voice].")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.roles, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.roles.itemDoubleClicked.connect(self._on_edit_clicked)
        self.roles.currentRowChanged.connect(self._on_current_row_changed)
        self.show_cast(Cast())

    # -- state -------------------------------------------------------------------------------

    def show_cast(self, cast: Cast, problem: str | None = None) -> None:
        """Show ``cast`` (and what is wrong with it, if anything); emits nothing."""
        self.cast = cast
        row = self.roles.currentRow()
        self.roles.clear()
        if not cast:
            item = QListWidgetItem("Narrator · the voice below")
            item.setIcon(swatch(cast.colour(NARRATOR)))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.roles.addItem(item)
        for role in cast:
            item = QListWidgetItem(f"{role.name} · {role.label()}")
            item.setIcon(swatch(cast.colour(role.name)))
            item.setData(Qt.ItemDataRole.UserRole, role.name)
            self.roles.addItem(item)
        if cast and not cast.narrator:
            item = QListWidgetItem("Narrator · the voice below")
            item.setIcon(swatch(cast.colour(NARRATOR)))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.roles.addItem(item)
        if cast and 0 <= row < len(cast.roles):
            self.roles.setCurrentRow(row)
        self.set_problem(problem)
        self._on_current_row_changed(self.roles.currentRow())

    def set_problem(self, problem: str | None) -> None:
        self.status.setText(problem or "")
        self.status.setStyleSheet("color: #c0392b" if problem else "")
        self.status.setVisible(bool(problem))

    def selected_role(self) -> Role | None:
        item = self.roles.currentItem()
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return self.cast.get(name) if isinstance(name, str) else None

    def _change(self, cast: Cast) -> None:
        self.show_cast(cast)
        self.cast_changed.emit(cast)

    # -- slots -------------------------------------------------------------------------------

    @Slot(int)
    def _on_current_row_changed(self, _row: int) -> None:
        chosen = self.selected_role() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)
        self.save_button.setEnabled(bool(self.cast))

    @Slot()
    def _on_add_clicked(self) -> None:
        self.open_role_dialog(None)

    @Slot()
    def _on_edit_clicked(self) -> None:
        role = self.selected_role()
        if role is not None:
            self.open_role_dialog(role)

    def open_role_dialog(self, role: Role | None) -> RoleDialog:
        dialog = RoleDialog(self.ctx, role, self)
        dialog.finished.connect(lambda result: self._role_dialog_closed(dialog, role, result))
        dialog.open()
        return dialog

    def _role_dialog_closed(self, dialog: RoleDialog, old: Role | None, result: int) -> None:
        new = dialog.role
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted or new is None:
            return
        cast = self.cast.without(old.name) if old is not None else self.cast
        self._change(cast.with_role(new))

    @Slot()
    def _on_remove_clicked(self) -> None:
        role = self.selected_role()
        if role is not None:
            self._change(self.cast.without(role.name))

    @Slot()
    def _on_open_clicked(self) -> None:
        # A plain slot: a modal dialog inside a task would stop every other task meanwhile.
        folders = RecentFolders(self.ctx)
        start = str(folders.start("cast"))
        path, _ = QFileDialog.getOpenFileName(self, "Open a cast file", start, CAST_FILTER)
        if path:
            folders.remember("cast", path)
            spawn(self.open_file(Path(path)), owner=self)

    async def open_file(self, path: Path) -> bool:
        """Use the cast in ``path``; a bad file is said here and the cast stays as it was."""
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
            cast = Cast.from_toml(text, name=f"The cast file {path.name}")
        except (OSError, UnicodeDecodeError) as exc:
            self.set_problem(f"Cannot read {path.name} ({exc}).")
            return False
        except InputError as exc:
            self.set_problem(exc.message)
            return False
        self._change(cast)
        return True

    @Slot()
    def _on_save_clicked(self) -> None:
        folders = RecentFolders(self.ctx)
        start = str(folders.start("cast") / "cast.toml")
        path, _ = QFileDialog.getSaveFileName(self, "Save the cast", start, CAST_FILTER)
        if path:
            folders.remember("cast", path)
            spawn(self.save_file(Path(path)), owner=self)

    async def save_file(self, path: Path) -> bool:
        try:
            await asyncio.to_thread(path.write_text, self.cast.to_toml(), encoding="utf-8")
        except OSError as exc:
            self.set_problem(f"Could not save {path.name} ({exc.strerror or exc}).")
            return False
        self.set_problem(None)
        return True
