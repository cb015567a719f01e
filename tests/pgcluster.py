"""A throwaway PostgreSQL cluster for the server's tests (real PostgreSQL, style rule 14).

    cluster = PgCluster.start()           # initdb + postgres on a free port, socket in a temp dir
    url = cluster.create_database()       # postgresql+psycopg://postgres@/test_ab12…?host=…
    cluster.drop_database(url)
    cluster.stop()

``SEALBID_TEST_PG_URL`` (CI) names an existing server instead (a URL to a database of a role that
may CREATE DATABASE); otherwise the Debian binaries under /usr/lib/postgresql/*/bin are used,
run as the ``postgres`` user when the tests run as root (postgres refuses root).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ENV_URL = "SEALBID_TEST_PG_URL"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def why_unavailable() -> str | None:
    """None when a cluster can be had, else the reason to skip."""
    if os.environ.get(ENV_URL):
        return None
    if find_binaries() is None:
        return f"PostgreSQL not installed (no /usr/lib/postgresql/*/bin/initdb) and {ENV_URL} unset"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root and 'runuser' is missing"
    return None


@dataclass
class PgCluster:
    """Either our own server (``base``) or the one named by ``SEALBID_TEST_PG_URL``."""

    admin_url: str  # psycopg (libpq) URL of a database to run CREATE DATABASE from
    base: Path | None = None
    bindir: Path | None = None
    as_postgres: list[str] | None = None

    @classmethod
    def start(cls) -> PgCluster:
        env_url = os.environ.get(ENV_URL)
        if env_url:
            return cls(admin_url=env_url.replace("postgresql+psycopg://", "postgresql://"))
        bindir = find_binaries()
        assert bindir is not None
        base = Path(tempfile.mkdtemp(prefix="sealbid-pg-"))
        as_postgres: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(base, pw.pw_uid, pw.pw_gid)
            as_postgres = ["runuser", "-u", "postgres", "--"]
        data = base / "data"
        subprocess.run(
            [*as_postgres, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--no-locale"],
            check=True, capture_output=True,
        )  # fmt: skip
        port = _free_port()
        # Durability of PostgreSQL itself is not under test: fsync off makes CREATE DATABASE fast.
        options = (
            f"-p {port} -k {base} -c listen_addresses= -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=300"
        )
        # pg_ctl daemonises the server, so stopping it never depends on signals passing runuser.
        subprocess.run(
            [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-l",
             str(base / "postgres.log"), "-o", options, "-w", "-t", "60", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
        cluster = cls(
            admin_url=f"postgresql://postgres@/postgres?host={base}&port={port}",
            base=base,
            bindir=bindir,
            as_postgres=as_postgres,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(cluster.admin_url, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    log = (base / "postgres.log").read_text(errors="replace")
                    cluster.stop()
                    raise RuntimeError(f"postgres did not start: {log[-2000:]}") from None
                time.sleep(0.1)
        return cluster

    def _url_for(self, dbname: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(
            ("postgresql+psycopg", parts.netloc, "/" + dbname, parts.query, parts.fragment)
        )

    def create_database(self) -> str:
        name = "test_" + secrets.token_hex(6)
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self._url_for(name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    def stop(self) -> None:
        if self.base is not None and self.bindir is not None:
            subprocess.run(
                [*(self.as_postgres or []), str(self.bindir / "pg_ctl"), "-D",
                 str(self.base / "data"), "-m", "immediate", "-w", "stop"],
                capture_output=True,
            )  # fmt: skip
            shutil.rmtree(self.base, ignore_errors=True)
