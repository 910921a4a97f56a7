"""The one place that decides how a StudioError looks to the user: title, text, severity."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from audio_studio.core.errors import (
    AudioError,
    AuthenticationError,
    BudgetExceededError,
    ConfigurationError,
    InputError,
    MissingApiKeyError,
    NetworkError,
    ProviderError,
    ProviderUnavailableError,
    QuotaExceededError,
    RateLimitedError,
    StorageError,
    StudioError,
)

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext
    from audio_studio.core.preflight import Preflight


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    severity: Severity
    action: str | None = None  # e.g. "Open Settings", when a fix lives there


def describe(error: BaseException) -> Message:
    """Title, text and severity for an error; anything not a StudioError is a bug."""
    if not isinstance(error, StudioError):
        return Message(
            "Unexpected error",
            "Something went wrong inside Audio Studio. Details were written to the log.",
            Severity.ERROR,
        )
    named = error.provider and error.provider.lower() in error.message.lower()
    who = f"{error.provider}: " if error.provider and not named else ""
    text = f"{who}{error.message}"
    if isinstance(error, MissingApiKeyError | AuthenticationError):
        return Message("API key needed", text, Severity.WARNING, "Open Settings")
    if isinstance(error, BudgetExceededError):
        return Message("Budget reached", text, Severity.WARNING, "Open Settings")
    if isinstance(error, ConfigurationError):
        return Message("Check the settings", text, Severity.WARNING, "Open Settings")
    if isinstance(error, InputError):
        return Message("Check the input", text, Severity.INFO)
    if isinstance(error, QuotaExceededError):
        return Message("Out of credits", text, Severity.WARNING)
    if isinstance(error, RateLimitedError):
        return Message("Provider busy", text, Severity.WARNING)
    if isinstance(error, ProviderUnavailableError):
        return Message("Provider unavailable", text, Severity.WARNING)
    if isinstance(error, ProviderError):
        return Message("The provider refused", text, Severity.ERROR)
    if isinstance(error, NetworkError):
        return Message("Network problem", text, Severity.WARNING)
    if isinstance(error, AudioError):
        return Message("Audio problem", text, Severity.ERROR)
    if isinstance(error, StorageError):
        return Message("Storage problem", text, Severity.ERROR)
    return Message("Error", text, Severity.ERROR)


def status_text(error: BaseException) -> str:
    """One line for the status bar."""
    msg = describe(error)
    return f"{msg.title}: {msg.text}"


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """A modal box for an error the user must see now (most errors show inline instead)."""
    msg = describe(error)
    icon = {
        Severity.INFO: QMessageBox.Icon.Information,
        Severity.WARNING: QMessageBox.Icon.Warning,
        Severity.ERROR: QMessageBox.Icon.Critical,
    }[msg.severity]
    box = QMessageBox(icon, msg.title, msg.text, QMessageBox.StandardButton.Ok, parent)
    box.open()


async def agree_to_unknown_cost(
    parent: QWidget | None, ctx: StudioContext, check: Preflight
) -> bool:
    """Ask before a job whose cost is unknown starts on a provider with a budget.

    Yes lets such jobs start on that provider for the rest of the session (the CLI's --yes);
    True when nothing needed asking. The box is window-modal and awaited, not exec()'d.
    """
    if not check.confirm or ctx.unknown_cost_ok(check.provider):
        return True
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Cost unknown",
        f"{check.confirm} Start jobs on {check.provider} anyway? Until the studio closes it "
        "will not ask again.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    box.finished.connect(lambda _r: answered.done() or answered.set_result(None))
    box.open()
    await answered
    yes = box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
    if yes:
        ctx.accept_unknown_cost(check.provider)
    return yes
