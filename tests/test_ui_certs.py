"""The certificates page: import (Chinese file names), the list, tokens, and expiry warnings.

The warnings are checked against a real bid on the embedded platform: a bidder submits, then
signs in with a renewed certificate that expires before that section's opening.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clienthelpers import seal_for
from uikit import UiWorld

from client import PlatformClient
from crypto.ca import KeyType, Role, SandboxCA
from crypto.identity import load_identity
from ui.certs import CertificatesPage, SeverityRole


def _page(ui: UiWorld, qtbot: Any) -> CertificatesPage:
    page = ui.window.page("certs")
    assert isinstance(page, CertificatesPage)
    with qtbot.waitSignal(page.refreshed, timeout=30_000):
        ui.window.navigate("certs")
    return page


def _refresh(page: CertificatesPage, qtbot: Any) -> None:
    with qtbot.waitSignal(page.refreshed, timeout=30_000):
        page.refresh()


def _issue(ui: UiWorld, bidder: int, *, days: float) -> Any:
    person = ui.sandbox.identities("bidder")[bidder]
    ca = SandboxCA.load(ui.sandbox.data_dir / "sandbox" / "ca")
    now = datetime.now(UTC)
    return ca.issue(
        role=Role.BIDDER,
        name=person.name,
        org_code=person.org_code,
        key_type=KeyType.P256,
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=days),
    )


def _warning_texts(page: CertificatesPage) -> list[str]:
    return [page.warnings_model.item(r).text() for r in range(page.warnings_model.rowCount())]


def test_import_with_chinese_name_and_the_list(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    page = _page(ui, qtbot)
    # The sandbox's people are listed with their certificates before anyone logs in.
    people = ui.sandbox.identities()
    for person in people:
        row = page.row_of(str(person.p12))
        assert row >= 0, person.name
        if person.org_code:
            assert page.model.item(row, page.COL_ORG).text() == person.org_code

    source = tmp_path / "下载" / "合肥建工集团-数字证书.p12"
    source.parent.mkdir()
    _issue(ui, 0, days=10).write_p12(source, password=b"pw-1234")
    folder = ui.ctx.data_dir / "certificates"

    with qtbot.waitSignal(page.importFailed, timeout=30_000) as failed:
        page.import_file(str(source), "wrong")
    assert "密码" in failed.args[0]
    assert not folder.exists() or not any(folder.iterdir())

    with qtbot.waitSignal(page.refreshed, timeout=30_000):
        with qtbot.waitSignal(page.imported, timeout=30_000) as imported:
            page.import_file(str(source), "pw-1234")
    copy = Path(imported.args[0])
    assert copy == folder / "合肥建工集团-数字证书.p12"
    assert copy.read_bytes() == source.read_bytes()
    assert ui.ctx.known_identity_files()[0] == str(copy)
    row = page.row_of(str(copy))
    assert row >= 0
    assert page.model.item(row, page.COL_ORG).text() == ui.sandbox.identities("bidder")[0].org_code
    # Expires in 10 days: an amber row and a line in the warnings list.
    assert page.model.item(row, 0).data(SeverityRole) == "warning"
    assert any("30" in t and "合肥建工集团" in t for t in _warning_texts(page))

    # Another file with the same name is kept beside it, never over it; the same file again
    # is recognised.
    other = tmp_path / "合肥建工集团-数字证书.p12"
    _issue(ui, 0, days=400).write_p12(other, password=b"pw-5678")
    with qtbot.waitSignal(page.imported, timeout=30_000) as second:
        page.import_file(str(other), "pw-5678")
    assert Path(second.args[0]) == folder / "合肥建工集团-数字证书 (2).p12"
    assert "合肥建工集团-数字证书 (2).p12" in page.message.text()  # said, not silent
    assert copy.read_bytes() == source.read_bytes()
    with qtbot.waitSignal(page.imported, timeout=30_000) as third:
        page.import_file(str(source), "pw-1234")
    assert Path(third.args[0]) == copy
    assert len([p for p in folder.iterdir() if p.suffix == ".p12"]) == 2
    ui.wait_tasks()


def test_warning_when_a_certificate_expires_before_an_opening(
    ui: UiWorld, qtbot: Any, tmp_path: Path
) -> None:
    sections = json.loads((ui.sandbox.data_dir / "sandbox.json").read_text("utf-8"))["sections"]
    later = [
        s
        for s in sections
        if s["open_for_bids"]
        and datetime.fromisoformat(s["opening_time"].replace("Z", "+00:00"))
        > datetime.now(UTC) + timedelta(days=5)
    ]
    section = later[0]["id"]
    p12, password = ui.identity_files("bidder", 0)
    with PlatformClient(
        base_url=ui.sandbox.url,
        identity=load_identity(p12, password=password),
        state_dir=ui.ctx.state_dir,
    ) as client:
        bid = seal_for(client, client.identity, section, tmp_path / "bid")
        client.submit(section, bid)

    # Signed in with the certificate the bid was sealed with: valid for two years, no warning.
    ui.login("bidder", 0)
    page = _page(ui, qtbot)
    assert not [w for w in page.warnings if w.kind == "before_opening"]
    assert page.model.item(0, 0).data(SeverityRole) == ""

    # A renewed certificate valid for three more days only: the opening is in a week.
    renewed = tmp_path / "续期证书.p12"
    _issue(ui, 0, days=3).write_p12(renewed, password=b"pw-1234")
    with qtbot.waitSignal(page.refreshed, timeout=30_000):
        ui.ctx.set_identity(load_identity(renewed, password=b"pw-1234"), source=str(renewed))
    late = [w for w in page.warnings if w.kind == "before_opening"]
    assert {w.opening.section_id for w in late if w.opening} == {section}
    assert {w.usage for w in late} == {"signing", "encryption"}
    first = page.model.item(0, 0)
    assert first.data(SeverityRole) == "problem"
    assert first.background().color().name() == "#f8d7da"
    assert section in page.model.item(0, page.COL_STATUS).text()
    assert any(section in t for t in _warning_texts(page))
    ui.wait_tasks()


def test_detect_tokens_lists_the_certificates_on_them(
    ui: UiWorld, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from softhsm import sandbox_bidder_token

    sandbox = json.loads((ui.sandbox.data_dir / "sandbox.json").read_text("utf-8"))
    token = sandbox_bidder_token(tmp_path, monkeypatch, sandbox, label="投标UKey", pin="246810")
    ui.ctx.set_setting("token/module", token.module)
    page = _page(ui, qtbot)
    with qtbot.waitSignal(page.tokensDetected, timeout=30_000) as found:
        page.detect_tokens()
    assert found.args == [1]
    tokens = [s for s in page.summaries() if s.kind == "token"]
    assert len(tokens) == 1
    bidder = ui.sandbox.identities("bidder")[0]
    assert tokens[0].org_code == bidder.org_code
    assert tokens[0].signing is not None and tokens[0].encryption is not None
    assert page.row_of(tokens[0].source) >= 0
    ui.wait_tasks()
