"""Shared fixtures: one sandbox CA per test session and bidder identities it issued.

    def test_something(bidder_rsa: IssuedIdentity, sandbox_ca: SandboxCA) -> None:
        identity = bidder_rsa.identity()          # a crypto.FileIdentity
        trust = [sandbox_ca.cert]

Keys are generated once per session (RSA key generation is the slow part). The fixtures are
read-only: a test that needs an expired or otherwise odd certificate issues its own from
``sandbox_ca``.
"""

from __future__ import annotations

import pytest

from crypto.ca import IssuedIdentity, KeyType, Role, SandboxCA

# A well-formed unified social credit code (GB 32100-2015, check character included).
BIDDER_ORG_CODE = "91350100M000100Y43"
BIDDER_NAME = "合肥建工集团有限公司"


@pytest.fixture(scope="session")
def sandbox_ca() -> SandboxCA:
    """A fresh sandbox CA (P-256), valid from five minutes ago for ten years."""
    return SandboxCA.create()


@pytest.fixture(scope="session")
def bidder_rsa(sandbox_ca: SandboxCA) -> IssuedIdentity:
    """A bidder with dual RSA-2048 certificates (separate signing and encryption pairs)."""
    return sandbox_ca.issue(
        role=Role.BIDDER, name=BIDDER_NAME, org_code=BIDDER_ORG_CODE, key_type=KeyType.RSA2048
    )


@pytest.fixture(scope="session")
def bidder_ec(sandbox_ca: SandboxCA) -> IssuedIdentity:
    """A bidder with dual P-256 certificates (ECDSA signing, ECDH key agreement)."""
    return sandbox_ca.issue(
        role=Role.BIDDER, name="安徽路桥工程有限公司", org_code=None, key_type=KeyType.P256
    )


@pytest.fixture(scope="session")
def bidder_single(sandbox_ca: SandboxCA) -> IssuedIdentity:
    """A bidder with one RSA-2048 key and certificate used for both signing and encryption."""
    return sandbox_ca.issue(
        role=Role.BIDDER, name="Single Cert Builders Ltd", key_type=KeyType.RSA2048, dual=False
    )
