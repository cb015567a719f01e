"""The sealed-bid vectors in tests/vectors/: every case raises exactly the error it names.

Each ``<case>.sealbid`` is run through the operation its ``<case>.json`` sidecar names
(``open_bid`` with the vector identity, or ``verify`` with the vector CA as trust anchor). A
failing ``open`` must leave nothing behind. The generator (tests/make_vectors.py) is run again
to check that the checked-in sidecars are exactly what it produces and that the outcomes do not
depend on the keys and randomness of one run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

import crypto.errors
from crypto import load_identity, open_bid, verify
from crypto.identity import FileIdentity
from sealbid.errors import SealBidError

HERE = Path(__file__).resolve().parent
VECTORS = HERE / "vectors"
GENERATOR = HERE / "make_vectors.py"


def _sidecars(folder: Path) -> dict[str, dict[str, Any]]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
    }


CASES = _sidecars(VECTORS)


@cache
def _identity(folder: Path, stem: str) -> FileIdentity:
    password = (folder / "password.txt").read_text(encoding="utf-8").strip().encode()
    return load_identity(folder / f"{stem}.p12", password=password)


def _trust(folder: Path, name: str | None) -> list[x509.Certificate] | None:
    if name is None:
        return None
    return x509.load_pem_x509_certificates((folder / name).read_bytes())


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run_case(folder: Path, side: dict[str, Any], work: Path) -> None:
    """Run one vector and assert its outcome; ``work`` is an empty scratch folder."""
    path = folder / f"{side['case']}.sealbid"
    expect = side["expect"]
    out = work / "opened"

    def operation() -> Any:
        if side["operation"] == "open":
            return open_bid(path, _identity(folder, side["identity"]), out)
        assert side["operation"] == "verify", side
        return verify(path, trust=_trust(folder, side["trust"]))

    if expect != "ok":
        cls = getattr(crypto.errors, expect)
        with pytest.raises(cls) as info:
            operation()
        assert type(info.value) is cls, f"{side['case']}: {info.value!r}"
        for key, value in side.get("params", {}).items():
            assert info.value.params[key] == value, (key, info.value.params)
        # The user sees a filled-in message in both languages, never a raw template.
        for lang in ("zh_CN", "en_US"):
            text = info.value.diagnostics(lang)
            assert text and "{" not in text, (lang, text)
        assert not out.exists(), f"{side['case']}: a failed open left {list(out.rglob('*'))}"
        assert list(work.iterdir()) == []
        return

    result = operation()
    if side["operation"] == "verify":
        assert result.trusted is (side["trust"] is not None)
        assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        return
    files = _tree(out / "documents")
    assert sorted(files) == sorted(d["name"] for d in side["documents"])
    for d in side["documents"]:
        assert len(files[d["name"]]) == d["size"]
        assert hashlib.sha256(files[d["name"]]).hexdigest() == d["sha256"]
    assert [name for name, _ in result.documents] == [d["name"] for d in side["documents"]]
    assert result.summary == side["summary"]
    assert (out / "summary.json").exists() is (side["summary"] is not None)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [d["name"] for d in manifest["documents"]] == [d["name"] for d in side["documents"]]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["documents", "manifest.json"] + (["summary.json"] if side["summary"] is not None else [])
    )


def test_the_vectors_are_there() -> None:
    assert len(CASES) >= 100
    assert (VECTORS / "README.md").exists()
    for name, side in CASES.items():
        assert side["case"] == name
        assert (VECTORS / f"{name}.sealbid").is_file()
        assert side["operation"] in ("open", "verify")
        expect = side["expect"]
        assert expect == "ok" or issubclass(getattr(crypto.errors, expect), SealBidError)
    # Every error the brief asks the format to detect has at least one vector.
    expected = {side["expect"] for side in CASES.values()}
    assert {
        "ok",
        "NotASealedBidError",
        "UnsupportedVersionError",
        "TruncatedError",
        "TrailingDataError",
        "HeaderTamperedError",
        "ManifestMismatchError",
        "PayloadCorruptedError",
        "PayloadDigestError",
        "KeyCommitmentError",
        "NoMatchingRecipientError",
        "WrongKeyError",
        "SignatureInvalidError",
        "SignerMismatchError",
        "CertificateExpiredError",
        "CertificateNotYetValidError",
        "CertificateUntrustedError",
        "UnsafeDocumentNameError",
        "InnerManifestError",
    } <= expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_vector(name: str, tmp_path: Path) -> None:
    run_case(VECTORS, CASES[name], tmp_path)


def test_every_sealbid_file_has_a_sidecar() -> None:
    assert sorted(p.stem for p in VECTORS.glob("*.sealbid")) == sorted(CASES)


def test_readme_lists_every_case() -> None:
    text = (VECTORS / "README.md").read_text(encoding="utf-8")
    for name, side in CASES.items():
        assert f"| `{name}` | {side['operation']} | {side['expect']} |" in text


def test_vectors_are_small() -> None:
    sizes = {p.name: p.stat().st_size for p in VECTORS.glob("*.sealbid")}
    assert max(sizes.values()) < 64 * 1024, max(sizes.items(), key=lambda kv: kv[1])


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_checks_a_vector_with_the_pem_files(tmp_path: Path) -> None:
    """The PEM files in the folder are the ones the vectors use: OpenSSL verifies the
    signature against ca.pem and recovers a file key that matches the key commitment."""
    from crypto import envelope

    parts = tmp_path / "parts"
    envelope.extract(VECTORS / "ok-small.sealbid", parts)
    run = subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(parts / "outer-manifest.p7s"),
            "-content",
            str(parts / "outer-manifest"),
            "-CAfile",
            str(VECTORS / "ca.pem"),
            "-attime",
            "1740794400",
            "-out",
            str(tmp_path / "content"),
        ],
        capture_output=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    assert (tmp_path / "content").read_bytes() == (parts / "outer-manifest").read_bytes()
    run = subprocess.run(
        [
            "openssl",
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            str(parts / "recipients.der"),
            "-inkey",
            str(VECTORS / "bidder-enc-key.pem"),
        ],
        capture_output=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    file_key = run.stdout
    header = json.loads((parts / "header.json").read_bytes())
    salt = envelope._unb64(header["salt"], "salt")
    assert len(file_key) == 32
    assert envelope._b64(envelope.key_commitment(file_key, salt)) == header["key_commitment"]


def test_generator_reproduces_the_cases_and_their_outcomes(tmp_path: Path) -> None:
    """Regenerate into a temporary folder: the same sidecars (names, operations, expected
    outcomes, documents) and README, and every regenerated case behaves as its sidecar says
    with the new keys, so the checked-in files cannot drift from the generator."""
    fresh = tmp_path / "vectors"
    run = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(fresh)],
        capture_output=True,
        check=False,
        cwd=HERE.parent,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    regenerated = _sidecars(fresh)
    assert regenerated == CASES
    assert (fresh / "README.md").read_text(encoding="utf-8") == (VECTORS / "README.md").read_text(
        encoding="utf-8"
    )
    assert (fresh / "ca.pem").read_bytes() != (VECTORS / "ca.pem").read_bytes()  # new keys
    for name, side in regenerated.items():
        work = tmp_path / "work" / name
        work.mkdir(parents=True)
        run_case(fresh, side, work)
