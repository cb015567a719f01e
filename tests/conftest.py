"""Shared fixtures: one sandbox CA per test session and bidder identities it issued.

    def test_something(bidder_rsa: IssuedIdentity, sandbox_ca: SandboxCA) -> None:
        identity = bidder_rsa.identity()          # a crypto.FileIdentity
        trust = [sandbox_ca.cert]

Keys are generated once per session (RSA key generation is the slow part). The fixtures are
read-only: a test that needs an expired or otherwise odd certificate issues its own from
``sandbox_ca``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The desktop app's tests (pytest-qt) run without a screen unless a display is chosen on purpose.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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


# --- the reference platform (server/) ---------------------------------------------------------


@pytest.fixture
def platform(tmp_path):  # type: ignore[no-untyped-def]
    """The sandbox platform on 127.0.0.1 (SQLite), stopped after the test."""
    from platformserver import start_platform

    running = start_platform(tmp_path)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def pg_cluster():  # type: ignore[no-untyped-def]
    """A PostgreSQL server for the session: SEALBID_TEST_PG_URL, or a throwaway cluster."""
    from pgcluster import PgCluster, why_unavailable

    reason = why_unavailable()
    if reason is not None:
        pytest.skip(reason)
    cluster = PgCluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster):  # type: ignore[no-untyped-def]
    """A fresh, empty PostgreSQL database for one test (SQLAlchemy URL)."""
    url = pg_cluster.create_database()
    yield url
    pg_cluster.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):  # type: ignore[no-untyped-def]
    """Run a test on SQLite (None: DATA/platform.db) and on PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """One sandbox platform per test module and database (SQLite, PostgreSQL), with a
    ``SettableClock`` as ``served.clock``; a test that moves the clock resets it."""
    from platformserver import SettableClock, start_platform

    url = None
    cluster = None
    if request.param == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database()
    clock = SettableClock()
    running = start_platform(tmp_path_factory.mktemp("platform"), db_url=url, clock=clock)
    yield running
    running.stop()
    if cluster is not None and url is not None:
        cluster.drop_database(url)


@pytest.fixture
def ui(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    """The desktop app's main window on the embedded sandbox platform (``tests/uikit.py``)."""
    from uikit import make_world

    world = make_world(qtbot, tmp_path)
    try:
        yield world
    finally:
        world.close()
