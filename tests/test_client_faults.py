"""Network and process faults during a submission, against the real platform on 127.0.0.1.

Faults come from a TCP proxy that cuts or stalls connections (tests/faultproxy.py), from a
transport that answers 5xx in the server's place, and from killing the platform process.
Whatever happens, the platform's stored file is byte-identical to the bid, a resume re-sends
at most the chunk that was in flight, and only a verified receipt counts as accepted.
"""

from __future__ import annotations

import filecmp
import hashlib
import itertools
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from clienthelpers import Party, RecordingTransport, client_for, open_sections, seal_for
from faultproxy import FaultProxy
from platformserver import RunningPlatform, start_platform, start_platform_process

from client import RetryPolicy
from sealbid.errors import CancelledError

MiB = 1 << 20


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    p = start_platform(tmp_path_factory.mktemp("platform"))
    yield p
    p.stop()


def _target(platform: RunningPlatform | object) -> tuple[str, int]:
    url: str = platform.url  # type: ignore[attr-defined]
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _stored(data_dir: Path, sha256: str) -> Path:
    return data_dir / "blobs" / sha256[:2] / sha256[2:4] / sha256


def _check_resumes(patches: list[tuple[int, int, str]], size: int) -> int:
    """Every accepted byte was accepted once, and after each failed PATCH the next one starts
    at that chunk's offset or just after it: at most one chunk is ever re-sent. Returns the
    number of failed PATCHes."""
    ok = [(o, n) for o, n, r in patches if r == "204"]
    assert sum(n for _, n in ok) == size
    assert [o for o, _ in ok] == sorted(o for o, _ in ok)
    failed = 0
    for (o, n, r), nxt in itertools.pairwise(patches):
        if r != "204":
            failed += 1
            assert nxt[0] in (o, o + n), f"resumed at {nxt[0]} after a failure at {o}+{n}"
    return failed


@pytest.mark.slow
def test_fifty_connection_cuts_during_a_200_mib_upload(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[0]
    bidder = Party.of(platform, "bidder", 0)
    with client_for(platform, bidder, tmp_path / "seal") as c:
        bid = seal_for(c, bidder, sid, tmp_path, size=200 * MiB)
    size = bid.stat().st_size
    rng = random.Random(20250601)
    cuts = sorted(rng.sample(range(1, size), 50))
    recorder = RecordingTransport()
    with FaultProxy(_target(platform), cut_at=cuts) as proxy:
        with client_for(
            platform, bidder, tmp_path / "state", url=proxy.url, transport=recorder
        ) as c:
            receipt = c.submit(sid, bid)
        assert proxy.cuts == 50 and proxy.pending == 0
        sent_up = proxy.bytes_up
    sha = hashlib.sha256(bid.read_bytes()).hexdigest()
    assert receipt.receipt.file_sha256 == sha and receipt.receipt.file_size == size
    assert filecmp.cmp(_stored(platform.data_dir, sha), bid, shallow=False)
    failed = _check_resumes(recorder.patches(), size)
    assert 1 <= failed <= 50
    chunk = max(n for _, n, _ in recorder.patches())
    assert chunk <= 8 * MiB
    # Counted at the proxy: everything beyond the file itself is headers and re-sent bytes,
    # and re-sending is bounded by one chunk per cut.
    assert size <= sent_up <= size + 50 * chunk + 2 * MiB


def test_an_app_restart_mid_upload_resumes_the_same_upload(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[1]
    bidder = Party.of(platform, "bidder", 1)
    state = tmp_path / "state"
    with client_for(platform, bidder, tmp_path / "seal") as c:
        bid = seal_for(c, bidder, sid, tmp_path, size=30 * MiB)
    size = bid.stat().st_size
    first = RecordingTransport()
    with client_for(platform, bidder, state, transport=first) as c:
        done = [0]

        def progress(d: int, total: int) -> None:
            done[0] = d

        with pytest.raises(CancelledError):  # the user closes the app half-way
            c.submit(sid, bid, progress=progress, cancel=lambda: done[0] > 12 * MiB)
    assert list((state / "uploads").glob("*.json"))

    second = RecordingTransport()
    with client_for(platform, bidder, state, transport=second) as c:  # the app again
        receipt = c.submit(sid, bid)
    creates = [e for e in first.log + second.log if e[0] == "POST" and e[1].endswith("/uploads")]
    assert len(creates) == 1  # the same upload, not a new one
    resumed = second.patches()
    assert resumed[0][0] >= 8 * MiB  # what the platform held was not sent again
    assert sum(n for _, n, r in resumed if r == "204") == size - resumed[0][0]
    assert receipt.receipt.file_size == size
    assert filecmp.cmp(_stored(platform.data_dir, receipt.receipt.file_sha256 or ""), bid)
    assert not list((state / "uploads").glob("*.json"))


def test_a_different_file_for_the_same_section_starts_a_new_upload(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[1]
    bidder = Party.of(platform, "bidder", 2)
    state = tmp_path / "state"
    with client_for(platform, bidder, tmp_path / "seal") as c:
        old = seal_for(c, bidder, sid, tmp_path / "old", size=10 * MiB)
        new = seal_for(c, bidder, sid, tmp_path / "new", size=1 * MiB)
    with client_for(platform, bidder, state) as c:
        with pytest.raises(CancelledError):
            c.submit(sid, old, cancel=lambda: bool(list((state / "uploads").glob("*.json"))))
    log = RecordingTransport()
    with client_for(platform, bidder, state, transport=log) as c:
        receipt = c.submit(sid, new)
    assert any(m == "DELETE" for m, *_ in log.log)  # the old upload was abandoned
    assert receipt.receipt.file_sha256 == hashlib.sha256(new.read_bytes()).hexdigest()


def test_5xx_answers_are_retried_with_backoff(platform: RunningPlatform, tmp_path: Path) -> None:
    sid = open_sections(platform)[2]
    bidder = Party.of(platform, "bidder", 0)
    with client_for(platform, bidder, tmp_path / "seal") as c:
        bid = seal_for(c, bidder, sid, tmp_path, size=20 * MiB)
    count = {"PATCH": 0, "finish": 0}

    def flaky(request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH":
            count["PATCH"] += 1
            if count["PATCH"] in (2, 3):  # two in a row: the second wait is longer
                return httpx.Response(
                    503, json={"error": {"code": "busy", "zh": "忙", "en": "busy"}}
                )
        if request.url.path.endswith("/finish"):
            count["finish"] += 1
            if count["finish"] == 1:
                return httpx.Response(502, content=b"bad gateway")
        return None

    slept: list[float] = []
    policy = RetryPolicy(attempts=5, initial=0.01, cap=1.0, jitter=0.0, sleep=slept.append)
    log = RecordingTransport(before=flaky)
    with client_for(platform, bidder, tmp_path / "s", transport=log, retry=policy) as c:
        receipt = c.submit(sid, bid)
    assert slept == [0.01, 0.02, 0.01]  # PATCH, PATCH again (doubled), then finish
    assert receipt.receipt.file_size == bid.stat().st_size
    assert _check_resumes(log.patches(), bid.stat().st_size) == 2


def test_a_stalled_connection_times_out_and_the_upload_continues(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[2]
    bidder = Party.of(platform, "bidder", 1)
    with client_for(platform, bidder, tmp_path / "seal") as c:
        bid = seal_for(c, bidder, sid, tmp_path, size=12 * MiB)
    log = RecordingTransport()
    with FaultProxy(_target(platform), stall_at=[10 * MiB]) as proxy:
        with client_for(
            platform,
            bidder,
            tmp_path / "s",
            url=proxy.url,
            transport=log,
            timeout=httpx.Timeout(1.0),
        ) as c:
            receipt = c.submit(sid, bid)
        assert proxy.stalls == 1
    assert any(r.endswith("Timeout") for *_, r in log.log)
    assert receipt.receipt.file_size == bid.stat().st_size


def test_lost_answers_to_a_chunk_and_to_finish_lose_nothing(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[0]
    bidder = Party.of(platform, "bidder", 4)
    with client_for(platform, bidder, tmp_path / "seal") as c:
        bid = seal_for(c, bidder, sid, tmp_path, size=20 * MiB)
    size = bid.stat().st_size
    armed = {"chunk": False, "finish": False}
    proxy = FaultProxy(_target(platform))

    def lose_finish_answer(request: httpx.Request) -> None:
        if request.url.path.endswith("/finish") and not armed["finish"]:
            armed["finish"] = True
            proxy.add_response_cuts(1)

    def progress(done: int, total: int) -> None:
        # Lose the answer to the chunk now on the wire.
        if done >= 4 * MiB and not armed["chunk"]:
            armed["chunk"] = True
            proxy.add_response_cuts(1)

    log = RecordingTransport(before=lose_finish_answer)
    with proxy:
        with client_for(platform, bidder, tmp_path / "s", url=proxy.url, transport=log) as c:
            receipt = c.submit(sid, bid, progress=progress)
            assert c.submission(sid).latest == receipt.signed
        assert proxy.response_cuts == 2
    patches = log.patches()
    lost = [i for i, (_, _, r) in enumerate(patches) if r != "204"]
    assert len(lost) == 1
    # The chunk whose answer was lost had arrived: the next PATCH goes on after it.
    o, n, _ = patches[lost[0]]
    assert patches[lost[0] + 1][0] == o + n
    finishes = [e for e in log.log if e[1].endswith("/finish")]
    assert len(finishes) == 2 and finishes[-1][4] == "200"
    assert receipt.receipt.file_size == size


def test_the_platform_killed_mid_upload_and_mid_finish(tmp_path: Path) -> None:
    """SIGKILL the platform during the upload and again inside finish (after the file is
    stored, before the receipt is committed); the client keeps retrying, the platform comes
    back, and the same upload completes with one receipt for a byte-identical file."""
    proc = start_platform_process(tmp_path, env={"SEALBID_CRASH_AT": "finish.stored"})
    try:
        sid = open_sections(proc)[0]
        bidder = Party.of(proc, "bidder", 0)
        with client_for(proc, bidder, tmp_path / "seal", url=proc.url) as c:
            bid = seal_for(c, bidder, sid, tmp_path, size=24 * MiB)
        restarts: list[str] = []

        def restart_after_exit() -> None:
            # The crash point kills the process itself inside finish; bring it back without it.
            proc.wait_exit(timeout=60)
            restarts.append("finish")
            proc.start(env={"SEALBID_CRASH_AT": ""})

        def progress(done: int, total: int) -> None:
            if done > 10 * MiB and not restarts:
                restarts.append("upload")
                proc.kill()
                threading.Thread(target=proc.start, daemon=True).start()

        policy = RetryPolicy(attempts=40, initial=0.05, cap=0.5)
        log = RecordingTransport()
        watcher: threading.Thread | None = None
        with client_for(
            proc, bidder, tmp_path / "s", url=proc.url, retry=policy, transport=log
        ) as c:

            def arm_finish(done: int, total: int) -> None:
                nonlocal watcher
                progress(done, total)
                if done == total and watcher is None:
                    watcher = threading.Thread(target=restart_after_exit, daemon=True)
                    watcher.start()

            receipt = c.submit(sid, bid, progress=arm_finish)
        assert restarts == ["upload", "finish"]
        sha = receipt.receipt.file_sha256 or ""
        assert filecmp.cmp(_stored(proc.data_dir, sha), bid, shallow=False)
        assert _check_resumes(log.patches(), bid.stat().st_size) >= 0
        with client_for(proc, bidder, tmp_path / "s2", url=proc.url) as c:
            current = c.submission(sid)
            assert current.status == "submitted" and current.latest == receipt.signed
            assert len([r for r in c.receipts() if r.receipt.section_id == sid]) == 1
    finally:
        proc.stop()


def test_an_upload_closed_on_the_platform_meanwhile_starts_over(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[2]
    bidder = Party.of(platform, "bidder", 3)
    state = tmp_path / "state"
    with client_for(platform, bidder, tmp_path / "seal") as c:
        bid = seal_for(c, bidder, sid, tmp_path, size=10 * MiB)
    with client_for(platform, bidder, state) as c:
        with pytest.raises(CancelledError):
            c.submit(sid, bid, cancel=lambda: bool(list((state / "uploads").glob("*.json"))))
        fingerprint = c.session.cert_sha256 if c.session else ""
        kept = c.upload_store.load(base_url=c.base_url, cert_sha256=fingerprint, section_id=sid)
        assert kept is not None
        c._abandon(kept.upload_id)  # as if it had expired on the platform
    with client_for(platform, bidder, state) as c:
        receipt = c.submit(sid, bid)
    assert receipt.receipt.file_size == bid.stat().st_size


def test_a_receipt_lost_locally_after_the_platform_committed_is_fetched_again(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app dies after the platform accepted the bid but before the receipt was kept: the
    next run finishes the same upload again and gets the same receipt, not a second bid."""
    sid = open_sections(platform)[2]
    bidder = Party.of(platform, "bidder", 4)
    state = tmp_path / "state"
    with client_for(platform, bidder, tmp_path / "seal") as c:
        bid = seal_for(c, bidder, sid, tmp_path, size=3 * MiB)
    with client_for(platform, bidder, state) as c:

        def crash(*_: object) -> None:
            raise KeyboardInterrupt  # the process ends here

        monkeypatch.setattr(c.receipt_store, "save", crash)
        with pytest.raises(KeyboardInterrupt):
            c.submit(sid, bid)
        committed = c.submission(sid).latest
    assert committed is not None
    log = RecordingTransport()
    with client_for(platform, bidder, state, transport=log) as c:
        receipt = c.submit(sid, bid)
    assert receipt.signed == committed
    assert not [e for e in log.log if e[0] == "PATCH"]  # nothing sent again
    assert receipt.path is not None and receipt.path.is_file()
