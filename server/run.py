"""Serve the platform with uvicorn.

    serve(Config(data_dir=Path("data"), sandbox=True), host="127.0.0.1", port=8000)

The listening socket is bound here, before uvicorn starts, so port 0 (any free port) works and
the real address is known at once: ``ready_file`` receives ``http://HOST:PORT`` when the
platform is ready to accept connections (tests and scripts wait for it).
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from crypto._files import atomic_write
from sealbid.errors import SealBidError

from .config import Config

__all__ = ["ListenError", "bind", "make_server", "serve"]


class ListenError(SealBidError):
    code = "server.listen"
    zh = "无法在 {address} 上监听：{why}（端口是否已被占用，或地址不属于本机？）"
    en = "Cannot listen on {address}: {why} (is the port in use, or the address not this host's?)"


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def make_server(app: FastAPI, *, log_level: str = "warning") -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        # Bid uploads come in 8 MiB chunks; a slow link must not be cut while it sends one.
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)


def serve(
    config: Config,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    ready_file: Path | None = None,
    log_level: str = "info",
) -> None:
    """Start the platform (seed the sandbox, recover) and serve until interrupted."""
    from .app import create_app

    app = create_app(config)
    try:
        sock = bind(host, port)
    except OSError as exc:
        app.state.platform.close()
        raise ListenError(
            f"{type(exc).__name__}", address=f"{host}:{port}", why=exc.strerror or str(exc)
        ) from exc
    real_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{real_port}"
    server = make_server(app, log_level=log_level)
    # The event loop delivers the hall's events while worker threads verify signatures and
    # decrypt: a 1 ms GIL switch interval (default 5 ms) lets it in five times as often.
    sys.setswitchinterval(0.001)
    print(f"SealBid 平台 / platform: {url}  数据 / data: {config.data_dir}", flush=True)
    if ready_file is not None:
        # The socket already listens: a client connecting now waits in the backlog.
        atomic_write(ready_file, url.encode())
    try:
        server.run(sockets=[sock])
    finally:
        app.state.platform.close()
