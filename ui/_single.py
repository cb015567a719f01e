"""One app per person and data folder: a second start (a double click on a ``.sealbid`` file
while the app is open, a second click on the shortcut) hands its files to the running app,
which shows them and comes to the front, and quits.

    instance = SingleInstance(SingleInstance.key_for(ctx.data_dir))
    if instance.forward(files):          # another app took them: this one stops here
        return 0
    instance.listen()
    instance.filesReceived.connect(window.receive_files)

Two apps on one data folder would each start the embedded sandbox platform on the same
database, each write the port file, and both offer the same unfinished upload. The key is made
of the user's name and the data folder's path, so other people on the PC, and tests with
their own folders, are separate. Qt's local socket is a named pipe on Windows and a socket file
on Linux; a file left by a crashed app is taken over (nobody answers on it).

The hand-over waits on the local socket at start, before any window exists, for at most
``timeout_ms`` (nothing to freeze yet).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["SingleInstance"]

log = logging.getLogger(__name__)
_ACK = b"ok\n"


class SingleInstance(QObject):
    filesReceived = Signal(list)  # list[str]: files to show; empty: just come to the front

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.server: QLocalServer | None = None

    @staticmethod
    def key_for(data_dir: Path) -> str:
        try:
            user = getpass.getuser()
        except (OSError, KeyError):  # no user name in the environment: the folder alone
            user = ""
        ident = f"{user}|{Path(data_dir).resolve()}".encode()
        return "SealBid-" + hashlib.sha256(ident).hexdigest()[:24]

    def forward(self, files: Sequence[str], timeout_ms: int = 3000) -> bool:
        """Hand ``files`` to a running app; True when it took them."""
        sock = QLocalSocket()
        sock.connectToServer(self.key)
        if not sock.waitForConnected(timeout_ms):
            return False
        paths = [str(Path(f).resolve()) for f in files]
        sock.write(json.dumps({"files": paths}).encode("utf-8") + b"\n")
        sock.flush()
        got = b""
        while _ACK not in got and sock.waitForReadyRead(timeout_ms):
            got += bytes(sock.readAll().data())
        sock.disconnectFromServer()
        return _ACK in got

    def listen(self) -> bool:
        """Answer later starts. False (logged) when the name cannot be taken: the app then
        runs on its own, as before."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            # A socket file left by an app that crashed: nobody answered forward(), take it.
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
