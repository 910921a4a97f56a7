"""Offline engines run in a spawned worker process: the GUI never stalls and cancel is a hard stop.

Threads and processes:
- ``EngineWorker`` (parent side) is used from the event loop. It sends one request at a time
  and waits for the child's messages in a thread (``asyncio.to_thread``), so the loop stays free.
- The child (``_child_main``) runs one request at a time, keeps loaded models between requests,
  lowers its own CPU priority so the window keeps the upper hand, ignores Ctrl+C (the parent
  decides), and exits when idle for ``idle_timeout_s`` or when the parent goes away.
- Cancel (or any failure while a request runs) terminates the child: the CPU is free at once
  and the model's memory goes back to the system. The next request starts a fresh child.

Handlers are plain blocking functions named ``"module:function"``, imported in the child:
``handler(payload, emit, cache) -> result``; ``emit(event)`` sends progress or audio to the
parent as it happens, ``cache`` keeps loaded models. A StudioError raised there reaches the
caller as the same class and message; anything else is a bug and reaches the caller as one.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import AsyncGenerator, Callable
from multiprocessing.connection import Connection
from typing import Any

from audio_studio.core import errors
from audio_studio.core.errors import ProviderError, ProviderUnavailableError, StudioError

__all__ = ["EngineWorker", "shared_worker", "shutdown_workers"]

log = logging.getLogger(__name__)

Emit = Callable[[Any], None]
IDLE_TIMEOUT_S = 600.0
NICE = 5  # the GUI process keeps priority over inference when the cores are busy


class EngineWorker:
    """One worker process for one engine, started on first use and kept warm between requests."""

    def __init__(self, name: str, *, idle_timeout_s: float = IDLE_TIMEOUT_S, nice: int = NICE):
        self.name = name
        self.idle_timeout_s = idle_timeout_s
        self.nice = nice
        self._proc: Any = None  # multiprocessing.context.SpawnProcess
        self._conn: Connection | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return int(proc.pid) if proc is not None and proc.pid is not None else None

    def alive(self) -> bool:
        return self._proc is not None and bool(self._proc.is_alive())

    async def run(self, handler: str, payload: Any, on_event: Emit | None = None) -> Any:
        """Run ``handler(payload)`` in the worker; events go to ``on_event``; returns the result."""
        # aclosing: the request lock is released now, not when the generator is collected.
        async with contextlib.aclosing(self.events(handler, payload)) as events:
            async for kind, value in events:
                if kind == "done":
                    return value
                if on_event is not None:
                    on_event(value)
        raise AssertionError("the worker stream ended without a result")  # pragma: no cover

    async def events(self, handler: str, payload: Any) -> AsyncGenerator[tuple[str, Any], None]:
        """Yield ``("event", value)`` as the work goes and ``("done", result)`` at the end.

        Leaving the iteration early (cancel, an error, ``break``) terminates the worker.
        """
        async with self._request_lock():
            for attempt in (1, 2):
                conn = self._ensure_started()
                finished = False
                received = False
                try:
                    try:
                        conn.send(("run", handler, payload))
                    except OSError as exc:
                        # It quit (idle) between the check and the send: start another.
                        self._discard()
                        finished = True
                        if attempt == 2:
                            raise ProviderUnavailableError(
                                "The offline engine could not be started. Try again.",
                                provider="local",
                            ) from exc
                        continue
                    while True:
                        try:
                            message = await asyncio.to_thread(conn.recv)
                        except (EOFError, OSError) as exc:
                            code = await self._exitcode()
                            self._discard()
                            if attempt == 1 and not received and code == 0:
                                # It had just quit for being idle: start a new one and retry.
                                finished = True
                                break
                            # A crash in native code or the system running out of memory.
                            raise ProviderUnavailableError(
                                f"The offline engine stopped unexpectedly (exit code {code}). "
                                "Try again; if it keeps happening, the computer may be short "
                                "of memory for this model.",
                                provider="local",
                            ) from exc
                        received = True
                        tag = message[0]
                        if tag == "event":
                            yield ("event", message[1])
                        elif tag == "done":
                            finished = True
                            yield ("done", message[1])
                            return
                        elif tag == "error":
                            finished = True
                            raise _rebuild(message[1], message[2], message[3])
                        else:
                            finished = True  # the child is fine; the handler had a bug
                            raise RuntimeError(f"{self.name} engine failed:\n{message[1]}")
                finally:
                    if not finished:
                        self.stop()

    def stop(self) -> None:
        """Terminate the worker now (hard cancel); safe to call at any time."""
        proc = self._proc
        self._discard()
        if proc is not None and proc.is_alive():
            log.info("stopping the %s engine (pid %s)", self.name, proc.pid)
            proc.terminate()
            threading.Thread(target=_reap, args=(proc,), daemon=True).start()

    def _ensure_started(self) -> Connection:
        if self._conn is not None and self.alive():
            return self._conn
        self._discard()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=_child_main,
            args=(child, self.idle_timeout_s, self.nice),
            name=f"audio-studio-{self.name}",
            daemon=True,
        )
        # Starting is a fork/exec (under 10 ms), done here so a cancel cannot orphan a child.
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        log.info("started the %s engine (pid %s)", self.name, proc.pid)
        return parent

    def _discard(self) -> None:
        # The connection is not closed here: a thread may still be blocked in recv() on it,
        # and it returns with EOFError once the child is gone; then the object is freed.
        self._proc = None
        self._conn = None

    async def _exitcode(self) -> int | None:
        proc = self._proc
        if proc is None:
            return None
        await asyncio.to_thread(proc.join, 1.0)
        code = proc.exitcode
        return int(code) if code is not None else None

    def _request_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock = asyncio.Lock()
            self._lock_loop = loop
        return self._lock


def _reap(proc: Any) -> None:
    proc.join(2.0)
    if proc.is_alive():
        proc.kill()
        proc.join(2.0)


def _rebuild(class_name: str, message: str, retryable: bool) -> StudioError:
    cls = getattr(errors, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, StudioError)):
        cls = ProviderError
    try:
        error = cls(message, retryable=retryable, provider="local")
    except TypeError:  # a subclass with other keyword arguments
        error = ProviderError(message, retryable=retryable, provider="local")
    return error


# -- one warm worker per engine, for the whole process ------------------------------------

# A loaded model is a machine-wide resource: provider objects are rebuilt whenever settings
# change, and each rebuild must not load the model again, so the workers live here.
_WORKERS: dict[str, EngineWorker] = {}


def shared_worker(name: str) -> EngineWorker:
    worker = _WORKERS.get(name)
    if worker is None:
        worker = _WORKERS[name] = EngineWorker(name)
    return worker


def shutdown_workers() -> None:
    """Stop every worker (frees the models' memory); they start again when next needed."""
    for worker in _WORKERS.values():
        worker.stop()


# -- the child -----------------------------------------------------------------------------


def _child_main(conn: Connection, idle_timeout_s: float, nice: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(nice)
    cache: dict[str, Any] = {}
    handlers: dict[str, Callable[[Any, Emit, dict[str, Any]], Any]] = {}
    while True:
        try:
            if not conn.poll(idle_timeout_s):
                return  # idle: give the memory back
            _tag, name, payload = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return  # the parent went away
        try:
            handler = handlers.get(name)
            if handler is None:
                module, func = name.split(":")
                handler = handlers[name] = getattr(importlib.import_module(module), func)
            result = handler(payload, lambda event: conn.send(("event", event)), cache)
            reply: tuple[Any, ...] = ("done", result)
        except StudioError as exc:
            reply = ("error", type(exc).__name__, exc.message, exc.retryable)
        except Exception:
            reply = ("bug", traceback.format_exc())
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
