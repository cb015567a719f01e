"""A TCP proxy on loopback that cuts or stalls connections on a plan: network faults for tests.

    with FaultProxy(("127.0.0.1", server_port), cut_at=[5_000_000, 9_000_000]) as proxy:
        client = PlatformClient(base_url=proxy.url, ...)
        ...
        assert proxy.cuts == 2
        proxy.bytes_up                  # every byte the client sent through the proxy

Faults are placed by the running total of bytes sent *towards the server* (over every
connection), so they land inside request bodies, where a real line drop hurts most: when the
total crosses a point in ``cut_at`` the proxy forwards exactly up to it, then resets both
sides (RST, as a dropped line looks); at a point in ``stall_at`` it stops forwarding that
connection and keeps it open (the client's timeout has to notice). ``cut_responses`` more
cuts hit the next that many answers from the server after their first byte, so a request the
server already processed loses its answer. Nothing here knows HTTP.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterable
from types import TracebackType

__all__ = ["FaultProxy"]

_BUF = 1 << 20


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN: the peer sees ECONNRESET, not a clean end.

    Linux keeps a socket alive while another thread is blocked in ``recv`` on it, whatever
    ``close`` says, so the pump blocked on this socket is woken first (``SHUT_RD`` sends
    nothing); the RST goes out when the last user lets go."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)
    with contextlib.suppress(OSError):
        sock.close()


class _Link:
    def __init__(self, proxy: FaultProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = server
        self.dead = threading.Event()
        self.stalled = False

    def kill(self) -> None:
        if not self.dead.is_set():
            self.dead.set()
            _reset(self.client)
            _reset(self.server)

    def pump_up(self) -> None:
        try:
            while not self.dead.is_set():
                data = self.client.recv(_BUF)
                if not data:
                    with contextlib.suppress(OSError):
                        self.server.shutdown(socket.SHUT_WR)
                    return
                keep, fault = self.proxy._account_up(len(data))
                if keep:
                    self.server.sendall(data[:keep])
                if fault == "cut":
                    self.kill()
                    return
                if fault == "stall":
                    self.stalled = True
                    self.dead.wait()  # hold the connection open, forward nothing more
                    return
        except OSError:
            self.kill()

    def pump_down(self) -> None:
        try:
            while not self.dead.is_set():
                data = self.server.recv(_BUF)
                if not data:
                    with contextlib.suppress(OSError):
                        self.client.shutdown(socket.SHUT_WR)
                    return
                if self.stalled:
                    continue
                if self.proxy._take_response_cut():
                    self.client.sendall(data[:1])
                    self.kill()
                    return
                self.client.sendall(data)
                self.proxy._account_down(len(data))
        except OSError:
            self.kill()


class FaultProxy:
    """See the module docstring. Listens on 127.0.0.1 on a free port."""

    def __init__(
        self,
        target: tuple[str, int],
        *,
        cut_at: Iterable[int] = (),
        stall_at: Iterable[int] = (),
        cut_responses: int = 0,
    ) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._plan = sorted([(n, "cut") for n in cut_at] + [(n, "stall") for n in stall_at])
        self._response_cuts = cut_responses
        self.bytes_up = 0
        self.bytes_down = 0
        self.cuts = 0
        self.stalls = 0
        self.response_cuts = 0
        self.connections = 0
        self.down = False  # the line is down: new connections are reset at once
        self._links: list[_Link] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="faultproxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_cuts(self, points: Iterable[int]) -> None:
        """More cut points (absolute totals of bytes sent towards the server)."""
        with self._lock:
            self._plan = sorted(self._plan + [(n, "cut") for n in points])

    def add_response_cuts(self, n: int) -> None:
        with self._lock:
            self._response_cuts += n

    def line_down(self) -> None:
        """The network drops: every open connection is reset and new ones are refused until
        :meth:`line_up` (a bidder's Wi-Fi gone for a minute)."""
        with self._lock:
            self.down = True
            links = list(self._links)
        for link in links:
            link.kill()

    def line_up(self) -> None:
        with self._lock:
            self.down = False

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._plan)

    def _account_up(self, n: int) -> tuple[int, str | None]:
        """How much of ``n`` new bytes to forward, and the fault that follows them."""
        with self._lock:
            start = self.bytes_up
            if self._plan and self._plan[0][0] < start + n:
                point, fault = self._plan.pop(0)
                # Points already passed (added late) fire at once.
                keep = max(0, point - start)
                self.bytes_up += keep
                if fault == "cut":
                    self.cuts += 1
                else:
                    self.stalls += 1
                return keep, fault
            self.bytes_up += n
            return n, None

    def _account_down(self, n: int) -> None:
        with self._lock:
            self.bytes_down += n

    def _take_response_cut(self) -> bool:
        with self._lock:
            if self._response_cuts > 0:
                self._response_cuts -= 1
                self.response_cuts += 1
                return True
            return False

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                _reset(client)
                continue
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(self, client, server)
            with self._lock:
                self.connections += 1
                self._links.append(link)
            threading.Thread(target=link.pump_up, daemon=True, name="faultproxy-up").start()
            threading.Thread(target=link.pump_down, daemon=True, name="faultproxy-down").start()

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() in progress
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            links = list(self._links)
        for link in links:
            link.kill()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
