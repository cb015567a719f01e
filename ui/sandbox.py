"""The embedded sandbox platform: the reference server started inside the app, on 127.0.0.1.

    sandbox = EmbeddedPlatform.start(data_dir)     # slow on first start (seeds keys): a worker
    sandbox.url                                    # http://127.0.0.1:PORT
    sandbox.identities("bidder")                   # [SandboxIdentity(name, p12, password), …]
    sandbox.stop()

The desktop app never imports ``server`` except here (style rule 1), so that a newcomer can do
the whole flow without a real platform. The data (database, bid store, sandbox CA and the
demo identities with their password files) lives in the user's data folder; a restart keeps it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from crypto._files import atomic_write
from sealbid.errors import SealBidError

__all__ = ["EmbeddedPlatform", "SandboxIdentity", "SandboxStartError"]


class SandboxStartError(SealBidError):
    code = "ui.sandbox_start"
    zh = "内置沙箱平台无法启动：{why}。可在“设置”中改用平台地址。"
    en = "The embedded sandbox platform could not start: {why}. You can enter a platform URL in Settings instead."


@dataclass(frozen=True)
class SandboxIdentity:
    """A demo person of the sandbox: offered at login so a newcomer needs no certificate."""

    role: str
    name: str
    org_code: str | None
    p12: Path
    password_file: Path

    def password(self) -> bytes:
        return self.password_file.read_text("utf-8").splitlines()[0].encode()


class EmbeddedPlatform:
    """The reference platform serving from a thread of this process."""

    def __init__(self, url: str, data_dir: Path, server: Any, thread: threading.Thread) -> None:
        self.url = url
        self.data_dir = data_dir
        self._server = server
        self._thread = thread

    @classmethod
    def start(
        cls,
        data_dir: Path,
        *,
        seeder: Callable[[Any], None] | None = None,
        clock: Callable[[], Any] | None = None,
        timeout: float = 60.0,
    ) -> EmbeddedPlatform:
        """Seed (first start) and serve ``data_dir`` on a free loopback port. Call from a
        worker: seeding makes keys and certificates. ``seeder`` replaces the seeding (tests
        reuse pre-made identities); ``clock`` replaces the platform's clock."""
        from server.app import create_app
        from server.config import Config
        from server.run import bind, make_server

        data_dir = Path(data_dir)
        kwargs: dict[str, Any] = {"data_dir": data_dir, "sandbox": True}
        if clock is not None:
            kwargs["clock"] = clock
        config = Config(**kwargs)
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            if seeder is not None:
                seeder(config)
            app = create_app(config)
        except SealBidError:
            raise
        except OSError as exc:
            raise SandboxStartError(str(exc), why=exc.strerror or type(exc).__name__) from exc
        # The same port as last time when it is free: the client keys unfinished uploads (and
        # the user's settings) by the platform's URL, so an upload paused before a restart
        # resumes after it.
        port_file = data_dir / "port"
        try:
            saved = int(port_file.read_text("ascii").strip())
        except (OSError, ValueError):
            saved = 0
        try:
            try:
                sock = bind("127.0.0.1", saved) if 0 < saved < 65536 else bind("127.0.0.1", 0)
            except OSError:
                sock = bind("127.0.0.1", 0)
        except OSError as exc:
            app.state.platform.close()
            raise SandboxStartError(str(exc), why=exc.strerror or type(exc).__name__) from exc
        port = sock.getsockname()[1]
        if port != saved:
            atomic_write(port_file, str(port).encode("ascii"))
        url = f"http://127.0.0.1:{port}"
        server = make_server(app)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="sandbox-platform", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(url + "/api/v1/time", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                app.state.platform.close()
                raise SandboxStartError("no answer", why="no answer on " + url)
            time.sleep(0.02)
        return cls(url, data_dir, server, thread)

    def _sandbox(self) -> dict[str, Any]:
        path = self.data_dir / "sandbox.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return {"identities": [], "sections": []}
        return data

    def identities(self, role: str | None = None) -> list[SandboxIdentity]:
        out = []
        for entry in self._sandbox().get("identities", []):
            if role is not None and entry.get("role") != role:
                continue
            out.append(
                SandboxIdentity(
                    role=entry["role"],
                    name=entry["name"],
                    org_code=entry.get("org_code"),
                    p12=Path(entry["p12"]),
                    password_file=Path(entry["password_file"]),
                )
            )
        return out

    @property
    def platform(self) -> Any:
        """The in-process platform object (tests reach its database and clock)."""
        return self._server.config.app.state.platform

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self.platform.close()
