"""The bundle's entry point (build.spec): ``sealbid`` with no arguments opens the app, with
arguments it is the CLI, as the installed ``sealbid`` command is."""

import sys

from sealbid.cli import main

if __name__ == "__main__":
    sys.exit(main())
