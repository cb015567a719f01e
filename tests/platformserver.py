"""The real reference platform on 127.0.0.1, for tests (style rule 14: real server on loopback).

    platform = start_platform(tmp_path)                 # uvicorn in a thread, SQLite, sandbox
    try:
        httpx.get(platform.url + "/api/v1/time")
        bidder = platform.identity("bidder")            # first sandbox bidder: (p12, password)
    finally:
        platform.stop()

    proc = start_platform_process(tmp_path)             # a child process, for SIGKILL tests
    proc.kill()                                         # SIGKILL; proc.restart() starts it again

``url`` is the origin (``http://127.0.0.1:PORT``); the API lives under ``client.wire.API_PREFIX``.
``clock`` replaces the platform's clock (in-process only). Sandbox keys come from a per-process
pool of pre-generated RSA keys so that starting a platform costs milliseconds, not seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from client.wire import API_PREFIX
from crypto.ca import KeyType, generate_key
from server.config import Config
from server.sandbox import seed

__all__ = [
    "PlatformProcess",
    "RunningPlatform",
    "SettableClock",
    "key_pool",
    "start_platform",
    "start_platform_process",
]

REPO = Path(__file__).resolve().parent.parent


class _KeyPool:
    """RSA-2048 keys generated once per test process and handed out round-robin. Reusing a key
    across unrelated sandboxes is harmless (each has its own CA) and saves ~1 s per sandbox."""

    def __init__(self, size: int = 24) -> None:
        self._size = size
        self._keys: list[Any] = []
        self._next = 0
        self._lock = threading.Lock()

    def __call__(self) -> Any:
        with self._lock:
            if len(self._keys) < self._size:
                self._keys.append(generate_key(KeyType.RSA2048))
                return self._keys[-1]
            key = self._keys[self._next % self._size]
            self._next += 1
            return key


key_pool = _KeyPool()

_template: Path | None = None
_template_lock = threading.Lock()


def _fast_seed(config: Config) -> None:
    """Seed the sandbox, reusing one per-process set of identity files (CA, people, receipt
    identity): writing PKCS#12 files is the slow part, and ``seed`` keeps existing ones."""
    global _template
    import shutil
    import tempfile

    with _template_lock:
        if _template is None:
            template = Path(tempfile.mkdtemp(prefix="sealbid-sandbox-template-"))
            seed(Config(data_dir=template, sandbox=True), key_factory=key_pool)
            _template = template
    if not (config.data_dir / "sandbox").exists():
        config.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copytree(_template / "sandbox", config.data_dir / "sandbox")
        for name in ("platform.p12", "platform.password"):
            shutil.copy2(_template / name, config.data_dir / name)
    seed(config, key_factory=key_pool)


class SettableClock:
    """A platform clock for tests: real time shifted by ``offset``, or any function of choice.

    clock = SettableClock(); start_platform(tmp, clock=clock); clock.offset = timedelta(hours=1)
    """

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.function: Callable[[], datetime] | None = None

    def __call__(self) -> datetime:
        if self.function is not None:
            return self.function()
        return datetime.now(UTC) + self.offset

    def reset(self) -> None:
        self.offset = timedelta(0)
        self.function = None


@dataclass
class RunningPlatform:
    """A platform serving on loopback in a background thread."""

    url: str
    data_dir: Path
    sandbox: dict[str, Any] | None
    config: Config
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    clock: Callable[[], datetime] | None = None

    @property
    def platform(self) -> Any:
        """The in-process ``server.platform.Platform`` (database, stores) behind the app."""
        return self._server.config.app.state.platform

    @property
    def api(self) -> str:
        """``url`` + ``/api/v1``."""
        return self.url + API_PREFIX

    def identity(self, role: str, index: int = 0) -> tuple[Path, bytes]:
        """The ``index``-th sandbox identity of ``role``: its .p12 path and password."""
        return _identity(self.sandbox, role, index)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self.platform.close()


def _identity(sandbox: dict[str, Any] | None, role: str, index: int) -> tuple[Path, bytes]:
    if sandbox is None:
        raise LookupError("this platform has no sandbox")
    matches = [i for i in sandbox["identities"] if i["role"] == role]
    entry = matches[index]
    password = Path(entry["password_file"]).read_text("utf-8").splitlines()[0].encode()
    return Path(entry["p12"]), password


def _wait_ready(url: str, timeout: float = 30.0, alive: Callable[[], bool] = lambda: True) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the platform exited while starting")
        try:
            if httpx.get(url + API_PREFIX + "/time", timeout=2).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.02)
    raise RuntimeError(f"platform at {url} did not answer: {last}")


def _config(
    data_dir: Path, db_url: str | None, sandbox: bool, clock: Callable[[], datetime] | None
) -> Config:
    kwargs: dict[str, Any] = {"data_dir": data_dir, "db_url": db_url, "sandbox": sandbox}
    if clock is not None:
        kwargs["clock"] = clock
    return Config(**kwargs)


def _read_sandbox(config: Config) -> dict[str, Any] | None:
    path = config.data_dir / "sandbox.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else None


def start_platform(
    tmp_path: Path,
    *,
    db_url: str | None = None,
    sandbox: bool = True,
    clock: Callable[[], datetime] | None = None,
    data_dir: Path | None = None,
    config: Config | None = None,
) -> RunningPlatform:
    """Start the platform (uvicorn in a thread) on 127.0.0.1 with a free port.

    ``data_dir`` defaults to ``tmp_path/platform``; reusing one restarts on the same data.
    ``config`` replaces the one built from ``data_dir``, ``db_url``, ``sandbox`` and ``clock``.
    """
    from server.app import create_app
    from server.run import bind, make_server

    if config is None:
        config = _config(data_dir or tmp_path / "platform", db_url, sandbox, clock)
    if config.sandbox:
        _fast_seed(config)
    app = create_app(config)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = make_server(app)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="sealbid-platform", daemon=True
    )
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, alive=thread.is_alive)
    except BaseException:
        server.should_exit = True
        thread.join(timeout=10)
        raise
    return RunningPlatform(
        url=url,
        data_dir=config.data_dir,
        sandbox=_read_sandbox(config),
        config=config,
        _server=server,
        _thread=thread,
        clock=config.clock,
    )


@dataclass
class PlatformProcess:
    """The platform as a child process (``python -m server``), so a test can SIGKILL it."""

    data_dir: Path
    db_url: str | None
    sandbox: dict[str, Any] | None
    env: dict[str, str]
    url: str = ""
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def api(self) -> str:
        return self.url + API_PREFIX

    def identity(self, role: str, index: int = 0) -> tuple[Path, bytes]:
        return _identity(self.sandbox, role, index)

    def start(self, *, env: dict[str, str] | None = None) -> None:
        """Start (or restart on the same data and port) and wait until it answers."""
        ready = self.data_dir.parent / f"{self.data_dir.name}.ready"
        ready.unlink(missing_ok=True)
        port = self.url.rsplit(":", 1)[1] if self.url else "0"
        cmd = [sys.executable, "-m", "server", "--data", str(self.data_dir)]
        cmd += ["--host", "127.0.0.1", "--port", port, "--ready-file", str(ready)]
        if self.db_url:
            cmd += ["--db", self.db_url]
        if self.sandbox is not None:
            cmd.append("--sandbox")
        self.log = self.data_dir.parent / f"{self.data_dir.name}.log"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=REPO,
                env={**os.environ, **self.env, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while not ready.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"platform process exited: {self.log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("platform process did not start")
            time.sleep(0.02)
        self.url = ready.read_text("utf-8").strip()
        _wait_ready(self.url, alive=lambda: self.proc is not None and self.proc.poll() is None)

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flush, as a power cut would look to the process."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def wait_exit(self, timeout: float = 30) -> int:
        """Wait for the process to end by itself (e.g. a fault-injected crash)."""
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def restart(self, *, env: dict[str, str] | None = None) -> None:
        self.kill()
        self.start(env=env)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_platform_process(
    tmp_path: Path,
    *,
    db_url: str | None = None,
    sandbox: bool = True,
    env: dict[str, str] | None = None,
    data_dir: Path | None = None,
) -> PlatformProcess:
    """Start ``python -m server`` on 127.0.0.1 (free port) and wait until it answers.

    The sandbox is seeded here first (with the fast key pool); the child finds it seeded.
    ``env`` is added to the child's environment (e.g. ``SEALBID_CRASH_AT`` fault points).
    """
    data = data_dir or tmp_path / "platform"
    config = _config(data, db_url, sandbox, None)
    if sandbox:
        _fast_seed(config)
    p = PlatformProcess(
        data_dir=config.data_dir, db_url=db_url, sandbox=_read_sandbox(config), env=env or {}
    )
    p.start()
    return p
