"""The sandbox CA: `sealbid ca init` / `sealbid ca issue`, checked with OpenSSL."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from crypto import load_identity
from crypto.ca import Role, SandboxCA
from crypto.identity import can_encrypt, can_sign
from sealbid.cli import main
from sealbid.uscc import with_check_character

USCC = with_check_character("91340100MA2N00001")


@pytest.fixture
def ca_dir(tmp_path: Path) -> Path:
    d = tmp_path / "沙箱CA"
    assert main(["ca", "init", str(d)]) == 0
    return d


@pytest.fixture
def pw(tmp_path: Path) -> Path:
    p = tmp_path / "pw.txt"
    p.write_bytes("投标密码-2026\r\n".encode())  # CRLF as Windows Notepad writes it
    return p


def test_init_writes_a_labelled_sandbox_ca(ca_dir: Path) -> None:
    cert = x509.load_pem_x509_certificate((ca_dir / "ca.pem").read_bytes())
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert "SANDBOX" in str(cn) and "沙箱" in str(cn)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    key_mode = (ca_dir / "ca-key.pem").stat().st_mode & 0o777
    assert key_mode & 0o077 == 0 or not hasattr(__import__("os"), "getuid")


def test_init_refuses_to_overwrite(ca_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (ca_dir / "ca.pem").read_bytes()
    assert main(["ca", "init", str(ca_dir)]) == 2
    assert (ca_dir / "ca.pem").read_bytes() == before
    err = capsys.readouterr().err
    assert "已有 CA" in err and "already exists" in err


def test_bidder_gets_dual_certificates_with_credit_code(
    ca_dir: Path, pw: Path, tmp_path: Path
) -> None:
    out = tmp_path / "投标人.p12"
    args = ["ca", "issue", str(ca_dir), "--role", "bidder", "--name", "安徽示例建设有限公司"]
    assert main([*args, "--org-code", USCC, "--out", str(out), "--password-file", str(pw)]) == 0
    ident = load_identity(out, password="投标密码-2026".encode())
    assert ident.signing_cert != ident.encryption_cert
    assert can_sign(ident.signing_cert) and not can_encrypt(ident.signing_cert)
    assert can_encrypt(ident.encryption_cert) and not can_sign(ident.encryption_cert)
    for cert in (ident.signing_cert, ident.encryption_cert):
        org_id = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
        assert org_id[0].value == USCC
        assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == (
            "安徽示例建设有限公司"
        )
    # OpenSSL reads the file and sees two keys (the password file holds CRLF; OpenSSL gets LF).
    pw_lf = tmp_path / "pw-lf.txt"
    pw_lf.write_text("投标密码-2026\n", encoding="utf-8")
    info = subprocess.run(
        ["openssl", "pkcs12", "-info", "-in", str(out), "-passin", f"file:{pw_lf}", "-nodes"],
        capture_output=True,
        check=True,
    )
    assert info.stdout.count(b"-----BEGIN PRIVATE KEY-----") == 2
    assert info.stdout.count(b"-----BEGIN CERTIFICATE-----") == 3  # sign, encrypt, CA
    for cert in (ident.signing_cert, ident.encryption_cert):
        pem = tmp_path / "leaf.pem"
        pem.write_bytes(cert.public_bytes(Encoding.PEM))
        chain = subprocess.run(
            ["openssl", "verify", "-CAfile", str(ca_dir / "ca.pem"), str(pem)], capture_output=True
        )
        assert chain.returncode == 0, chain.stderr


@pytest.mark.parametrize("role", ["host", "recorder", "supervisor", "platform"])
def test_other_roles_get_one_certificate(ca_dir: Path, pw: Path, tmp_path: Path, role: str) -> None:
    out = tmp_path / f"{role}.p12"
    args = ["ca", "issue", str(ca_dir), "--role", role, "--name", "张三"]
    assert main([*args, "--out", str(out), "--password-file", str(pw)]) == 0
    ident = load_identity(out, password="投标密码-2026".encode())
    assert ident.signing_cert == ident.encryption_cert
    ou = ident.signing_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert ou[0].value == role


def test_ec_and_rsa4096_keys(ca_dir: Path, pw: Path, tmp_path: Path) -> None:
    for key_type, expected in (("p256", "secp256r1"), ("rsa4096", 4096)):
        out = tmp_path / f"{key_type}.p12"
        args = ["ca", "issue", str(ca_dir), "--role", "bidder", "--name", "甲", "--single"]
        assert (
            main([*args, "--key-type", key_type, "--out", str(out), "--password-file", str(pw)])
            == 0
        )
        key = load_identity(out, password="投标密码-2026".encode()).signing_cert.public_key()
        got = getattr(key, "key_size", None) if expected == 4096 else key.curve.name  # type: ignore[union-attr]
        assert got == expected


def test_bad_credit_code_is_a_usage_error_and_writes_nothing(
    ca_dir: Path, pw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.p12"
    args = ["ca", "issue", str(ca_dir), "--role", "bidder", "--name", "甲", "--org-code"]
    assert main([*args, "91340100MA2N000010", "--out", str(out), "--password-file", str(pw)]) == 2
    assert not out.exists()
    assert list(tmp_path.glob("*.part")) == []
    err = capsys.readouterr().err
    assert "校验位" in err and "check character" in err


def test_issue_without_a_ca_folder_fails_clearly(
    tmp_path: Path, pw: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.p12"
    args = ["ca", "issue", str(tmp_path / "nope"), "--role", "host", "--name", "甲"]
    code = main([*args, "--out", str(out), "--password-file", str(pw)])
    assert code == 1
    assert "不是沙箱 CA 目录" in capsys.readouterr().err
    assert not out.exists()


def test_loaded_ca_issues_into_the_same_chain(ca_dir: Path) -> None:
    ca = SandboxCA.load(ca_dir)
    issued = ca.issue(role=Role.HOST, name="主持人")
    assert issued.signing_cert.issuer == ca.cert.subject
    issued.signing_cert.verify_directly_issued_by(ca.cert)


def test_empty_password_is_refused_clearly(
    ca_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "a.p12"
    args = ["ca", "issue", str(ca_dir), "--role", "host", "--name", "甲", "--out", str(out)]
    assert main([*args, "--password-file", str(empty)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "密码不能为空" in err and "must not be empty" in err
