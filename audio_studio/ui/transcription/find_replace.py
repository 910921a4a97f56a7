"""Find and replace across the open transcript (one undo step per Replace all).

Signals:
    replace_requested(str, str, bool, bool): find, replace, match case, whole words.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class FindReplaceDialog(QDialog):
    """A small non-modal dialog: what to find, what to put instead, Replace all."""

    replace_requested = Signal(str, str, bool, bool)

    def __init__(self, parent: QWidget | None = None, find: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Find and replace")
        self.setObjectName("findReplaceDialog")
        self.find = QLineEdit(find)
        self.find.setObjectName("findText")
        self.replace = QLineEdit()
        self.replace.setObjectName("replaceText")
        self.match_case = QCheckBox("Match case")
        self.whole_words = QCheckBox("Whole words only")
        form = QFormLayout()
        form.addRow("Find", self.find)
        form.addRow("Replace with", self.replace)
        form.addRow(self.match_case)
        form.addRow(self.whole_words)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.replace_all_button = QPushButton("Replace all")
        self.replace_all_button.setDefault(True)
        buttons.addButton(self.replace_all_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.replace_all_button.clicked.connect(self._on_replace_all_button_clicked)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @Slot()
    def _on_replace_all_button_clicked(self) -> None:
        if self.find.text():
            self.replace_requested.emit(
                self.find.text(),
                self.replace.text(),
                self.match_case.isChecked(),
                self.whole_words.isChecked(),
            )
