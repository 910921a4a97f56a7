"""Settings → Providers: enable, API key (through the SecretStore), base URL, Test connection.

A provider described from its vendor's own page (the two gateways) names that page and lists
what it says that could not be checked without an account.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from audio_studio.core.errors import StudioError
from audio_studio.core.providers.registry import ProviderSpec
from audio_studio.core.settings import ProviderSettings, Settings
from audio_studio.core.studio import Studio
from audio_studio.ui import messages
from audio_studio.ui.tasks import asyncSlot


class ProvidersPage(QWidget):
    """One list of providers; the form on the right edits the selected one."""

    def __init__(self, studio: Studio, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.studio = studio
        self._edits: dict[str, ProviderSettings] = dict(studio.settings.providers)
        self._current: ProviderSpec | None = None

        self.list = QListWidget()
        self.list.setMaximumWidth(200)
        for spec in studio.registry.specs():
            item = QListWidgetItem(spec.info.name)
            item.setData(Qt.ItemDataRole.UserRole, spec.info.id)
            self.list.addItem(item)
        self.empty_label = QLabel("No providers are installed in this build.")
        self.empty_label.setVisible(self.list.count() == 0)

        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold")
        self.description = QLabel()
        self.description.setWordWrap(True)
        # The page a preset follows and what it could not check: long, so it scrolls.
        self.source = QTextBrowser()
        self.source.setObjectName("providerSource")
        self.source.setOpenExternalLinks(True)
        self.source.setMinimumHeight(90)
        self.enabled = QCheckBox("Use this provider")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("Paste the API key")
        self.key.setObjectName("apiKeyEdit")
        self.save_key_button = QPushButton("Save key")
        self.save_key_button.setObjectName("saveKeyButton")
        self.remove_key_button = QPushButton("Remove key")
        self.key_state = QLabel()
        self.key_state.setObjectName("keyState")
        self.key_state.setWordWrap(True)
        # Two lines kept for it: a message of another length must not move Test connection.
        self.key_state.setMinimumHeight(2 * self.key_state.fontMetrics().lineSpacing() + 4)
        self.key_state.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.store_state = QLabel("Checking where keys can be kept…")
        self.store_state.setObjectName("secretStoreStatus")
        self.store_state.setWordWrap(True)
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("https://…/v1")
        self.test_button = QPushButton("Test connection")
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.save_key_button)
        key_row.addWidget(self.remove_key_button)
        self.form = QFormLayout()
        self.form.addRow(self.enabled)
        self.form.addRow("API key", key_row)
        self.form.addRow("", self.key_state)
        self.form.addRow("Base URL", self.base_url)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.description)
        right.addLayout(self.form)
        right.addLayout(test_row)
        right.addWidget(self.source, 10)
        right.addStretch(1)
        right.addWidget(self.store_state)
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.empty_label)
        layout.addLayout(left)
        layout.addLayout(right, 1)

        self.list.currentRowChanged.connect(self._on_list_current_row_changed)
        self.save_key_button.clicked.connect(self._on_save_key_clicked)
        # Enter in the key field saves the key; it must not also press the dialog's Save.
        self.key.installEventFilter(self)
        self.remove_key_button.clicked.connect(self._on_remove_key_clicked)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.enabled.toggled.connect(self._remember)
        self.base_url.editingFinished.connect(self._remember)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self._show(None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.key
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.save_key_button.click()
            return True
        return super().eventFilter(watched, event)

    # -- reading the form back ---------------------------------------------------------------

    def apply_to(self, settings: Settings) -> Settings:
        self._remember()
        for pid, ps in self._edits.items():
            settings = settings.with_provider(
                pid,
                enabled=ps.enabled,
                base_url=ps.base_url,
                model=ps.model,
                voice=ps.voice,
                max_concurrency=ps.max_concurrency,
            )
        return settings

    @Slot()
    def _remember(self) -> None:
        if self._current is None:
            return
        pid = self._current.info.id
        old = self._edits.get(pid, ProviderSettings())
        url = self.base_url.text().strip() or None
        self._edits[pid] = ProviderSettings(
            enabled=self.enabled.isChecked(),
            base_url=url if self._current.info.base_url_configurable else old.base_url,
            model=old.model,
            voice=old.voice,
            max_concurrency=old.max_concurrency,
        )

    # -- selection ---------------------------------------------------------------------------

    @asyncSlot(int)
    async def _on_list_current_row_changed(self, row: int) -> None:
        self._remember()
        item = self.list.item(row)
        spec = self.studio.registry.spec(item.data(Qt.ItemDataRole.UserRole)) if item else None
        self._show(spec)
        await self.refresh_key_state()

    def _show(self, spec: ProviderSpec | None) -> None:
        self._current = spec
        for w in (
            self.enabled,
            self.key,
            self.save_key_button,
            self.remove_key_button,
            self.base_url,
            self.test_button,
        ):
            w.setEnabled(spec is not None)
        self.test_result.clear()
        self.key.clear()
        if spec is None:
            self.title.setText("")
            self.description.setText("")
            self.source.clear()
            return
        info = spec.info
        ps = self._edits.get(info.id, ProviderSettings())
        self.title.setText(info.name)
        missing = spec.unavailable(None)
        details = [info.description] if info.description else []
        if info.local:
            details.append("Runs on this computer: no key, no network, no cost.")
        if missing:
            details.append(missing)
        self.description.setText(" ".join(details))
        self.source.setHtml(_source_html(info.source_page, info.unverified))
        self.source.setVisible(bool(info.source_page or info.unverified))
        self.enabled.setChecked(ps.enabled)
        for w in (self.key, self.save_key_button, self.remove_key_button):
            w.setVisible(info.needs_key or info.base_url_configurable)
        self.form.setRowVisible(1, info.needs_key or info.base_url_configurable)
        self.form.setRowVisible(2, info.needs_key or info.base_url_configurable)
        self.form.setRowVisible(3, info.base_url_configurable)
        self.base_url.setText(ps.base_url or "")
        self.base_url.setPlaceholderText(info.default_base_url or "https://…/v1")

    async def refresh_key_state(self) -> None:
        spec = self._current
        try:
            store = await self.studio.secret_store()
            self.store_state.setText(store.status)
            if spec is None:
                return
            has = await self.studio.has_api_key(spec.info.id)
        except StudioError as exc:
            self.key_state.setText(messages.status_text(exc))
            return
        if spec is not self._current:
            return
        if not (spec.info.needs_key or spec.info.base_url_configurable):
            self.key_state.setText("")
        elif has:
            self.key_state.setText(
                "A key is stored." if store.persistent else "A key is set for this session."
            )
        else:
            self.key_state.setText("No key stored.")
            self.key.setFocus()  # the one thing to do on this page

    # -- actions -----------------------------------------------------------------------------

    @asyncSlot()
    async def _on_save_key_clicked(self) -> None:
        await self.save_key()

    async def save_key(self) -> None:
        spec = self._current
        if spec is None:
            return
        text = self.key.text().strip()
        if not text:
            self.key_state.setText("Paste a key first, or use Remove key.")
            return
        self.save_key_button.setEnabled(False)
        try:
            await self.studio.set_api_key(spec.info.id, text)
            self.key.clear()
        except StudioError as exc:
            self.key_state.setText(messages.status_text(exc))
            return
        finally:
            self.save_key_button.setEnabled(True)
        await self.refresh_key_state()

    @asyncSlot()
    async def _on_remove_key_clicked(self) -> None:
        spec = self._current
        if spec is None:
            return
        try:
            await self.studio.delete_api_key(spec.info.id)
        except StudioError as exc:
            self.key_state.setText(messages.status_text(exc))
            return
        await self.refresh_key_state()

    @asyncSlot()
    async def _on_test_clicked(self) -> None:
        await self.test_connection()

    async def test_connection(self) -> None:
        spec = self._current
        if spec is None:
            return
        # Test what is on screen without saving it: Cancel must still discard the change.
        self._remember()
        ps = self._edits.get(spec.info.id, ProviderSettings())
        self.test_button.setEnabled(False)
        self.test_result.setText("Testing…")
        try:
            report = await self.studio.test_connection(spec.info.id, ps)
        except StudioError as exc:
            # The user is on that page already: say what to do here, not where to go.
            text = messages.describe(exc).text.replace(" in Settings → Providers", " above")
            self.test_result.setText(f"✗ {text}")
        else:
            self.test_result.setText(f"✓ {report}")
        finally:
            self.test_button.setEnabled(True)


def _source_html(page: str | None, unverified: tuple[str, ...]) -> str:
    """Where the description comes from, and what could not be checked, as rich text."""
    parts = []
    if page:
        where = (
            f'<a href="{html.escape(page)}">{html.escape(page)}</a>'
            if page.startswith("https://")
            else html.escape(page)
        )
        parts.append(f"<p>Described from its own page: {where}</p>")
    if unverified:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in unverified)
        parts.append(f"<p>Not verified without an account:</p><ul>{items}</ul>")
    return "".join(parts)
