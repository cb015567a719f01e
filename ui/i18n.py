"""The UI's language: Chinese (zh_CN) by default, English second.

    install_language(app, "zh_CN")     # loads ui/i18n/sealbid_zh_CN.qm and Qt's own zh_CN texts
    current_language()                 # "zh_CN" or "en_US"

Source strings in ``ui/`` are English, wrapped in ``self.tr()``; the committed translation
source is ``ui/i18n/sealbid_zh_CN.ts`` (``make ts`` refreshes it with pyside6-lupdate) and the
build compiles it to ``.qm`` with pyside6-lrelease (``make qm``; also done by ``make run`` and
``make test``). Errors from the core carry both languages themselves
(``SealBidError.diagnostics``).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from . import shipped

__all__ = [
    "I18N_DIR",
    "LANGUAGES",
    "compile_translations",
    "current_language",
    "install_language",
    "qm_path",
    "ts_path",
]

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "en_US")
I18N_DIR = Path(__file__).resolve().parent / "i18n"
_current = "zh_CN"
_installed: list[QTranslator] = []


def current_language() -> str:
    return _current


def ts_path(language: str = "zh_CN") -> Path:
    return I18N_DIR / f"sealbid_{language}.ts"


def qm_path(language: str = "zh_CN") -> Path:
    # A frozen bundle (PyInstaller) carries the compiled file beside the sources' layout.
    return shipped("ui", "i18n", f"sealbid_{language}.qm")


def _tool(name: str) -> str | None:
    """pyside6-lrelease / lupdate: the wrapper script on PATH or the binary in the wheel."""
    import PySide6

    found = shutil.which(f"pyside6-{name}")
    if found:
        return found
    wheel = Path(PySide6.__file__).parent / name
    return str(wheel) if wheel.exists() else None


def compile_translations() -> list[Path]:
    """Build every ``.qm`` from its ``.ts`` (what ``make qm`` runs)."""
    tool = _tool("lrelease")
    if tool is None:
        raise RuntimeError("pyside6-lrelease not found (PySide6 is not installed?)")
    out = []
    for lang in LANGUAGES:
        ts = ts_path(lang)
        if ts.exists():
            subprocess.run([tool, "-silent", str(ts), "-qm", str(qm_path(lang))], check=True)
            out.append(qm_path(lang))
    return out


def install_language(app: QCoreApplication, language: str | None) -> str:
    """Load ``language`` (default zh_CN) into ``app``; returns the language in use."""
    global _current
    lang = language if language in LANGUAGES else "zh_CN"
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if lang != "en_US":
        if not qm_path(lang).exists() and ts_path(lang).exists():
            # Run from a source checkout without `make` (pip install -e .): build it once.
            try:
                compile_translations()
            except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
                log.warning("cannot build the translation: %s", exc)
        ours = QTranslator(app)
        if ours.load(str(qm_path(lang))):
            app.installTranslator(ours)
            _installed.append(ours)
        else:
            log.warning("translation %s not found: run `make qm`", qm_path(lang))
        qt = QTranslator(app)
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt.load(QLocale(lang), "qtbase", "_", qt_dir):
            app.installTranslator(qt)
            _installed.append(qt)
    QLocale.setDefault(QLocale(lang))
    _current = lang
    return lang
