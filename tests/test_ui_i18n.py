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


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_hall_and_operator_tables_speak_chinese(ui: Any, qtbot: Any) -> None:
    """Every column header and every status cell of the opening's tables is in Chinese: a
    string lupdate filed under the wrong context would pass the .ts checks above and still
    show in English (it did, for the decryption board and the record's confirmations)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTableView

    kit = ui.kit()
    sid = kit.section(bidders=3)
    kit.past_opening(sid)
    kit.run(sid, until="confirming")
    kit.opening(kit.party("host"), sid).sign_record("confirm")
    ui.login("bidder", 0)
    bidder_window = ui.window
    ui.window.navigate("hall", sid)
    hall = ui.window.page("hall")
    host = ui.another("host", 0)
    host.window.navigate("operator")
    console = host.window.page("operator")
    console.select_section(sid)
    qtbot.waitUntil(
        lambda: (
            hall.record_panel is not None
            and hall.record_panel.record is not None
            and console.record_panel is not None
            and console.record_panel.record is not None
            and console.board_model.rowCount() == 3
            and hall.results_model.rowCount() == 3
        ),
        timeout=30_000,
    )
    english: list[str] = []
    for window in (bidder_window, host.window):
        for view in window.findChildren(QTableView):
            model = view.model()
            if model is None:
                continue
            for c in range(model.columnCount()):
                head = model.headerData(c, Qt.Orientation.Horizontal)
                if head and not _cjk(str(head)) and str(head) not in ("SHA-256",):
                    english.append(f"{type(model).__name__} header {head!r}")
    for model, column in (
        (hall.record_panel.rows_model, hall.record_panel.rows_model.columnCount() - 1),
        (console.record_panel.signatures_model, 2),
        (console.board_model, 5),
    ):
        for r in range(model.rowCount()):
            cell = model.data(model.index(r, column), Qt.ItemDataRole.DisplayRole)
            if cell and not _cjk(str(cell)):
                english.append(f"{type(model).__name__} cell {cell!r}")
    assert english == []
