"""The platform commands of ``sealbid`` end to end against the real platform on 127.0.0.1,
and ``sealbid seal --platform``'s context (form, tender version, opening time)."""

from __future__ import annotations

import argparse
import json
import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from clienthelpers import Party, cli_login, client_for, open_sections, seal_for
from platformserver import RunningPlatform, start_platform

from client import RetryPolicy, wire
from sealbid import cli_platform
from sealbid.cli import main
from sealbid.cli_platform import check_summary, platform_seal_context
from sealbid.errors import UsageError


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    p = start_platform(tmp_path_factory.mktemp("platform"))
    yield p
    p.stop()


def test_sections_lists_what_the_platform_has(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bidder = Party.of(platform, "bidder", 0)
    assert main(["sections", *cli_login(platform, bidder, tmp_path)]) == 0
    out = capsys.readouterr().out
    for s in platform.sandbox["sections"]:  # type: ignore[index]
        assert s["id"] in out and s["name"] in out
    assert "北京时间" in out and "platform clock offset" in out
    assert main(["sections", *cli_login(platform, bidder, tmp_path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {s["id"] for s in listed} == {s["id"] for s in platform.sandbox["sections"]}  # type: ignore[index]


def test_submit_receipts_verify_withdraw(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = open_sections(platform)[0]
    bidder = Party.of(platform, "bidder", 1)
    state = tmp_path / "state"
    with client_for(platform, bidder, tmp_path / "seal") as c:
        bid = seal_for(c, bidder, sid, tmp_path)
    login = cli_login(platform, bidder, state)

    assert main(["submit", *login, "--section", sid, str(bid)]) == 0
    captured = capsys.readouterr()
    receipt = Path(captured.out.strip())  # stdout: the receipt's path and nothing else
    assert receipt.is_file() and receipt.is_relative_to(state)
    assert "回执验证通过" in captured.err and sid in captured.err

    ca = Path(platform.sandbox["ca"])  # type: ignore[index]
    verify = ["receipt", "verify", str(receipt)]
    assert main([*verify, "--platform-cert", str(ca), "--file", str(bid)]) == 0
    out = capsys.readouterr().out
    assert "回执验证通过" in out and "file digest matches" in out
    assert main(verify) == 0  # pinned at the platform certificate saved in the store
    assert "signer pinned" in capsys.readouterr().out

    other = tmp_path / "other.sealbid"
    other.write_bytes(b"something else")
    assert main([*verify, "--platform-cert", str(ca), "--file", str(other)]) == 1
    assert "回执验证失败" in capsys.readouterr().err

    forged = tmp_path / "forged.json"
    body = json.loads(receipt.read_text("utf-8"))
    body["receipt"] = body["receipt"].replace('"sequence":1', '"sequence":9')
    forged.write_text(json.dumps(body), encoding="utf-8")
    assert main(["receipt", "verify", str(forged), "--platform-cert", str(ca)]) == 1
    assert "回执验证失败" in capsys.readouterr().err

    assert main(["withdraw", *login, "--section", sid]) == 0
    withdrawn = Path(capsys.readouterr().out.strip())
    assert withdrawn.is_file() and withdrawn != receipt

    # The local store, offline, and the platform's list (verified and stored again).
    assert main(["receipts", "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out
    assert str(receipt) in out and str(withdrawn) in out and "撤回 withdraw" in out
    assert main(["receipts", *login]) == 0
    assert str(withdrawn) in capsys.readouterr().out


def test_plain_http_to_a_remote_platform_is_refused(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bidder = Party.of(platform, "bidder", 0)
    login = cli_login(platform, bidder, tmp_path)
    login[1] = "http://ggzy.example.cn"
    assert main(["sections", *login]) == 1
    err = capsys.readouterr().err
    assert "明文" in err and "https://" in err


def test_a_platform_that_is_not_there_is_a_clear_error(
    platform: RunningPlatform,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(cli_platform, "RETRY", RetryPolicy(attempts=2, initial=0.01))
    login = cli_login(platform, Party.of(platform, "bidder", 0), tmp_path)
    login[1] = f"http://127.0.0.1:{port}"
    assert main(["sections", *login]) == 1
    err = capsys.readouterr().err
    assert "无法连接交易平台" in err and "Cannot reach" in err


# --- sealbid seal --platform ---------------------------------------------------------------


def _form() -> wire.SummaryForm:
    return wire.SummaryForm(
        fields=(
            wire.FormField(key="price", label="投标报价", type="money", unit="元"),
            wire.FormField(key="price_w", label="报价", type="money", unit="万元", required=False),
            wire.FormField(key="duration", label="工期", type="integer", unit="日历天"),
            wire.FormField(key="quality", label="质量", type="choice", choices=("合格", "优良")),
            wire.FormField(key="manager", label="项目负责人", type="text"),
            wire.FormField(key="start", label="开工日期", type="date", required=False),
        )
    )


GOOD = {"price": "1234567.89", "duration": 365, "quality": "合格", "manager": "张工"}


@pytest.mark.parametrize(
    "summary",
    [GOOD, GOOD | {"price_w": "123.456789", "start": "2025-09-01"}, GOOD | {"price": 100}],
)
def test_a_summary_that_fits_the_form_passes(summary: dict[str, Any]) -> None:
    check_summary(_form(), summary)


@pytest.mark.parametrize(
    ("summary", "why"),
    [
        ({k: v for k, v in GOOD.items() if k != "price"}, "price"),
        (GOOD | {"price": "1,234.5"}, "price"),
        (GOOD | {"price": "12.345"}, "decimal"),
        (GOOD | {"price": 1.5}, "price"),  # a float is never money
        (GOOD | {"duration": "一年"}, "duration"),
        (GOOD | {"quality": "一般"}, "quality"),
        (GOOD | {"start": "2025/09/01"}, "start"),
        (GOOD | {"bonus": "1"}, "bonus"),
        (None, "price"),
    ],
)
def test_a_summary_that_does_not_fit_the_form_is_refused(summary: Any, why: str) -> None:
    with pytest.raises(UsageError, match=why):
        check_summary(_form(), summary)


def test_seal_context_comes_from_the_platform(platform: RunningPlatform, tmp_path: Path) -> None:
    sid = open_sections(platform)[0]
    bidder = Party.of(platform, "bidder", 2)
    args = argparse.Namespace(
        platform=platform.url,
        ca_bundle=None,
        state_dir=str(tmp_path),
        section=sid,
        tender_version=None,
    )
    with client_for(platform, bidder, tmp_path) as c:
        section = c.section(sid)
    summary = {
        "price": str(Decimal("1234567.89")),
        "duration": 365,
        "quality": "合格",
        "manager": "张工",
        "bond": "800000.00",
    }
    version, opening = platform_seal_context(args, bidder.identity(), summary, None)
    assert (version, opening) == (section.tender_version, section.opening_time)
    with pytest.raises(UsageError, match="tender-version"):
        platform_seal_context(
            argparse.Namespace(**{**vars(args), "tender_version": "0" * 64}),
            bidder.identity(),
            summary,
            None,
        )
    with pytest.raises(UsageError, match="bond"):
        platform_seal_context(args, bidder.identity(), {**summary, "bond": None}, None)


def test_a_damaged_receipt_file_is_reported_and_the_others_still_listed(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = open_sections(platform)[1]
    bidder = Party.of(platform, "bidder", 0)
    state = tmp_path / "state"
    with client_for(platform, bidder, state) as c:
        good = c.submit(sid, seal_for(c, bidder, sid, tmp_path)).path
    assert good is not None
    damaged = good.with_name("000099-submit-damaged.json")
    damaged.write_text('{"receipt": "{}", "signature": "AA=="}', encoding="utf-8")
    assert main(["receipts", "--state-dir", str(state)]) == 1
    captured = capsys.readouterr()
    assert str(good) in captured.out and str(damaged) in captured.err
