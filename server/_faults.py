"""Fault injection for the crash tests, and nothing else.

    crash_point("finish.stored")     # SIGKILLs this process when SEALBID_CRASH_AT=finish.stored

The tests start the server as a child process with ``SEALBID_CRASH_AT`` set to one of the points
named in ``server.app`` and check what a restart finds. Unset (always, in production), this is a
dictionary lookup.
"""

from __future__ import annotations

import os
import signal

__all__ = ["crash_point"]


def crash_point(name: str) -> None:
    if os.environ.get("SEALBID_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
