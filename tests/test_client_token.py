"""A bidder whose keys live on a USB token (SoftHSM2) logs in, seals and submits, through the
client and through the command line, against the real platform on 127.0.0.1."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from clienthelpers import Party, client_for, open_sections, seal_for
from platformserver import RunningPlatform, start_platform
from softhsm import SoftToken, sandbox_bidder_token

from crypto.token import TokenIdentity
from sealbid.cli import main


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[RunningPlatform]:
    p = start_platform(tmp_path / "platform")
    yield p
    p.stop()


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: RunningPlatform) -> SoftToken:
    assert platform.sandbox is not None
    return sandbox_bidder_token(
        tmp_path, monkeypatch, platform.sandbox, label="投标UKey", pin="246810"
    )


def test_a_token_bidder_logs_in_seals_and_submits(
    platform: RunningPlatform, token: SoftToken, tmp_path: Path
) -> None:
    sid = open_sections(platform)[0]
    with TokenIdentity.open(module=token.module, token_label=token.label, pin=token.pin) as ident:
        with client_for(platform, None, tmp_path / "state", identity=ident) as c:
            session = c.login()
            assert session.role == "bidder" and session.name == Party.of(platform, "bidder").name
            fingerprint = session.cert_sha256
            bid = seal_for(c, ident, sid, tmp_path)
            receipt = c.submit(sid, bid)
    assert receipt.receipt.bidder.cert_sha256 == fingerprint
    assert receipt.path is not None and receipt.path.is_file()


def test_token_options_work_for_the_platform_commands(
    platform: RunningPlatform,
    token: SoftToken,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pin = tmp_path / "pin.txt"
    pin.write_text("246810\n", encoding="utf-8")
    uri = "pkcs11:token=" + urllib.parse.quote(token.label)
    uri += "?module-path=" + urllib.parse.quote(token.module)
    common = ["--platform", platform.url, "--state-dir", str(tmp_path / "state")]
    assert main(["sections", *common, "--identity", uri, "--pin-file", str(pin)]) == 0
    assert open_sections(platform)[0] in capsys.readouterr().out
    token_args = ["--token-module", token.module, "--token-label", token.label]
    assert main(["sections", *common, *token_args, "--pin-file", str(pin), "--json"]) == 0
    assert open_sections(platform)[0] in capsys.readouterr().out
