"""The bundle's entry point (build.spec), built twice from this one script:

- ``sealbid`` (a console program): with no arguments the app, with arguments the CLI, as the
  installed ``sealbid`` command is; ``sealbid 投标.sealbid`` opens the app showing that file.
- ``sealbidw`` (a windowed program on Windows: no console window behind the app): always the
  app; the file names it is given (a double click on a ``.sealbid`` file) are shown in it.
  Start-menu and desktop shortcuts and the file association start this one.
"""

import os
import sys
from pathlib import Path


def _windowed() -> bool:
    return Path(sys.executable).stem.lower() == "sealbidw"


if __name__ == "__main__":
    if _windowed():
        # A windowed program has no console: Python's streams are None there, and a stray
        # print or a logging handler would raise. They go nowhere instead.
        for name in ("stdout", "stderr"):
            if getattr(sys, name) is None:
                setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
        from ui.app import run_app

        # The files to show: sealed bids (Qt's own options, e.g. -platform, and their values
        # are left to Qt).
        files = [a for a in sys.argv[1:] if a.lower().endswith(".sealbid")]
        sys.exit(run_app(open_files=files))
    from sealbid.cli import main

    sys.exit(main())
