"""The server killed with SIGKILL during upload and during finish (SQLite and PostgreSQL).

After every restart: no receipt for a file that is not stored, no stored file without its
receipt, and the upload resumes from the offset HEAD gives. The moments inside a request are hit
with fault points (``SEALBID_CRASH_AT``: the process SIGKILLs itself there); the last case kills
the process from outside in the middle of a stream of chunks.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from platformserver import PlatformProcess, start_platform_process
from serverkit import Api, seal_for
from sqlalchemy import create_engine, select

from client import wire
from crypto import load_identity
from server import db

CHUNK = 64 << 10


def _check_invariant(proc: PlatformProcess) -> tuple[set[str], set[str]]:
    """Every submission's file is stored whole, and every stored file has a submission whose
    receipt is committed. Returns (stored digests, digests with a receipt)."""
    url = proc.db_url or f"sqlite:///{proc.data_dir / 'platform.db'}"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            submitted = set(conn.execute(select(db.submissions.c.file_sha256)).scalars())
            receipted = {
                wire.Receipt.model_validate_json(text).file_sha256
                for text in conn.execute(
                    select(db.receipts.c.receipt).where(db.receipts.c.kind == "submit")
                ).scalars()
            }
    finally:
        engine.dispose()
    blobs = proc.data_dir / "blobs"
    stored = {p.name for p in blobs.glob("??/??/*") if p.is_file()}
    for name in stored:
        assert (
            hashlib.sha256((blobs / name[:2] / name[2:4] / name).read_bytes()).hexdigest() == name
        )
    assert receipted == submitted, "a receipt without a submission row, or the reverse"
    assert stored == submitted, f"stored {stored} != receipted {submitted}"
    return stored, receipted


def _crash(proc: PlatformProcess, point: str, request: Any) -> None:
    """Restart with the fault point armed, make the request that hits it, see the process die."""
    proc.restart(env={"SEALBID_CRASH_AT": point})
    with pytest.raises(httpx.TransportError):
        request()
    assert proc.wait_exit() != 0
    _check_invariant(proc)
    proc.start()
    _check_invariant(proc)


def _head(api: Api, token: str, upload_id: str) -> int:
    r = api.head(token, upload_id)
    assert r.status_code == 200
    return int(r.headers[wire.HEADER_OFFSET])


def test_sigkill_during_upload_and_finish(tmp_path: Path, db_url: str | None) -> None:
    proc = start_platform_process(tmp_path, db_url=db_url)
    try:
        api = Api(proc.api)
        p12, password = proc.identity("bidder")
        ident = load_identity(p12, password=password)
        token = api.login(ident)  # sessions are in the database: the token outlives restarts
        sid = proc.sandbox["sections"][0]["id"] if proc.sandbox else ""
        bid = seal_for(
            ident, api.section(token, sid), tmp_path / "bid.sealbid", content=os.urandom(400_000)
        )
        sha = hashlib.sha256(bid).hexdigest()
        upload_id = api.create_upload(token, sid, bid).json()["id"]
        assert api.patch(token, upload_id, 0, bid[:CHUNK]).status_code == 204

        # 1. Killed after a chunk's bytes were written, before its offset was recorded.
        _crash(
            proc,
            "append.written",
            lambda: api.patch(token, upload_id, CHUNK, bid[CHUNK : 2 * CHUNK]),
        )
        assert _head(api, token, upload_id) == CHUNK
        for off in range(CHUNK, len(bid), CHUNK):
            assert api.patch(token, upload_id, off, bid[off : off + CHUNK]).status_code == 204
        assert _head(api, token, upload_id) == len(bid)

        # 2. Killed after the file was verified, before it was stored.
        _crash(proc, "finish.verified", lambda: api.finish(token, upload_id))
        # 3. Killed after the file was stored, before the receipt was committed: the restart
        #    removes the stored file (no receipt refers to it).
        proc.restart(env={"SEALBID_CRASH_AT": "finish.stored"})
        with pytest.raises(httpx.TransportError):
            api.finish(token, upload_id)
        proc.wait_exit()
        assert (proc.data_dir / "blobs" / sha[:2] / sha[2:4] / sha).exists()  # the moment hit
        proc.start()
        stored, _ = _check_invariant(proc)
        assert sha not in stored
        assert _head(api, token, upload_id) == len(bid)  # the upload is still there, whole

        # 4. Killed after the commit, before the answer: the receipt and the file are there,
        #    and asking again gives the same receipt.
        _crash(proc, "finish.committed", lambda: api.finish(token, upload_id))
        stored, receipted = _check_invariant(proc)
        assert sha in stored and sha in receipted
        r = api.finish(token, upload_id)
        assert r.status_code == 200, r.text
        receipt = wire.Receipt.model_validate_json(r.json()["receipt"])
        assert receipt.file_sha256 == sha and receipt.sequence == 1
        state = api.request("GET", f"/sections/{sid}/submission", token).json()
        assert state["latest"] == r.json()
        blob = proc.data_dir / "blobs" / sha[:2] / sha[2:4] / sha
        assert blob.read_bytes() == bid
    finally:
        proc.stop()


def test_sigkill_in_the_middle_of_an_upload_stream(tmp_path: Path, db_url: str | None) -> None:
    proc = start_platform_process(tmp_path, db_url=db_url)
    try:
        api = Api(proc.api)
        p12, password = proc.identity("bidder", 1)
        ident = load_identity(p12, password=password)
        token = api.login(ident)
        sid = proc.sandbox["sections"][2]["id"] if proc.sandbox else ""
        bid = seal_for(
            ident, api.section(token, sid), tmp_path / "big.sealbid", content=os.urandom(6 << 20)
        )
        upload_id = api.create_upload(token, sid, bid).json()["id"]
        sent = [0]
        stop = threading.Event()

        def stream() -> None:
            try:
                for off in range(0, len(bid), CHUNK):
                    if stop.is_set():
                        return
                    if api.patch(token, upload_id, off, bid[off : off + CHUNK]).status_code != 204:
                        return
                    sent[0] = off + CHUNK
            except httpx.TransportError:
                return

        worker = threading.Thread(target=stream)
        worker.start()
        while sent[0] < len(bid) // 3:
            time.sleep(0.002)
        proc.kill()
        stop.set()
        worker.join(timeout=60)
        proc.start()
        _check_invariant(proc)
        offset = _head(api, token, upload_id)
        # Every acknowledged chunk survived; at most the one in flight was lost.
        assert sent[0] <= offset <= min(sent[0] + CHUNK, len(bid))
        assert 0 < offset < len(bid)
        assert (proc.data_dir / "uploads" / f"{upload_id}.part").read_bytes()[:offset] == bid[
            :offset
        ]
        for off in range(offset, len(bid), CHUNK):
            assert api.patch(token, upload_id, off, bid[off : off + CHUNK]).status_code == 204
        r = api.finish(token, upload_id)
        assert r.status_code == 200, r.text
        sha = hashlib.sha256(bid).hexdigest()
        assert (proc.data_dir / "blobs" / sha[:2] / sha[2:4] / sha).read_bytes() == bid
        _check_invariant(proc)
    finally:
        proc.stop()
