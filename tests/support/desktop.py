"""The real desktop stack for tests: Xvfb, a PulseAudio null sink with a mic, and a Secret Service.

Each piece is a session fixture that starts its daemon in a private temp folder, waits until
it answers, and kills it at the end. If a program is missing the test is skipped, unless
AUDIO_STUDIO_REQUIRE_DESKTOP=1 (the README's test command sets it), where that is a failure:
CI must never pass by silently skipping the real parts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

KEYRING_PASSWORD = "ci-keyring-pw"


def need_programs(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if not missing:
        return
    text = f"needs {', '.join(missing)} (installed by the README's test command)"
    if os.environ.get("AUDIO_STUDIO_REQUIRE_DESKTOP") == "1":
        pytest.fail(text)
    pytest.skip(text)


def _wait(check: callable, what: str, timeout: float = 10.0) -> None:  # type: ignore[valid-type]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass(frozen=True)
class XServer:
    display: str

    def env(self) -> dict[str, str]:
        return {"DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}


@pytest.fixture(scope="session")
def xvfb() -> Iterator[XServer]:
    """A private X server (Xvfb) on a free display."""
    need_programs("Xvfb")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as fh:
            number = fh.readline().strip().decode()
        if not number:
            raise RuntimeError("Xvfb did not report a display")
        yield XServer(f":{number}")
    finally:
        _stop(proc)


@dataclass(frozen=True)
class PulseServer:
    server: str  # unix:/path/to/socket
    runtime_dir: Path
    sink: str = "studio_sink"
    source: str = "studio_mic"

    def env(self) -> dict[str, str]:
        return {"PULSE_SERVER": self.server, "XDG_RUNTIME_DIR": str(self.runtime_dir)}

    def pactl(self, *args: str) -> str:
        out = subprocess.run(
            ["pactl", *args],
            env={**os.environ, **self.env()},
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return out.stdout


@pytest.fixture(scope="session")
def pulse() -> Iterator[PulseServer]:
    """A private PulseAudio with a null sink and its monitor remapped as a microphone."""
    need_programs("pulseaudio", "pactl")
    runtime = Path(tempfile.mkdtemp(prefix="studio-pulse-"))
    runtime.chmod(0o700)
    socket_path = runtime / "pulse.sock"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime)}
    proc = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--use-pid-file=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--disable-shm=yes",
            f"--load=module-native-protocol-unix socket={socket_path} auth-anonymous=1",
            "--load=module-null-sink sink_name=studio_sink rate=48000 "
            "sink_properties=device.description=StudioNull",
            "--load=module-remap-source master=studio_sink.monitor source_name=studio_mic "
            "source_properties=device.description=StudioMic",
            f"--log-target=file:{runtime / 'pulse.log'}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = PulseServer(f"unix:{socket_path}", runtime)

    def answers() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"pulseaudio exited: {(runtime / 'pulse.log').read_text()}")
        result = subprocess.run(
            ["pactl", "info"], env={**os.environ, **server.env()}, capture_output=True, timeout=5
        )
        return result.returncode == 0

    try:
        _wait(answers, "PulseAudio")
        server.pactl("set-default-sink", server.sink)
        server.pactl("set-default-source", server.source)
        yield server
    finally:
        _stop(proc)
        shutil.rmtree(runtime, ignore_errors=True)


@dataclass(frozen=True)
class SecretService:
    bus_address: str
    data_home: Path
    runtime_dir: Path

    def env(self) -> dict[str, str]:
        return {
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "XDG_DATA_HOME": str(self.data_home),
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
        }

    def lookup(self, name: str) -> str | None:
        """What `secret-tool` (libsecret, not our code) finds for the studio's item ``name``."""
        out = subprocess.run(
            ["secret-tool", "lookup", "service", "audio-studio", "username", name],
            env={**os.environ, **self.env()},
            capture_output=True,
            text=True,
            timeout=10,
        )
        return out.stdout if out.returncode == 0 else None


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretService]:
    """A private D-Bus session bus with an unlocked gnome-keyring as org.freedesktop.secrets."""
    need_programs("dbus-daemon", "gnome-keyring-daemon", "dbus-send", "secret-tool")
    root = Path(tempfile.mkdtemp(prefix="studio-keyring-"))
    runtime = root / "run"
    data_home = root / "data"
    runtime.mkdir(mode=0o700)
    data_home.mkdir()
    bus = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--print-address=1",
            f"--address=unix:path={runtime / 'bus'}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().decode().strip()
    bus.stdout.close()
    service = SecretService(address, data_home, runtime)
    env = {**os.environ, **service.env()}
    keyring_daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert keyring_daemon.stdin is not None
    keyring_daemon.stdin.write(KEYRING_PASSWORD.encode())
    keyring_daemon.stdin.close()

    def owned() -> bool:
        out = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return "boolean true" in out.stdout

    try:
        _wait(owned, "gnome-keyring (Secret Service)")
        yield service
    finally:
        _stop(keyring_daemon)
        _stop(bus)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def environ(values: dict[str, str], remove: tuple[str, ...] = ()) -> Iterator[None]:
    """Set environment variables for a block and restore them afterwards."""
    saved = {k: os.environ.get(k) for k in (*values, *remove)}
    os.environ.update(values)
    for key in remove:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
