import sys

from ui.app import run_app

sys.exit(run_app())
