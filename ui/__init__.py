"""The SealBid desktop app (PySide6): the only package that imports Qt (style rule 1).

    from ui.app import run_app
    run_app()            # what `sealbid` with no arguments does

Screens (``ui/*.py``) are thin: a model, a view and actions that call ``client``, ``crypto``
and ``reports`` through :mod:`ui.tasks` workers.
"""
