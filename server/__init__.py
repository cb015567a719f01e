"""The reference trading platform (FastAPI + SQLAlchemy Core), also the app's local sandbox.

    from server import Config, create_app, serve
    serve(Config(data_dir=Path("data"), sandbox=True), host="127.0.0.1", port=8000)

    sealbid server --data DIR [--db URL] [--host 127.0.0.1] [--port N] [--sandbox]

Modules: ``config`` (settings), ``db`` (tables), ``store`` (bid store, partial uploads), ``auth``
(certificate login, tokens), ``receipts`` (signed receipts, audit chain), ``platform`` (every
operation, crash-safety order), ``app`` (HTTP routes), ``sandbox`` (demo seed), ``run``
(uvicorn). The protocol is docs/protocol.md. The public names below are imported lazily, so
``import server.config`` does not pull in FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .config import Config
    from .run import serve
    from .sandbox import seed

__all__ = ["Config", "create_app", "seed", "serve"]

_WHERE = {"Config": ".config", "create_app": ".app", "seed": ".sandbox", "serve": ".run"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(name)
