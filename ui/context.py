"""What every screen shares: settings, the data folder, the signed-in identity, the platform.

    ctx = AppContext(settings=QSettings(...), data_dir=Path(...))
    ctx.set_identity(identity, source="…/bidder.p12")   # after login; emits identityChanged
    with ctx.client() as client:                         # in a worker only: one shared client
        client.sections()
    client = ctx.new_client()                            # its own client (long uploads)

``AppContext`` lives on the GUI thread; its ``client()`` is meant for workers (the shared
``PlatformClient`` is not thread-safe, so a lock serialises its users; a long upload takes its
own client so that browsing does not wait behind it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Signal

from client import PlatformClient
from crypto.identity import Identity
from sealbid.errors import UsageError

from .errors import ErrorSink
from .sandbox import EmbeddedPlatform

__all__ = ["STAFF", "AppContext", "default_data_dir"]

STAFF = ("host", "recorder", "supervisor", "admin")
"""The platform's staff roles (not bidders): they run or watch openings, they do not bid."""


def default_data_dir() -> Path:
    """The per-user data folder (``%APPDATA%\\SealBid\\SealBid`` on Windows)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) if base else Path.home() / ".sealbid"


class AppContext(QObject):
    """Shared state of one app window; the single owner of settings and the identity."""

    identityChanged = Signal()
    platformChanged = Signal()
    receiptsChanged = Signal()
    submissionsChanged = Signal()
    sealedBid = Signal(str, str)  # section id, path of the sealed file
    clockOffsetChanged = Signal(object)  # timedelta: platform − local
    status = Signal(str)  # a line for the status bar
    navigate = Signal(str, object)  # page key, what to show there (a section id, a path …)
    roleChanged = Signal(str)  # the signed-in account's role ("" when nobody is signed in)

    def __init__(
        self,
        *,
        settings: QSettings,
        data_dir: Path | None = None,
        errors: ErrorSink | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.errors = errors or ErrorSink()
        self.identity: Identity | None = None
        self.identity_source = ""
        self.role = ""  # bidder | host | recorder | supervisor | admin, once the platform said
        self.sandbox: EmbeddedPlatform | None = None
        self.clock_offset = timedelta(0)
        self._client: PlatformClient | None = None
        self._client_generation = 0
        self._generation = 0
        self._client_lock = threading.Lock()
        self._snapshot: dict[str, Any] = {}
        self._refresh_snapshot()

    # -- folders --

    @property
    def state_dir(self) -> Path:
        """Receipts and upload state (``client.uploads``), per user."""
        return self.data_dir / "state"

    @property
    def drafts_dir(self) -> Path:
        return self.data_dir / "drafts"

    @property
    def bids_dir(self) -> Path:
        """Where sealed-bid files are written by default."""
        return self.data_dir / "bids"

    @property
    def sandbox_dir(self) -> Path:
        return self.data_dir / "sandbox-platform"

    # -- settings (QSettings keys in one place) --

    def setting(self, key: str, default: Any = None) -> Any:
        value = self.settings.value(key, default)
        return default if value is None else value

    def set_setting(self, key: str, value: Any) -> None:
        self.settings.setValue(key, value)
        self.settings.sync()
        if key.startswith(("platform/", "net/")):
            # The next client is built from the new values (signals: platform_changed()).
            self._drop_client()

    @property
    def platform_mode(self) -> str:
        """``sandbox`` (the embedded platform) or ``url``; ``""`` before the first choice."""
        return str(self.setting("platform/mode", ""))

    @property
    def platform_url(self) -> str:
        if self.platform_mode == "sandbox" and self.sandbox is not None:
            return self.sandbox.url
        return str(self.setting("platform/url", ""))

    @property
    def language(self) -> str:
        return str(self.setting("ui/language", "zh_CN"))

    def known_identity_files(self) -> list[str]:
        value = self.setting("certs/files", [])
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in value]

    def remember_identity_file(self, path: str) -> None:
        files = [p for p in self.known_identity_files() if p != path]
        self.set_setting("certs/files", [path, *files][:20])

    # -- identity --

    def set_identity(self, identity: Identity | None, source: str = "") -> None:
        """Take ownership of ``identity`` (the old one is closed) and reconnect."""
        old = self.identity
        self.identity = identity
        self.identity_source = source
        self.set_role("")
        self._drop_client()
        if old is not None and old is not identity:
            # Closing a token waits for its lock (a worker may be signing) and logs out of
            # it: never on the GUI thread.
            threading.Thread(target=old.close, name="close-identity", daemon=True).start()
        self.identityChanged.emit()

    def set_role(self, role: str) -> None:
        """The account's role as the platform reported it at login (the main window learns it
        in a worker after every identity change)."""
        if role != self.role:
            self.role = role
            self.roleChanged.emit(role)

    def set_sandbox(self, sandbox: EmbeddedPlatform | None) -> None:
        old = self.sandbox
        self.sandbox = sandbox
        if old is not None and old is not sandbox:
            threading.Thread(target=old.stop, name="stop-sandbox", daemon=True).start()
        self._drop_client()
        self.platformChanged.emit()

    def platform_changed(self) -> None:
        """Settings of the connection changed: the next call makes a new client."""
        self._drop_client()
        self.platformChanged.emit()

    # -- platform clients (workers only) --

    def _refresh_snapshot(self) -> None:
        """Read what a client is built from, on the GUI thread: workers never touch the
        QSettings object or the identity while the GUI changes them."""
        self._snapshot = {
            "base_url": self.platform_url,
            "identity": self.identity,
            "ca_bundle": str(self.setting("net/ca_bundle", "")) or None,
            "proxy": str(self.setting("net/proxy", "")) or None,
            "state_dir": self.state_dir,
        }

    def client_kwargs(self) -> dict[str, Any]:
        """What a ``PlatformClient`` for the current platform and identity is built from
        (the login dialog builds one for an identity not yet taken)."""
        kwargs = dict(self._snapshot)
        if not kwargs["base_url"]:
            raise UsageError(
                what="尚未选择交易平台，请在“设置”中填写平台地址或使用内置沙箱"
                " / no platform chosen: enter its URL in Settings or use the sandbox"
            )
        return kwargs

    def new_client(self, **overrides: Any) -> PlatformClient:
        """A client of its own (the caller closes it): for uploads and other long jobs.
        ``overrides`` replace constructor arguments (``identity=``, ``retry=`` …)."""
        return PlatformClient(**{**self.client_kwargs(), **overrides})

    @contextmanager
    def client(self) -> Iterator[PlatformClient]:
        """The shared client, one worker at a time."""
        with self._client_lock:
            if self._client is None or self._client_generation != self._generation:
                if self._client is not None:
                    self._client.close()
                    self._client = None
                self._client_generation = self._generation
                self._client = PlatformClient(**self.client_kwargs())
            yield self._client

    def _drop_client(self) -> None:
        # Never waits for the lock (the GUI thread calls this): the next worker that asks
        # for the client sees the new generation and replaces it.
        self._refresh_snapshot()
        self._generation += 1

    def note_clock_offset(self, offset: timedelta) -> None:
        self.clock_offset = offset
        self.clockOffsetChanged.emit(offset)

    def server_now(self) -> datetime:
        """The platform's clock as best known here: local time plus the measured offset."""
        return datetime.now(UTC) + self.clock_offset

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self.identity is not None:
            self.identity.close()
            self.identity = None
        if self.sandbox is not None:
            # The demo people of a practice opening first (they talk to the sandbox).
            from ._practice import stop_practice

            stop_practice(self)
            self.sandbox.stop()
            self.sandbox = None
