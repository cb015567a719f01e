"""The user guide inside the app (Help › User guide, F1): the guide of docs/ in the UI
language, with its screenshots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument
from uikit import UiWorld

import ui.guide as guide_module
from ui.guide import GuideWindow, guide_path


def _images(window: GuideWindow) -> list[str]:
    return re.findall(r"\(images/ui/([^)]+\.png)\)", window.path.read_text(encoding="utf-8"))


def test_guide_f1_shows_the_chinese_guide_with_its_screenshots(ui: UiWorld, qtbot: Any) -> None:
    window = ui.window.show_guide()
    assert isinstance(window, GuideWindow) and window.isVisible()
    qtbot.waitUntil(lambda: window.ready, timeout=10_000)  # read in a worker
    assert window.path == guide_path("zh_CN") and window.path.name == "user-guide.zh_CN.md"
    text = window.browser.toPlainText()
    assert "十分钟上手（投标人）" in text
    assert "##" not in text  # rendered, not shown as Markdown source
    names = _images(window)
    assert len(names) >= 5 and all(n.startswith("zh_CN-") for n in names)
    doc = window.browser.document()
    for name in names[:3]:
        image = doc.resource(
            QTextDocument.ResourceType.ImageResource.value,
            QUrl.fromLocalFile(str(window.path.parent / "images" / "ui" / name)),
        )
        assert isinstance(image, QImage) and not image.isNull(), name
        assert 400 <= image.width() <= 820, (name, image.width())  # fits the window
    # F1 again raises the same window rather than opening another.
    assert ui.window.show_guide() is window


def test_guide_english_for_english_and_missing_file_said(
    ui: UiWorld, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = GuideWindow(ui.window, language="en_US")
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.ready, timeout=10_000)
    assert window.path.name == "user-guide.en.md"
    assert "Ten minutes as a bidder" in window.browser.toPlainText()
    assert all(n.startswith("en_US-") for n in _images(window))
    monkeypatch.setattr(guide_module, "guide_path", lambda language=None: tmp_path / "none.md")
    missing = GuideWindow(ui.window)
    qtbot.addWidget(missing)
    qtbot.waitUntil(lambda: missing.ready, timeout=10_000)
    assert "none.md" in missing.browser.toPlainText()
