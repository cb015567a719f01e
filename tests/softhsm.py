"""Throwaway SoftHSM2 tokens for tests: a real PKCS#11 token in a temp folder, no mocks.

    token = create_token(tmp_path, monkeypatch, label="投标密钥")
    identity = TokenIdentity.open(module=token.module, token_label=token.label, pin=token.pin)

Each call writes its own ``softhsm2.conf`` with a token folder under ``tmp_path``, points
``SOFTHSM2_CONF`` at it and runs ``softhsm2-util --init-token --free``. SoftHSM2 reads its
configuration and scans its token folder only in ``C_Initialize``, so the already loaded module
is re-initialised afterwards; that drops every open session, so tests close their identities.
Tests skip (with the reason) only when SoftHSM2 is not installed; CI installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pkcs11
import pytest

__all__ = [
    "SoftToken",
    "add_token",
    "create_token",
    "find_module",
    "require_softhsm",
    "sandbox_bidder_token",
]

_MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
)


@dataclass(frozen=True)
class SoftToken:
    """A freshly initialised SoftHSM2 token."""

    module: str
    """Path of libsofthsm2.so."""
    label: str
    """Token label."""
    pin: str
    """User PIN."""
    so_pin: str
    """Security officer PIN."""
    conf: Path
    """The softhsm2.conf this token lives under (SOFTHSM2_CONF)."""


def find_module() -> str | None:
    """libsofthsm2.so: $SOFTHSM2_MODULE, else the usual install locations."""
    explicit = os.environ.get("SOFTHSM2_MODULE")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    return next((p for p in _MODULE_CANDIDATES if Path(p).is_file()), None)


def require_softhsm() -> str:
    """The module path, or skip the test when SoftHSM2 is not installed."""
    module = find_module()
    if module is None or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 is not installed (apt install softhsm2); token tests need it")
    return module


def _reinitialize(module: str) -> None:
    # SoftHSM2 reads SOFTHSM2_CONF and the token folder in C_Initialize only.
    pkcs11.lib(module).reinitialize()


def add_token(
    conf: Path, *, label: str, pin: str = "123456", so_pin: str = "12345678"
) -> SoftToken:
    """Initialise one more token under an existing ``conf`` (several tokens at once)."""
    module = require_softhsm()
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            pin,
            "--so-pin",
            so_pin,
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
    )
    _reinitialize(module)
    return SoftToken(module=module, label=label, pin=pin, so_pin=so_pin, conf=conf)


def create_token(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    label: str = "SealBid test",
    pin: str = "123456",
    so_pin: str = "12345678",
) -> SoftToken:
    """A new SoftHSM2 with one initialised token, private to this test."""
    require_softhsm()
    tokendir = tmp_path / "softhsm-tokens"
    tokendir.mkdir(parents=True, exist_ok=True)
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokendir}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    return add_token(conf, label=label, pin=pin, so_pin=so_pin)


def sandbox_bidder_token(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandbox: dict[str, Any],
    *,
    label: str,
    pin: str,
) -> SoftToken:
    """A token holding dual RSA keys for the sandbox's first bidder company, certified by the
    sandbox CA: the platform finds the account by the organisation identifier, as for a
    renewed UKey."""
    from crypto.ca import KeyType, Role, SandboxCA
    from crypto.token import generate_on_token

    t = create_token(tmp_path, monkeypatch, label=label, pin=pin)
    ca = SandboxCA.load(Path(sandbox["ca"]).parent)
    bidder = next(i for i in sandbox["identities"] if i["role"] == "bidder")
    generate_on_token(
        module=t.module,
        token_label=t.label,
        pin=t.pin,
        ca=ca,
        role=Role.BIDDER,
        name=bidder["name"],
        org_code=bidder["org_code"],
        key_type=KeyType.RSA2048,
        dual=True,
    )
    return t
