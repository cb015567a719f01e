"""``python -m server --data DIR [--db URL] [--host H] [--port N] [--sandbox]``: the same as
``sealbid server``."""

from __future__ import annotations

import sys

from sealbid.cli_server import run_standalone

if __name__ == "__main__":
    sys.exit(run_standalone())
