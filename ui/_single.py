"""One app per person and data folder: a second start (a double click on a ``.sealbid`` file
while the app is open, a second click on the shortcut) hands its files to the running app,
which shows them and comes to the front, and quits.

    instance = SingleInstance(ctx.data_dir)
    if not instance.acquire():           # another app holds the folder
        return 0 if instance.forward(files, wait_s=10) else 1
    ... build the window ...
    instance.listen()
    instance.filesReceived.connect(window.receive_files)
    ...
    instance.close()                     # after the sandbox and the workers have stopped

Two apps on one data folder would each start the embedded sandbox platform on the same
database, each write the port file, and both offer the same unfinished upload.

The arbiter is a lock file in the data folder (``QLockFile``: atomic, and a lock left by a
process that no longer runs is taken over, by its process id, on Windows and Linux). Only the
holder listens on the local socket (a named pipe on Windows, a socket file on Linux), so a
listening name is never taken from a live app; a socket file a crashed app left behind is
removed by the next holder. A start that does not get the lock hands its files over, trying
for a few seconds while the holder is still starting.

The hand-over waits on the local socket at start, before any window exists (nothing to
freeze yet).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["SingleInstance"]

log = logging.getLogger(__name__)
_ACK = b"ok\n"
LOCK_NAME = "app.lock"


class SingleInstance(QObject):
    filesReceived = Signal(list)  # list[str]: files to show; empty: just come to the front

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.key = self.key_for(self.data_dir)
        self.lock = QLockFile(str(self.data_dir / LOCK_NAME))
        # Never stale by age (an app may run for days); stale when its process is gone.
        self.lock.setStaleLockTime(0)
        self.server: QLocalServer | None = None

    @staticmethod
    def key_for(data_dir: Path) -> str:
        try:
            user = getpass.getuser()
        except (OSError, KeyError):  # no user name in the environment: the folder alone
            user = ""
        ident = f"{user}|{Path(data_dir).resolve()}".encode()
        return "SealBid-" + hashlib.sha256(ident).hexdigest()[:24]

    def acquire(self) -> bool:
        """True when this app is the one for the data folder (the lock is held until close)."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("single-instance: no data folder: %s", exc.strerror)
            return True  # the app reports the folder itself; nothing to guard
        return bool(self.lock.tryLock(0))

    def forward(self, files: Sequence[str], wait_s: float = 10.0) -> bool:
        """Hand ``files`` to the running app; True when it took them. Retries while it is
        still starting (it listens once its window exists)."""
        paths = [str(Path(f).resolve()) for f in files]
        deadline = time.monotonic() + wait_s
        while True:
            if self._send(paths):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.25)

    def _send(self, paths: list[str], timeout_ms: int = 3000) -> bool:
        sock = QLocalSocket()
        sock.connectToServer(self.key)
        if not sock.waitForConnected(min(timeout_ms, 1000)):
            return False
        sock.write(json.dumps({"files": paths}).encode("utf-8") + b"\n")
        sock.flush()
        got = b""
        while _ACK not in got and sock.waitForReadyRead(timeout_ms):
            got += bytes(sock.readAll().data())
        sock.disconnectFromServer()
        return _ACK in got

    def listen(self) -> bool:
        """Answer later starts (only the lock holder calls this). False (logged) when the name
        cannot be taken: the app then runs on its own, as before."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # We hold the lock: a socket file under our name is a crashed app's, not a live one's.
        QLocalServer.removeServer(self.key)
        if not server.listen(self.key):
            log.warning("single-instance: cannot listen: %s", server.errorString())
            return False
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.lock.isLocked():
            self.lock.unlock()

    def _accept(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            buffer = bytearray()

            def read(sock: QLocalSocket = sock, buffer: bytearray = buffer) -> None:
                buffer.extend(bytes(sock.readAll().data()))
                if b"\n" not in buffer:
                    if len(buffer) > 1 << 20:
                        sock.abort()
                    return
                line = bytes(buffer).split(b"\n", 1)[0]
                try:
                    files = [str(f) for f in json.loads(line.decode("utf-8")).get("files", [])]
                except (ValueError, AttributeError, UnicodeDecodeError):
                    log.warning("single-instance: a message that is not ours was ignored")
                    sock.abort()
                    return
                sock.write(_ACK)
                sock.flush()
                sock.disconnectFromServer()
                self.filesReceived.emit(files)

            sock.readyRead.connect(read)
            sock.disconnected.connect(sock.deleteLater)
            if sock.bytesAvailable():
                read()
