"""The settings page (validation, nothing saved on a bad field, values read back from QSettings)
and the environment check page (findings, the report file, the clipboard)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from uikit import UiWorld

from ui.envcheck_page import EnvCheckPage
from ui.settings import SettingsPage

KEYS = (
    "platform/mode",
    "platform/url",
    "net/proxy",
    "net/ca_bundle",
    "ui/language",
    "token/module",
)


def _settings_page(ui: UiWorld) -> SettingsPage:
    ui.window.navigate("settings")
    page = ui.window.page("settings")
    assert isinstance(page, SettingsPage)
    return page


def _stored(ui: UiWorld) -> dict[str, Any]:
    ui.ctx.settings.sync()
    fresh = QSettings(str(ui.tmp / "settings.ini"), QSettings.Format.IniFormat)
    return {k: fresh.value(k) for k in KEYS}


def _type(qtbot: Any, edit: Any, text: str) -> None:
    edit.clear()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)  # as pasted: QTest cannot type characters outside Latin-1


def _save(qtbot: Any, page: SettingsPage, signal: Any) -> None:
    with qtbot.waitSignal(signal, timeout=30_000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(
    ("url", "proxy", "bad"),
    [
        ("ftp://ggzy.example.gov.cn", "", "url"),
        ("http://ggzy.example.gov.cn", "", "url"),  # plain http only to this computer
        ("", "", "url"),  # URL mode needs a URL
        ("https://ggzy.example.gov.cn", "proxy.example.com:8080", "proxy"),
        ("https://ggzy.example.gov.cn", "http://:8080", "proxy"),
        ("https://ggzy.example.gov.cn", "http://proxy:99999", "proxy"),
    ],
)
def test_bad_url_or_proxy_saves_nothing(
    ui: UiWorld, qtbot: Any, url: str, proxy: str, bad: str
) -> None:
    page = _settings_page(ui)
    before = _stored(ui)
    page.url_mode.setChecked(True)
    _type(qtbot, page.url, url)
    _type(qtbot, page.proxy, proxy)
    _save(qtbot, page, page.invalid)
    label = page.url_error if bad == "url" else page.proxy_error
    other = page.proxy_error if bad == "url" else page.url_error
    assert label.isVisible() and label.text()
    assert not other.isVisible()
    assert _stored(ui) == before
    # Nothing typed is lost.
    assert page.url.text() == url and page.proxy.text() == proxy
    assert page.url_mode.isChecked()
    ui.wait_tasks()


def test_non_pem_ca_bundle_is_refused_in_a_worker(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    page = _settings_page(ui)
    before = _stored(ui)
    junk = tmp_path / "平台根证书.pem"
    junk.write_text("这不是证书 / not a certificate\n", encoding="utf-8")
    _type(qtbot, page.ca_bundle, str(junk))
    _save(qtbot, page, page.invalid)
    assert page.ca_error.isVisible()
    assert "PEM" in page.ca_error.text()
    assert _stored(ui) == before
    assert page.ca_bundle.text() == str(junk)
    ui.wait_tasks()


def test_good_settings_are_saved_and_read_back(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    from softhsm import find_module

    page = _settings_page(ui)
    bundle = tmp_path / "平台根证书.pem"
    shutil.copy(ui.sandbox.data_dir / "sandbox" / "ca" / "ca.pem", bundle)
    page.url_mode.setChecked(True)
    # Nothing listens on port 9: the platform-clock refresh after saving fails at once.
    _type(qtbot, page.url, "https://127.0.0.1:9/api/v1/")
    _type(qtbot, page.proxy, "http://127.0.0.1:3128")
    _type(qtbot, page.ca_bundle, str(bundle))
    page.language.setCurrentIndex(page.language.findData("en_US"))
    module = find_module() or ""
    page.module.setEditText(module)
    changed: list[bool] = []
    ui.ctx.platformChanged.connect(lambda: changed.append(True))
    _save(qtbot, page, page.saved)

    stored = _stored(ui)
    assert stored == {
        "platform/mode": "url",
        "platform/url": "https://127.0.0.1:9",  # normalised
        "net/proxy": "http://127.0.0.1:3128",
        "net/ca_bundle": str(bundle),
        "ui/language": "en_US",
        "token/module": module,
    }
    assert changed
    assert ui.ctx.platform_url == "https://127.0.0.1:9"
    assert not any(e.isVisible() for e in (page.url_error, page.proxy_error, page.ca_error))

    # Back to the sandbox, which runs already.
    page.sandbox_mode.setChecked(True)
    _save(qtbot, page, page.saved)
    assert _stored(ui)["platform/mode"] == "sandbox"
    assert ui.ctx.platform_url == ui.sandbox.url
    ui.wait_tasks()


def test_environment_check_runs_and_exports(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    ui.login("bidder", 0)
    ui.window.navigate("envcheck")
    page = ui.window.page("envcheck")
    assert isinstance(page, EnvCheckPage)
    with qtbot.waitSignal(page.finished, timeout=60_000) as done:
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    keys = {f.key for f in report.findings}
    # The platform, its clock, the certificates and their chain, disk, and the app's own checks.
    assert {"platform", "clock", "cert.signing", "chain.signing", "disk.state"} <= keys
    assert "token.module" in keys
    assert page.model.rowCount() == len(report.findings)
    levels = dict((k, lvl) for k, lvl, _ in page.findings())
    assert levels["platform"] == "ok" and levels["chain.signing"] == "ok"
    # Chinese UI: the Chinese text of each finding is shown.
    assert any("平台" in text for _, _, text in page.findings())

    json_path = tmp_path / "报告" / "环境检测.json"
    with qtbot.waitSignal(page.exported, timeout=30_000):
        page.export_to(json_path)
    body = json.loads(json_path.read_text("utf-8"))
    assert [f["key"] for f in body["findings"]] == [f.key for f in report.findings]
    assert not any(p.name.endswith(".part") for p in json_path.parent.iterdir())
    text_path = tmp_path / "报告" / "环境检测.txt"
    with qtbot.waitSignal(page.exported, timeout=30_000):
        page.export_to(text_path)
    assert text_path.read_text("utf-8").startswith("环境检测 / environment check")

    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QApplication.clipboard().text()
    assert clipboard == page.text() and "平台" in clipboard
    ui.wait_tasks()


def test_environment_check_without_platform_and_with_a_bad_module(
    ui: UiWorld, qtbot: Any, tmp_path: Path
) -> None:
    ui.ctx.set_setting("platform/mode", "url")
    ui.ctx.set_setting("platform/url", "")
    broken = tmp_path / "不是模块.so"
    broken.write_bytes(b"not a shared library")
    ui.ctx.set_setting("token/module", str(broken))
    ui.window.navigate("envcheck")
    page = ui.window.page("envcheck")
    assert isinstance(page, EnvCheckPage)
    with qtbot.waitSignal(page.finished, timeout=60_000) as done:
        page.run()
    levels = {f.key: f.level for f in done.args[0].findings}
    assert levels["platform"] == "warn"
    assert levels["identity"] == "warn"
    assert levels["token.module"] == "fail"
    assert levels["disk.state"] in ("ok", "warn")  # disk is still checked
    failed_rows = [
        r
        for r in range(page.model.rowCount())
        if page.model.item(r, 0).data(Qt.ItemDataRole.UserRole) == "fail"
    ]
    assert failed_rows
    assert page.model.item(failed_rows[0], 0).background().color().name() == "#f8d7da"
    ui.wait_tasks()
