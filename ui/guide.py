"""The user guide inside the app (Help › User guide, F1): ``docs/user-guide.<language>.md``
rendered by Qt's Markdown support, with its screenshots, in the UI language.

    window = GuideWindow(parent)          # or MainWindow's F1
    window.show()

The guide is the same file as in ``docs/`` (a bundle carries it and the screenshots it shows in
the same place under its own folder), so what the app shows and what the repository shows
cannot drift apart. The text and the pictures are read in a worker.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtGui import QImage, QPixmap, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from . import shipped
from .i18n import current_language
from .tasks import Job, run_task

__all__ = ["GuideWindow", "guide_path"]


def guide_path(language: str | None = None) -> Path:
    """The guide in ``language`` (default: the UI's): Chinese for zh*, English otherwise."""
    lang = language or current_language()
    name = "user-guide.zh_CN.md" if lang.lower().startswith("zh") else "user-guide.en.md"
    return shipped("docs", name)


MAX_IMAGE_WIDTH = 820
"""Screenshots (1280 px wide) are scaled down to fit a window of normal size."""


def _fit(image: QImage) -> QImage:
    if not image.isNull() and image.width() > MAX_IMAGE_WIDTH:
        return image.scaledToWidth(MAX_IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation)
    return image


def _key(local: str) -> str:
    return os.path.normcase(os.path.normpath(local))


def _read_guide(job: Job, path: Path) -> dict[str, Any]:
    """In a worker: the guide's text and its pictures, scaled, by their local paths."""
    text = path.read_text(encoding="utf-8")
    out: dict[str, Any] = {_key(str(path)): text}
    for rel in re.findall(r"\]\(([^)\s]+\.png)\)", text):
        image = QImage(str(path.parent / rel))
        if not image.isNull():
            out[_key(str(path.parent / rel))] = _fit(image)
    return out


class _GuideBrowser(QTextBrowser):
    """Serves the guide and its pictures read beforehand in a worker (the GUI thread reads no
    file); a page the reader goes on to (a link) is read when asked, its pictures fitted."""

    def __init__(self) -> None:
        super().__init__()
        self.preloaded: dict[str, Any] = {}

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # Qt's override
        local = (url if isinstance(url, QUrl) else QUrl(url)).toLocalFile()
        if local and _key(local) in self.preloaded:
            return self.preloaded[_key(local)]
        resource = super().loadResource(kind, url)
        if kind == QTextDocument.ResourceType.ImageResource.value:
            image = resource if isinstance(resource, QImage) else QImage()
            if isinstance(resource, QPixmap):
                image = resource.toImage()
            elif isinstance(resource, QByteArray | bytes):
                image.loadFromData(resource)
            if not image.isNull():
                return _fit(image)
        return resource


class GuideWindow(QDialog):
    def __init__(self, parent: QWidget | None = None, language: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("SealBid user guide"))
        self.resize(900, 720)
        layout = QVBoxLayout(self)
        self.browser = _GuideBrowser()
        self.browser.setAccessibleName(self.tr("User guide"))
        # Links to other files of docs/ and the web open outside; anchors stay inside.
        self.browser.setOpenExternalLinks(True)
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.path = guide_path(language)
        self.ready = False  # the guide (or the word that it is missing) is shown
        self.browser.setPlainText(self.tr("Opening the user guide…"))
        task = run_task(_read_guide, self.path)
        task.on_done(self._show)
        task.on_error(self._missing)
        task.start()

    def _show(self, preloaded: dict[str, Any]) -> None:
        self.browser.preloaded = preloaded
        self.browser.setSource(
            QUrl.fromLocalFile(str(self.path)), QTextDocument.ResourceType.MarkdownResource
        )
        self.ready = True

    def _missing(self, exc: BaseException) -> None:
        self.browser.setPlainText(
            self.tr("The user guide is missing from this installation: {0}").format(self.path)
        )
        self.ready = True
