"""The Chinese translation is complete and current; English works too.

The committed ``ui/i18n/sealbid_zh_CN.ts`` must hold every ``tr()`` string of ``ui/`` (run
``make ts`` after adding one) with a finished, non-empty translation; the ``.qm`` built from it
must load and translate.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from ui.i18n import ts_path

REPO = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    import PySide6

    found = shutil.which(f"pyside6-{name}") or str(Path(PySide6.__file__).parent / name)
    return found


def _messages(ts: Path) -> dict[tuple[str, str], tuple[str | None, str]]:
    """(context, source) → (translation type, text)."""
    out: dict[tuple[str, str], tuple[str | None, str]] = {}
    # Our own committed file, not untrusted input.
    for context in ET.parse(ts).getroot().iter("context"):  # noqa: S314
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            text = translation.text or ""
            numerus = [n.text or "" for n in translation.iter("numerusform")]
            if numerus:
                text = "|".join(numerus) if all(numerus) else ""
            out[(name, message.findtext("source") or "")] = (translation.get("type"), text)
    return out


def test_every_zh_cn_message_is_finished() -> None:
    messages = _messages(ts_path("zh_CN"))
    assert len(messages) > 100
    unfinished = [
        f"{ctx}: {src!r}"
        for (ctx, src), (kind, text) in messages.items()
        if kind in ("unfinished", "vanished", "obsolete") or not text.strip()
    ]
    assert not unfinished, "zh_CN messages not translated:\n" + "\n".join(unfinished)


def test_translation_source_is_current(tmp_path: Path) -> None:
    """Running lupdate on today's sources adds nothing: no tr() string is missing."""
    copy = tmp_path / "check.ts"
    shutil.copy(ts_path("zh_CN"), copy)
    sources = sorted(str(p) for p in (REPO / "ui").glob("*.py"))
    subprocess.run(
        [_tool("lupdate"), *sources, "-ts", str(copy), "-no-obsolete", "-locations", "none"],
        check=True,
        capture_output=True,
    )
    committed = set(_messages(ts_path("zh_CN")))
    current = set(_messages(copy))
    missing = sorted(current - committed)
    assert not missing, f"run `make ts` and translate: {missing[:20]}"
    gone = sorted(committed - current)
    assert not gone, f"run `make ts` (strings no longer used): {gone[:20]}"


def test_chinese_is_loaded_by_default_and_english_on_request(qapp: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QCoreApplication

    from ui.i18n import compile_translations, install_language, qm_path

    if not qm_path("zh_CN").exists():
        compile_translations()
    try:
        assert install_language(qapp, None) == "zh_CN"
        assert QCoreApplication.translate("SettingsPage", "Settings") == "设置"
        assert install_language(qapp, "en_US") == "en_US"
        assert QCoreApplication.translate("SettingsPage", "Settings") == "Settings"
    finally:
        install_language(qapp, "zh_CN")


@pytest.mark.parametrize("language", ["zh_CN", "en_US"])
def test_every_page_title_is_in_the_language(
    qtbot: Any, qapp: Any, tmp_path: Path, language: str
) -> None:
    from uikit import make_world

    world = make_world(qtbot, tmp_path, language=language)
    try:
        titles = [world.window.nav.item(i).text() for i in range(world.window.nav.count())]
        has_cjk = [any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles]
        assert all(has_cjk) if language == "zh_CN" else not any(has_cjk), titles
    finally:
        world.close()
        from ui.i18n import install_language

        install_language(qapp, "zh_CN")
