"""A bidder whose keys live on a USB token (SoftHSM2): issue, seal, verify, open via the CLI."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest
from softhsm import SoftToken, create_token

from sealbid.cli import main


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SoftToken:
    return create_token(tmp_path, monkeypatch, label="投标UKey", pin="246810")


@pytest.fixture
def setup(tmp_path: Path, token: SoftToken) -> dict[str, Path]:
    ca = tmp_path / "ca"
    assert main(["ca", "init", str(ca)]) == 0
    pin = tmp_path / "pin.txt"
    pin.write_text("246810\r\n", encoding="utf-8")
    doc = tmp_path / "商务标.pdf"
    doc.write_bytes(bytes(range(256)) * 5000)
    return {"ca": ca, "pin": pin, "doc": doc}


@pytest.mark.parametrize("key_type", ["rsa2048", "p256"])
def test_token_bidder_seals_and_opens_through_the_cli(
    tmp_path: Path, token: SoftToken, setup: dict[str, Path], key_type: str
) -> None:
    ca, pin, doc = setup["ca"], setup["pin"], setup["doc"]
    token_args = ["--token-module", token.module, "--token-label", token.label]
    issue = ["ca", "issue", str(ca), "--role", "bidder", "--name", "合肥建工集团有限公司"]
    assert (
        main([*issue, "--key-type", key_type, "--token", *token_args, "--pin-file", str(pin)]) == 0
    )

    uri = (
        "pkcs11:token="
        + urllib.parse.quote(token.label)
        + "?module-path="
        + urllib.parse.quote(token.module)
    )
    bid = tmp_path / "投标.sealbid"
    seal = ["seal", "--identity", uri, "--pin-file", str(pin), "--section", "S-9"]
    assert main([*seal, "-o", str(bid), str(doc)]) == 0
    assert main(["verify", str(bid), "--trust", str(ca / "ca.pem")]) == 0

    out = tmp_path / "开标"
    assert main(["open", str(bid), *token_args, "--pin-file", str(pin), "-o", str(out)]) == 0
    assert (out / "documents" / "商务标.pdf").read_bytes() == doc.read_bytes()


def test_token_bid_records_the_token_padding(
    tmp_path: Path, token: SoftToken, setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ca, pin, doc = setup["ca"], setup["pin"], setup["doc"]
    token_args = ["--token-module", token.module, "--token-label", token.label]
    issue = ["ca", "issue", str(ca), "--role", "bidder", "--name", "甲公司", "--token"]
    assert main([*issue, *token_args, "--pin-file", str(pin)]) == 0
    bid = tmp_path / "b.sealbid"
    seal = ["seal", *token_args, "--pin-file", str(pin), "--section", "S-1", "-o", str(bid)]
    assert main([*seal, str(doc)]) == 0
    capsys.readouterr()
    assert main(["inspect", str(bid), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    # SoftHSM2 2.6 cannot unwrap OAEP-SHA256, so the bidder's own entry must be one it can.
    assert [r["algorithm"] for r in info["recipients"]] == ["rsaes-oaep-sha1"]


def test_wrong_pin_file_fails_with_a_clear_message(
    tmp_path: Path, token: SoftToken, setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ca, pin, doc = setup["ca"], setup["pin"], setup["doc"]
    token_args = ["--token-module", token.module, "--token-label", token.label]
    issue = ["ca", "issue", str(ca), "--role", "bidder", "--name", "甲公司", "--token"]
    assert main([*issue, *token_args, "--pin-file", str(pin)]) == 0
    bad = tmp_path / "bad-pin.txt"
    bad.write_text("000000", encoding="utf-8")
    bid = tmp_path / "b.sealbid"
    code = main(
        ["seal", *token_args, "--pin-file", str(bad), "--section", "S", "-o", str(bid), str(doc)]
    )
    assert code == 1
    assert not bid.exists()
    err = capsys.readouterr().err
    assert "PIN" in err and "错误" in err
