"""The pronunciation list: one "word = how to say it" a line, tried out before it is used."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.errors import InputError
from audio_studio.core.text import Lexicon


class LexiconDialog(QDialog):
    """Edit a Lexicon; ``lexicon`` holds the result once accepted."""

    def __init__(self, lexicon: Lexicon, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pronunciation")
        self.lexicon = lexicon
        intro = QLabel(
            "Words the voices say wrong, and how to write them so they come out right. One a "
            "line, like “Nguyen = Win”. Whole words only; an entry in lower case matches any "
            "capitalisation. The same list is used with every provider."
        )
        intro.setWordWrap(True)
        self.editor = QPlainTextEdit(lexicon.to_text())
        self.editor.setPlaceholderText("Nguyen = Win\nGIF = jif\nSQL = sequel")
        self.sample = QLineEdit()
        self.sample.setPlaceholderText("Try a sentence here to see how it will be said")
        self.result = QLabel()
        self.result.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.editor, self.sample, self.result, buttons):
            layout.addWidget(widget)
        self.editor.textChanged.connect(self._on_changed)
        self.sample.textChanged.connect(self._on_changed)
        self.resize(460, 380)

    def parsed(self) -> Lexicon | None:
        try:
            return Lexicon.parse(self.editor.toPlainText())
        except InputError as exc:
            self.result.setText(exc.message)
            return None

    @Slot()
    def _on_changed(self) -> None:
        lexicon = self.parsed()
        if lexicon is not None:
            text = self.sample.text().strip()
            self.result.setText(f"Said as: {lexicon.apply(text)}" if text else "")

    def accept(self) -> None:
        lexicon = self.parsed()
        if lexicon is None:
            return  # the mistake is shown; nothing the user typed is lost
        self.lexicon = lexicon
        super().accept()
