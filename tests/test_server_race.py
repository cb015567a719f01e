"""1,000 finishes racing the deadline, on SQLite and PostgreSQL: the platform's clock (injected,
one millisecond further at every reading) crosses the deadline half-way through; no submission
is accepted at or after it, and the receipt chain stays whole.

The uploads are prepared in-process (the race is about finish, not about PATCH); the finishes
go over HTTP from 8 threads to the real server on loopback.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from serverkit import Api, seal_for
from sqlalchemy import select

from client import wire
from crypto import load_identity
from server import auth, db

FINISHES = 1000
BIDDERS = 5


class SteppingClock:
    """Each reading is one step later than the one before (thread-safe)."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.start, self.step = start, step
        self.readings = 0
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            t = self.start + self.step * self.readings
            self.readings += 1
            return t


class CountingClock:
    def __init__(self, inner: Any) -> None:
        self.inner, self.readings = inner, 0

    def __call__(self) -> datetime:
        self.readings += 1
        return self.inner()


def test_finishes_racing_the_deadline(served: Any, tmp_path: Path) -> None:
    api = Api(served.api, httpx.Client(timeout=120, limits=httpx.Limits(max_connections=16)))
    platform = served.platform
    sid = served.sandbox["sections"][1]["id"]
    section = api.section(api.login(served.identity("host")), sid)
    deadline = datetime.fromisoformat(section["deadline"])

    tokens, principals, bids = [], [], []
    for i in range(BIDDERS):
        p12, password = served.identity("bidder", i)
        ident = load_identity(p12, password=password)
        token = api.login(ident)
        tokens.append(token)
        principals.append(auth.authenticate(platform.db, platform.config, f"Bearer {token}"))
        bids.append(seal_for(ident, section, tmp_path / f"{i}.sealbid"))

    def prepare(i: int) -> str:
        data = bids[i]
        body = wire.UploadCreate(length=len(data), sha256=hashlib.sha256(data).hexdigest())
        up = platform.create_upload(principals[i], sid, body)
        platform.append(principals[i], up.id, 0, None, data)
        return up.id

    # Many open uploads per bidder (the platform allows one by default): a thousand finishes.
    config = platform.config
    platform.config = dataclasses.replace(config, max_open_uploads=FINISHES + 1)
    try:
        with ThreadPoolExecutor(8) as pool:
            uploads = list(
                pool.map(lambda n: (n % BIDDERS, prepare(n % BIDDERS)), range(FINISHES + 1))
            )
    finally:
        platform.config = config

    # How many clock readings one finish takes (authentication, early check, commit check …).
    warm_i, warm_id = uploads.pop()
    counting = CountingClock(_real)
    served.clock.function = counting
    try:
        assert api.finish(tokens[warm_i], warm_id).status_code == 200
        per_finish = counting.readings
        # Half of the finishes' readings fall before the deadline, then it is reached exactly.
        step = timedelta(milliseconds=1)
        stepping = SteppingClock(deadline - step * (per_finish * FINISHES // 2), step)
        served.clock.function = stepping

        def finish(item: tuple[int, str]) -> tuple[int, str]:
            i, upload_id = item
            r = api.finish(tokens[i], upload_id)
            code = r.json()["error"]["code"] if r.status_code != 200 else "ok"
            return r.status_code, code

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(finish, uploads))
    finally:
        served.clock.reset()

    outcome = Counter(results)
    assert set(outcome) <= {(200, "ok"), (409, "section.deadline_passed")}, outcome
    accepted = outcome[(200, "ok")]
    # The deadline was crossed in the middle, not at either end.
    assert 100 < accepted < FINISHES - 100, outcome

    with platform.db.read() as conn:
        subs = conn.execute(
            select(db.submissions.c.received_at).where(db.submissions.c.section_id == sid)
        ).all()
        receipts = conn.execute(
            select(db.receipts.c.sequence, db.receipts.c.receipt, db.receipts.c.receipt_sha256)
            .where(db.receipts.c.section_id == sid)
            .order_by(db.receipts.c.sequence)
        ).all()
    assert len(subs) == accepted + 1  # + the warm-up
    assert all(s.received_at < deadline for s in subs)
    # Every receipt says a time before the deadline, and the chain is whole.
    previous = "0" * 64
    for n, row in enumerate(receipts, 1):
        receipt = wire.Receipt.model_validate_json(row.receipt)
        assert row.sequence == receipt.sequence == n
        assert receipt.previous_sha256 == previous
        assert datetime.fromisoformat(receipt.received_at.replace("Z", "+00:00")) < deadline
        previous = hashlib.sha256(row.receipt.encode()).hexdigest()
        assert previous == row.receipt_sha256
    assert platform.verify_audit() > 0


def _real() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
