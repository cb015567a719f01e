"""The SealBid desktop app (PySide6): the only package that imports Qt (style rule 1).

    from ui.app import run_app
    run_app()            # what `sealbid` with no arguments does

Screens (``ui/*.py``) are thin: a model, a view and actions that call ``client``, ``crypto``
and ``reports`` through :mod:`ui.tasks` workers.
"""

import sys
from pathlib import Path

__all__ = ["shipped"]


def shipped(*parts: str) -> Path:
    """A file the app ships beside its code (the translation, the icon, the user guide), by its
    path in the source tree: the same path under the bundle's folder when frozen (build.spec
    puts each one there)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base.joinpath(*parts)
