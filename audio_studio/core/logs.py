"""Logging set-up: a rotating file in the data dir, and a filter that scrubs credentials."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

__all__ = ["RedactingFilter", "redact", "setup_logging"]

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

# Authorization headers, ElevenLabs' header, and the usual key shapes (sk-..., gsk_..., r8_...).
_PATTERNS = (
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|token|basic)?\s*)[^\s'\",}]+"),
    re.compile(r"(?i)(xi-api-key['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
    re.compile(r"(?i)(api[_-]?key['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
    re.compile(r"()\b(?:sk|gsk|r8|xi)[-_][A-Za-z0-9_\-]{12,}"),
)


def redact(text: str) -> str:
    """Replace anything that looks like a credential with ``***``."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}***", text)
    return text


class RedactingFilter(logging.Filter):
    """Formats the record's message once and scrubs credentials from it (and its traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def setup_logging(
    log_path: Path | None, *, level: int = logging.INFO, stderr: bool = False
) -> None:
    """Send the studio's logs to a rotating file (2 MB x 3) and optionally to stderr.

    Blocking (opens the file): call once at start-up.
    """
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_audio_studio", False):
            root.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = []
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
        )
    if stderr:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactingFilter())
        handler._audio_studio = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # httpx logs every request URL at INFO; keep it at WARNING so query strings stay out.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
