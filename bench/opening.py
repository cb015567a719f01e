"""A whole remote opening (不见面开标) with N bidders against the reference platform, timed.

    .venv/bin/python -m bench.opening --bidders 50 --out bench/out/opening-50
    .venv/bin/python -m bench.opening --bidders 500 --out bench/out/opening-500 --json
    .venv/bin/python -m bench.opening --bidders 50 --out DIR --db postgresql+psycopg://u@/empty_db

The platform runs as ONE separate process (``python -m sealbid server --sandbox``, real clock,
SQLite in a temp folder unless ``--db``). The bench then

1. issues N bidder identities (P-256, distinct 统一社会信用代码) from the sandbox CA, creates a
   project and a section as the sandbox host (HTTP admin API) and registers the bidders for it
   (registration is what creates a bidder's account, ``server.platform.register_bidder``);
2. seals a small bid per bidder (``crypto.seal``, a realistic 开标一览表) and submits it with
   ``PlatformClient.submit`` from a thread pool. The section's deadline (= opening time) is set
   from a calibration run of a few bidders on a side section, so that every bid gets in;
3. waits for the deadline, then runs the whole opening from one asyncio loop: N + 3 event
   streams (every bidder, host, recorder, supervisor), start, sign-in (challenge + CMS), list,
   window, envelope + local unwrap + release, early close, announce, N + 3 record signatures,
   finish; the signed record goes to ``OUT/record.json``;
4. fires, as the peer, N concurrent ``GET /api/v1/time`` through the same client at the same
   server (the cost of a request that does no work: HTTP, FastAPI, the thread pool), and times
   one ``GET /api/v1/time`` with curl.

Printed (``--json``: one JSON document on stdout, progress on stderr; also saved as
``OUT/result.json``): phase wall times, close → last ``results`` event, event latency
(receive time − the event's ``at``, same clock) over every (event, subscriber) delivery,
request latencies, reconnects, the server's peak RSS, and the targets beside the figures.
Benchmarks are not tests: nothing here fails on a figure.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform as pyplatform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

import crypto
from client import PlatformClient, wire
from crypto import load_identity
from crypto._files import atomic_write
from crypto.ca import KeyType, Role, SandboxCA
from crypto.identity import Identity
from crypto.release import unwrap_envelope
from sealbid.uscc import with_check_character
from server.sandbox import WORKS_FORM

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "bench" / "out"
API = wire.API_PREFIX

# Targets from the issue, at 500 bidders (printed beside the figures, never asserted).
TARGET_AT_BIDDERS = 500
TARGET_RESULTS_S = 1.0
TARGET_EVENT_P99_MS = 500.0

_T0 = time.perf_counter()
_M = TypeVar("_M", bound=BaseModel)


def say(message: str) -> None:
    """Progress, on stderr (stdout carries the JSON with --json)."""
    print(f"[{time.perf_counter() - _T0:7.1f} s] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    """The run cannot go on (the platform refused a step, or did not answer)."""


# --- figures -------------------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def spread(values: Sequence[float], *, scale: float = 1.0, digits: int = 1) -> dict[str, Any]:
    """count, p50, p90, p99 and max of ``values`` × ``scale``."""
    if not values:
        return {"count": 0}
    s = sorted(v * scale for v in values)
    return {
        "count": len(s),
        "p50": round(pct(s, 50), digits),
        "p90": round(pct(s, 90), digits),
        "p99": round(pct(s, 99), digits),
        "max": round(s[-1], digits),
    }


def vm_kib(pid: int, key: str) -> int:
    """A VmXXX line of /proc/PID/status in KiB (Linux), or -1."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


# --- server-sent events --------------------------------------------------------------------------

_EOL = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True)
class SseEvent:
    id: str | None
    event: str
    data: str


class SseParser:
    """Server-sent events from a byte stream (WHATWG HTML §9.2.6, the parts a client needs):
    ``id``/``event``/``data`` fields, a blank line ends an event, ``:`` lines are comments,
    CRLF, LF or CR line ends. Linear in the input: a long line (``results`` at 500 bidders is
    ~0.3 MB) is kept in pieces until its end arrives, never rescanned."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []  # the current line so far
        self._after_cr = False  # the last chunk ended in CR: a LF first in the next is its pair
        self._data: list[str] = []
        self._event = ""
        self.last_id: str | None = None

    def feed(self, chunk: bytes) -> list[SseEvent]:
        out: list[SseEvent] = []
        pos = 0
        if self._after_cr and chunk.startswith(b"\n"):
            pos = 1
        self._after_cr = False
        while (m := _EOL.search(chunk, pos)) is not None:
            self._pieces.append(chunk[pos : m.start()])
            line = b"".join(self._pieces)
            self._pieces = []
            self._after_cr = m.group() == b"\r" and m.end() == len(chunk)
            pos = m.end()
            event = self._line(line.decode("utf-8", "replace"))
            if event is not None:
                out.append(event)
        if pos < len(chunk):
            self._pieces.append(chunk[pos:])
        return out

    def _line(self, line: str) -> SseEvent | None:
        if not line:
            data, event = self._data, self._event
            self._data, self._event = [], ""
            if not data:
                return None
            return SseEvent(self.last_id, event or "message", "\n".join(data))
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\x00" not in value:
            self.last_id = value
        # "retry" and unknown fields: nothing a bench needs.
        return None


# The platform writes each event as {"seq":…,"kind":…,"at":…,"data":…} (server.events): read
# the head without parsing the data, which for ``results`` at 500 bidders is ~0.3 MB per copy.
_HEAD = re.compile(r'^\{"seq":(\d+),"kind":"([a-z_]+)","at":"([^"]+)"')


def _event_head(data: str) -> tuple[int, str, float]:
    m = _HEAD.match(data)
    if m is not None:
        seq, kind, at = int(m.group(1)), m.group(2), m.group(3)
    else:
        body = json.loads(data)
        seq, kind, at = int(body["seq"]), str(body["kind"]), str(body["at"])
    t = datetime.fromisoformat(at.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return seq, kind, t.timestamp()


# --- the participants ----------------------------------------------------------------------------


@dataclass
class Person:
    role: str  # bidder | host | recorder | supervisor
    name: str
    identity: Identity
    signer: str  # the record statement's signer: org code, or the certificate subject DN
    org_code: str | None = None
    number: int = 0
    client: PlatformClient | None = None
    token: str = ""
    bid: Path | None = None


@dataclass
class Subscriber:
    person: Person
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    results: asyncio.Event = field(default_factory=asyncio.Event)
    results_at: float = 0.0
    last_seq: int = 0
    reconnects: int = 0
    duplicates: int = 0
    ticks: int = 0
    errors: list[str] = field(default_factory=list)


def make_bidders(ca: SandboxCA, n: int) -> list[Person]:
    out = []
    for i in range(1, n + 1):
        # 9 (registration authority) 1 (enterprise) 340100 (Hefei) MA + a 7-digit serial.
        org = with_check_character(f"91340100MA{i:07d}")
        name = f"基准测试第{i:04d}建设工程有限公司"
        issued = ca.issue(role=Role.BIDDER, name=name, org_code=org, key_type=KeyType.P256)
        out.append(Person("bidder", name, issued.identity(), org, org_code=org, number=i))
    return out


def load_staff(sandbox: dict[str, Any]) -> dict[str, Person]:
    staff = {}
    for entry in sandbox["identities"]:
        if entry["role"] not in ("host", "recorder", "supervisor"):
            continue
        p12, pw = Path(entry["p12"]), Path(entry["password_file"])
        if not p12.exists():
            raise BenchError(
                f"{p12} is missing: the database was seeded from another data folder"
                " (--db must name an empty database)"
            )
        password = pw.read_text("utf-8").splitlines()[0].encode()
        ident = load_identity(p12, password=password)
        subject = ident.signing_cert.subject.rfc4514_string()
        staff[entry["role"]] = Person(entry["role"], entry["name"], ident, subject)
    return staff


# --- set-up (synchronous: PlatformClient) ---------------------------------------------------------


def start_server(work: Path, db: str | None) -> tuple[subprocess.Popen[bytes], str]:
    ready = work / "ready"
    cmd = [sys.executable, "-m", "sealbid", "server", "--sandbox", "--data", str(work / "data")]
    cmd += ["--host", "127.0.0.1", "--port", "0", "--ready-file", str(ready)]
    cmd += ["--log-level", "warning"]
    if db:
        cmd += ["--db", db]
    with open(work / "server.log", "wb") as log:  # the child keeps its own copy of the fd
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise BenchError(f"the platform did not start:\n{(work / 'server.log').read_text()}")
        time.sleep(0.05)
    url = ready.read_text().strip()
    while True:
        try:
            if httpx.get(url + API + "/time", trust_env=False).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise BenchError("the platform does not answer GET /api/v1/time")
        time.sleep(0.05)


def stop_server(proc: subprocess.Popen[bytes] | None, work: Path, log_to: Path) -> str:
    """End the platform process (killed after 30 s), keep its log at ``log_to`` when it said
    anything, and return that log."""
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log_text = (work / "server.log").read_text("utf-8", "replace") if work.exists() else ""
    if log_text.strip():
        log_to.write_text(log_text, encoding="utf-8")
    return log_text


def client_for(url: str, person: Person, state: Path) -> PlatformClient:
    """The person's PlatformClient, logged in once; its token is kept for the opening."""
    if person.client is None:
        folder = state / f"{person.role}-{person.number:04d}"
        person.client = PlatformClient(base_url=url, identity=person.identity, state_dir=folder)
        person.token = person.client.login().token
    return person.client


def register_all(
    url: str, token: str, section_id: str, bidders: Sequence[Person], workers: int
) -> None:
    with httpx.Client(
        base_url=url + API,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
        timeout=60,
        limits=httpx.Limits(max_connections=workers),
    ) as http:

        def one(b: Person) -> None:
            body = wire.BidderRegistration(org_code=b.org_code or "", name=b.name)
            r = http.post(f"/admin/sections/{section_id}/bidders", json=body.model_dump())
            if r.status_code not in (200, 201):
                raise BenchError(f"register {b.org_code}: {r.status_code} {r.text[:300]}")

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(one, bidders))


_MANAGERS = "张伟 王芳 李强 刘洋 陈杰 杨磊 赵敏 黄勇 周涛 吴静".split()


def seal_bid(work: Path, section: wire.Section, b: Person) -> Path:
    """A small bid: one document of a few KiB and a summary that fits WORKS_FORM."""
    rnd = random.Random(f"{section.id}/{b.number}")
    folder = work / "bids" / section.id / f"{b.number:04d}"
    folder.mkdir(parents=True, exist_ok=True)
    doc = folder / "投标函.txt"
    cents = rnd.randrange(3_200_000_000, 4_100_000_000)
    price = f"{cents // 100}.{cents % 100:02d}"
    letter = (
        f"投标函\n致：招标人\n我方 {b.name}（统一社会信用代码 {b.org_code}）愿以人民币 {price} 元"
        f"的投标报价承包 {section.name}。\n" + "本投标文件为基准测试生成，非真实投标。\n" * 200
    )
    doc.write_text(letter, encoding="utf-8")
    summary = {
        "price": price,
        "duration": rnd.randrange(300, 420),
        "quality": rnd.choice(("合格", "优良")),
        "manager": rnd.choice(_MANAGERS),
        "bond": "800000.00",
    }
    out = folder / "bid.sealbid"
    crypto.seal(
        [doc],
        out,
        identity=b.identity,
        section=section.id,
        summary=summary,
        tender_version=section.tender_version,
        opening_time=section.opening_time,
    )
    return out


@dataclass
class SubmitTiming:
    seal_s: float
    login_s: float
    submit_s: float

    @property
    def total_s(self) -> float:
        return self.seal_s + self.login_s + self.submit_s


def seal_and_submit(url: str, work: Path, section: wire.Section, b: Person) -> SubmitTiming:
    t0 = time.perf_counter()
    bid = seal_bid(work, section, b)
    t1 = time.perf_counter()
    client = client_for(url, b, work / "state")
    t2 = time.perf_counter()
    client.submit(section.id, bid)
    t3 = time.perf_counter()
    b.bid = bid
    return SubmitTiming(t1 - t0, t2 - t1, t3 - t2)


# --- the opening (asyncio) ----------------------------------------------------------------------


class Hall:
    """Every participant's view of one opening, from one event loop."""

    def __init__(self, *, url: str, section_id: str, platform_id: str, n: int) -> None:
        self.url = url
        self.section_id = section_id
        self.platform_id = platform_id
        limits = httpx.Limits(max_connections=n + 64, max_keepalive_connections=n + 64)
        self.http = httpx.AsyncClient(
            base_url=url + API,
            limits=limits,
            timeout=httpx.Timeout(120, connect=30),
            trust_env=False,
        )
        # Streams on their own pool, so a request never waits behind one.
        self.streams = httpx.AsyncClient(
            base_url=url + API,
            limits=limits,
            timeout=httpx.Timeout(connect=30, read=30, write=30, pool=60),
            trust_env=False,
        )
        self.cpu = ThreadPoolExecutor(4, thread_name_prefix="bench-crypto")
        self.latency_ms: list[float] = []
        self.latency_by_kind: dict[str, list[float]] = defaultdict(list)
        self.first_seen: dict[int, float] = {}  # seq → the earliest receive time
        self.received: list[tuple[int, float]] = []  # (seq, receive time), every delivery
        self.http_errors: Counter[str] = Counter()
        self.loop_lag_ms: list[float] = []
        self._lag_task: asyncio.Task[None] | None = None

    async def aclose(self) -> None:
        if self._lag_task is not None:
            self._lag_task.cancel()
        await self.http.aclose()
        await self.streams.aclose()
        self.cpu.shutdown(wait=False)

    def watch_loop(self) -> None:
        """How late a 10 ms sleep wakes: the bench's own share of any event latency."""

        async def watch() -> None:
            while True:
                t = time.perf_counter()
                await asyncio.sleep(0.01)
                self.loop_lag_ms.append((time.perf_counter() - t - 0.01) * 1000)

        self._lag_task = asyncio.get_running_loop().create_task(watch())

    async def off_loop(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.cpu, fn, *args)

    async def call(
        self,
        method: str,
        path: str,
        who: Person | None,
        model: type[_M],
        *,
        body: BaseModel | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> tuple[_M, float]:
        """One request; the answer as ``model`` and its latency in seconds."""
        headers = {"Authorization": f"Bearer {who.token}"} if who is not None else {}
        content = body.model_dump_json().encode() if body is not None else None
        if content is not None:
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            r = await self.http.request(method, path, headers=headers, content=content)
        except httpx.TransportError as exc:
            self.http_errors[type(exc).__name__] += 1
            raise BenchError(f"{method} {path}: {type(exc).__name__} {exc}") from exc
        dt = time.perf_counter() - t0
        if r.status_code not in expect:
            self.http_errors[str(r.status_code)] += 1
            raise BenchError(f"{method} {path}: {r.status_code} {r.text[:500]}")
        return model.model_validate_json(r.content), dt

    # --- event streams ---

    async def follow(self, sub: Subscriber) -> None:
        """One participant's event stream, reconnecting with Last-Event-ID until ``finished``."""
        path = f"/openings/{self.section_id}/events"
        while not sub.finished.is_set():
            headers = {"Authorization": f"Bearer {sub.person.token}"}
            if sub.last_seq:
                headers["Last-Event-ID"] = str(sub.last_seq)
            try:
                async with self.streams.stream("GET", path, headers=headers) as r:
                    if r.status_code != 200:
                        await r.aread()
                        raise BenchError(f"events: {r.status_code} {r.text[:300]}")
                    parser = SseParser()
                    async for chunk in r.aiter_raw():
                        now = time.time()
                        sub.connected.set()
                        for ev in parser.feed(chunk):
                            self._deliver(sub, ev, now)
                        if sub.finished.is_set():
                            return
            except (httpx.TransportError, BenchError) as exc:
                sub.errors.append(f"{type(exc).__name__}: {exc}")
            if sub.finished.is_set():
                return
            sub.reconnects += 1
            await asyncio.sleep(0.5)

    def _deliver(self, sub: Subscriber, ev: SseEvent, now: float) -> None:
        if ev.event == "tick":
            sub.ticks += 1
            return
        seq, kind, at = _event_head(ev.data)
        if seq <= sub.last_seq:
            sub.duplicates += 1
            return
        sub.last_seq = seq
        ms = (now - at) * 1000
        self.latency_ms.append(ms)
        self.latency_by_kind[kind].append(ms)
        self.received.append((seq, now))
        if now < self.first_seen.get(seq, now + 1):
            self.first_seen[seq] = now
        if kind == "results":
            sub.results_at = now
            sub.results.set()
        elif kind == "finished":
            sub.finished.set()

    # --- what each participant does ---

    async def signin(self, b: Person) -> tuple[float, float]:
        t0 = time.perf_counter()
        s = self.section_id
        ch, _ = await self.call("POST", f"/openings/{s}/signin/challenge", b, wire.OpeningChallenge)
        when = datetime.now(UTC).replace(microsecond=0)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        message = wire.opening_signin_message(
            nonce=ch.nonce, platform_id=ch.platform_id, section_id=s, time=stamp
        )
        der = await self.off_loop(lambda: b.identity.sign_detached(message, signing_time=when))
        body = wire.SigninRequest(
            nonce=ch.nonce, time=stamp, signature=base64.b64encode(der).decode()
        )
        status, post_s = await self.call(
            "POST", f"/openings/{s}/signin", b, wire.MyStatus, body=body
        )
        if status.signed_in_at is None:
            raise BenchError(f"bidder {b.number}: not signed in")
        return time.perf_counter() - t0, post_s

    async def release(self, b: Person) -> tuple[float, float]:
        s = self.section_id
        env, env_s = await self.call(
            "GET", f"/sections/{s}/submission/envelope", b, wire.SealedEnvelope
        )
        head, tail = base64.b64decode(env.head), base64.b64decode(env.tail)
        key = await self.off_loop(lambda: unwrap_envelope(head, tail, b.identity).file_key)
        body = wire.ReleaseRequest(file_key=base64.b64encode(key).decode())
        status, post_s = await self.call(
            "POST", f"/openings/{s}/release", b, wire.MyStatus, body=body
        )
        if status.decryption != "opened":
            raise BenchError(f"bidder {b.number}: decryption {status.decryption}")
        return env_s, post_s

    async def sign_record(self, p: Person, record_sha256: str) -> float:
        when = datetime.now(UTC).replace(microsecond=0)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        statement = wire.record_statement(
            platform_id=self.platform_id,
            section_id=self.section_id,
            record_sha256=record_sha256,
            role=p.role,
            signer=p.signer,
            decision="confirm",
            reason=None,
            time=stamp,
        )
        der = await self.off_loop(lambda: p.identity.sign_detached(statement, signing_time=when))
        body = wire.RecordSignRequest(
            record_sha256=record_sha256,
            decision="confirm",
            time=stamp,
            signature=base64.b64encode(der).decode(),
        )
        _, dt = await self.call(
            "POST", f"/openings/{self.section_id}/record/sign", p, wire.RecordSignature, body=body
        )
        return dt


async def _all(n: int, make: Callable[[int], Any]) -> list[Any]:
    return list(await asyncio.gather(*(make(i) for i in range(n))))


async def run_opening(
    *,
    url: str,
    section_id: str,
    platform_id: str,
    bidders: list[Person],
    staff: dict[str, Person],
    window_minutes: int,
    confirmation_minutes: int,
    out_dir: Path,
) -> dict[str, Any]:
    n = len(bidders)
    hall = Hall(url=url, section_id=section_id, platform_id=platform_id, n=n + 3)
    host = staff["host"]
    s = section_id
    phases: dict[str, float] = {}
    people = [*bidders, host, staff["recorder"], staff["supervisor"]]
    subs = [Subscriber(p) for p in people]
    tasks: list[asyncio.Task[None]] = []
    result: dict[str, Any] = {}
    try:
        hall.watch_loop()

        async def phase(name: str, coro: Any) -> Any:
            t = time.perf_counter()
            value = await coro
            phases[name] = round(time.perf_counter() - t, 3)
            say(f"{name}: {phases[name]:.2f} s")
            return value

        async def connect() -> None:
            tasks.extend(asyncio.create_task(hall.follow(sub)) for sub in subs)
            waits = [asyncio.create_task(sub.connected.wait()) for sub in subs]
            _, pending = await asyncio.wait(waits, timeout=120)
            if pending:
                raise BenchError(f"{len(pending)} event streams did not connect in 120 s")

        t_open = time.perf_counter()
        await phase("connect_streams", connect())
        state, _ = await phase(
            "start",
            hall.call(
                "POST", f"/openings/{s}/start", host, wire.OpeningState, body=wire.OpeningStart()
            ),
        )
        if state.phase != "signin" or state.outcome != "open":
            raise BenchError(f"start: phase {state.phase}, outcome {state.outcome}")
        signins = await phase("signin", _all(n, lambda i: hall.signin(bidders[i])))
        await phase(
            "publish_list",
            hall.call("POST", f"/openings/{s}/publish-list", host, wire.OpeningState),
        )
        await phase(
            "window",
            hall.call(
                "POST",
                f"/openings/{s}/window",
                host,
                wire.OpeningState,
                body=wire.WindowOpen(minutes=window_minutes),
            ),
        )
        releases = await phase("release", _all(n, lambda i: hall.release(bidders[i])))

        t_close = time.time()
        closed, close_s = await phase(
            "close",
            hall.call(
                "POST",
                f"/openings/{s}/close",
                host,
                wire.OpeningState,
                body=wire.WindowClose(early=True),
            ),
        )
        if closed.phase != "closed":
            raise BenchError(f"close: phase {closed.phase}")
        waits = [asyncio.create_task(sub.results.wait()) for sub in subs]
        _, pending = await asyncio.wait(waits, timeout=120)
        if pending:
            raise BenchError(f"{len(pending)} subscribers got no results event within 120 s")
        close_to_results = max(sub.results_at for sub in subs) - t_close
        say(f"close → last results event: {close_to_results:.3f} s (close request {close_s:.3f} s)")

        announced, _ = await phase(
            "announce",
            hall.call(
                "POST",
                f"/openings/{s}/announce",
                host,
                wire.OpeningState,
                body=wire.Announce(confirmation_minutes=confirmation_minutes),
            ),
        )
        digest = announced.record_sha256
        if digest is None:
            raise BenchError("announce: no record digest")
        signers = [host, staff["recorder"], staff["supervisor"], *bidders]
        record_signs = await phase(
            "sign_record", _all(len(signers), lambda i: hall.sign_record(signers[i], digest))
        )
        finished, _ = await phase(
            "finish", hall.call("POST", f"/openings/{s}/finish", host, wire.OpeningState)
        )
        if finished.phase != "finished":
            raise BenchError(f"finish: phase {finished.phase}")
        waits = [asyncio.create_task(sub.finished.wait()) for sub in subs]
        _, pending = await asyncio.wait(waits, timeout=60)
        phases["opening_total"] = round(time.perf_counter() - t_open, 3)
        if pending:
            say(f"warning: {len(pending)} subscribers got no finished event within 60 s")

        t = time.perf_counter()
        r = await hall.http.get(
            f"/openings/{s}/record", headers={"Authorization": f"Bearer {host.token}"}
        )
        if r.status_code != 200:
            raise BenchError(f"record: {r.status_code} {r.text[:300]}")
        record = wire.SignedRecord.model_validate_json(r.content)
        atomic_write(out_dir / "record.json", r.content)
        record_bytes = len(r.content)
        phases["download_record"] = round(time.perf_counter() - t, 3)
        body = json.loads(record.record)

        # The platform renders and signs the record PDF in the background after the finish:
        # wait for it (the time from finish to a downloadable signed PDF is a figure too).
        t = time.perf_counter()
        while True:
            r = await hall.http.get(
                f"/openings/{s}/record.pdf", headers={"Authorization": f"Bearer {host.token}"}
            )
            if r.status_code == 200 or time.perf_counter() - t > 300:
                break
            await asyncio.sleep(0.2)
        if r.status_code != 200:
            raise BenchError(f"record.pdf: {r.status_code} {r.text[:300]}")
        atomic_write(out_dir / "record.pdf", r.content)
        phases["record_pdf_ready"] = round(time.perf_counter() - t, 3)
        pdf_bytes = len(r.content)

        # The peer: the same number of requests that do no work, same client, same server.
        say(f"peer: {n} concurrent GET /api/v1/time")

        async def plain(_: int) -> float:
            t = time.perf_counter()
            r = await hall.http.get("/time")
            r.raise_for_status()
            return time.perf_counter() - t

        t = time.perf_counter()
        plain_s = await _all(n, plain)
        burst_wall = time.perf_counter() - t

        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

        signin_total = [a for a, _ in signins]
        result = {
            "phases_s": phases,
            "close_request_s": round(close_s, 4),
            "close_to_results_s": round(close_to_results, 4),
            "event_latency_ms": spread(hall.latency_ms),
            "event_latency_by_kind_ms": {
                k: spread(v) for k, v in sorted(hall.latency_by_kind.items())
            },
            # How far behind the first subscriber each one got the same event: the fan-out
            # alone, without the time the platform took between reading its clock for ``at``
            # and committing (for sign-in and signatures that includes the signature check
            # and the wait for the database's write lock).
            "event_fanout_ms": spread(
                [(t - hall.first_seen[seq]) * 1000 for seq, t in hall.received]
            ),
            "events_delivered": len(hall.latency_ms),
            "subscribers": len(subs),
            "ticks_delivered": sum(x.ticks for x in subs),
            "duplicates": sum(x.duplicates for x in subs),
            "streams_reconnected": sum(1 for x in subs if x.reconnects),
            "reconnects": sum(x.reconnects for x in subs),
            "stream_errors": sorted({e for x in subs for e in x.errors})[:10],
            "signin_ms": spread(signin_total, scale=1000),
            "signin_post_ms": spread([b for _, b in signins], scale=1000),
            "envelope_ms": spread([a for a, _ in releases], scale=1000),
            "release_ms": spread([b for _, b in releases], scale=1000),
            "record_sign_ms": spread(record_signs, scale=1000),
            "http_errors": dict(hall.http_errors),
            "bench_loop_lag_ms": spread(hall.loop_lag_ms),
            "record": {
                "path": str(out_dir / "record.json"),
                "record_sha256": record.record_sha256,
                "closed": record.closed,
                "signatures": len(record.signatures),
                "bidders": len(body["bidders"]),
                "valid_bids": body["valid_bids"],
                "bytes": record_bytes,
                "pdf": str(out_dir / "record.pdf"),
                "pdf_bytes": pdf_bytes,
            },
            "_peer": {
                "burst_wall_s": burst_wall,
                "plain_ms": spread(plain_s, scale=1000),
                "signin_wall_s": phases["signin"],
                "release_wall_s": phases["release"],
            },
        }
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await hall.aclose()
    return result


# --- the run -------------------------------------------------------------------------------------


def calibrated_section(
    url: str,
    work: Path,
    host: Person,
    bidders: Sequence[Person],
    *,
    prefix: str,
    project_name: str,
    section_name: str,
    state: Path,
) -> tuple[wire.Section, datetime, dict[str, Any]]:
    """A project and the section to open, whose deadline (= opening time) leaves room for
    every bidder to register, log in, seal and submit: measured first on a few bidders, one
    after the other, on a side section whose deadline is far away (which also warms the
    platform up). ``state``: the host client's state folder. Returns the section, its deadline
    and the calibration figures."""
    n = len(bidders)
    host_client = client_for(url, host, state)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    project = host_client.create_project(
        wire.ProjectCreate(
            id=f"{prefix}-{stamp}", code=f"{prefix}-{stamp}", name=project_name, sector="工程建设"
        )
    )

    def section(suffix: str, name: str, deadline: datetime) -> wire.Section:
        return host_client.create_section(
            wire.SectionCreate(
                id=f"{project.id}-{suffix}",
                project_id=project.id,
                code=f"{project.code}-{suffix}",
                name=name,
                deadline=deadline,
                opening_time=deadline,
                form=WORKS_FORM,
            )
        )

    k = min(3, n)
    cal = section("CAL", "校准标段（不开标）", datetime.now(UTC) + timedelta(hours=2))
    t = time.perf_counter()
    register_all(url, host.token, cal.id, bidders[:k], 1)
    reg_each = (time.perf_counter() - t) / k
    cal_t = [seal_and_submit(url, work, cal, b) for b in bidders[:k]]
    # Every bidder still has to log in, seal and submit; those k are logged in already.
    each = max(x.total_s for x in cal_t)
    budget = 1.2 * n * (reg_each + each) + 10
    calibration = {
        "bidders": k,
        "register_s": round(reg_each, 4),
        "seal_s": round(statistics.median(x.seal_s for x in cal_t), 4),
        "login_s": round(statistics.median(x.login_s for x in cal_t), 4),
        "submit_s": round(statistics.median(x.submit_s for x in cal_t), 4),
        "deadline_budget_s": round(budget, 1),
    }
    deadline = (datetime.now(UTC) + timedelta(seconds=budget)).replace(microsecond=0)
    deadline += timedelta(seconds=1)
    return section("01", section_name, deadline), deadline, calibration


def curl_time_ms(url: str, rounds: int = 5) -> float | None:
    if shutil.which("curl") is None:
        return None
    times = []
    for _ in range(rounds):
        done = subprocess.run(
            ["curl", "-sS", "-o", "/dev/null", "-w", "%{time_total}", url + API + "/time"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            times.append(float(done.stdout) * 1000)
    return round(statistics.median(times), 2) if times else None


def git_version() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return head + ("+dirty" if dirty else "")


def run(args: argparse.Namespace) -> dict[str, Any]:
    n = args.bidders
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="opening-", dir=args.workdir or OUT_DIR))
    setup: dict[str, Any] = {}
    proc: subprocess.Popen[bytes] | None = None
    try:
        say(f"work dir {work}; starting the platform")
        t = time.perf_counter()
        proc, url = start_server(work, args.db)
        setup["server_start_s"] = round(time.perf_counter() - t, 2)
        say(f"platform {url} (pid {proc.pid})")
        data = work / "data"
        sandbox = json.loads((data / "sandbox.json").read_text("utf-8"))
        platform_id = sandbox["platform_id"]

        t = time.perf_counter()
        ca = SandboxCA.load(data / "sandbox" / "ca")
        bidders = make_bidders(ca, n)
        staff = load_staff(sandbox)
        setup["identities_s"] = round(time.perf_counter() - t, 2)
        say(f"{n} bidder identities (P-256) in {setup['identities_s']:.2f} s")

        state = work / "state"
        host = staff["host"]
        for role in ("host", "recorder", "supervisor"):
            client_for(url, staff[role], state)  # logged in once, for the whole opening
        main, deadline, setup["calibration"] = calibrated_section(
            url,
            work,
            host,
            bidders,
            prefix="BENCH",
            project_name=f"开标基准测试项目（{n} 家投标人）",
            section_name=f"施工标段（{n} 家投标人，基准测试）",
            state=state,
        )
        budget = setup["calibration"]["deadline_budget_s"]
        say(f"section {main.id}: deadline in {budget:.0f} s ({deadline:%H:%M:%S} UTC)")

        t = time.perf_counter()
        register_all(url, host.token, main.id, bidders, args.workers)
        setup["register_s"] = round(time.perf_counter() - t, 2)
        say(f"registered {n} bidders in {setup['register_s']:.2f} s")

        t = time.perf_counter()
        with ThreadPoolExecutor(args.workers) as pool:
            subs = list(pool.map(lambda b: seal_and_submit(url, work, main, b), bidders))
        setup["seal_login_submit_s"] = round(time.perf_counter() - t, 2)
        setup["per_bidder_s"] = {
            "seal": spread([x.seal_s for x in subs], digits=4),
            "login": spread([x.login_s for x in subs if x.login_s > 1e-4], digits=4),
            "submit": spread([x.submit_s for x in subs], digits=4),
        }
        slack = (deadline - datetime.now(UTC)).total_seconds()
        setup["deadline_slack_s"] = round(slack, 1)
        say(f"{n} bids sealed and submitted in {setup['seal_login_submit_s']:.2f} s; "
            f"{slack:.1f} s to the deadline")  # fmt: skip
        for b in bidders:
            if b.client is not None:
                b.client.close()
        if slack > 0:
            time.sleep(slack + 0.2)
        setup["waited_for_deadline_s"] = round(max(slack, 0) + 0.2, 1)

        say("opening")
        opening = asyncio.run(
            run_opening(
                url=url,
                section_id=main.id,
                platform_id=platform_id,
                bidders=bidders,
                staff=staff,
                window_minutes=args.window_minutes,
                confirmation_minutes=args.confirmation_minutes,
                out_dir=out_dir,
            )
        )
        curl_ms = curl_time_ms(url)
        server = {
            "pid": proc.pid,
            "vmhwm_mib": round(vm_kib(proc.pid, "VmHWM") / 1024, 1),
            "vmrss_mib": round(vm_kib(proc.pid, "VmRSS") / 1024, 1),
        }
        for p in staff.values():
            if p.client is not None:
                p.client.close()
    finally:
        log_text = stop_server(proc, work, out_dir / "server.log")
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    server["log_errors"] = sum(
        1
        for line in log_text.splitlines()
        if "Traceback" in line or " 500 " in line or "ERROR" in line
    )
    peer = opening.pop("_peer")
    plain_p50 = peer["plain_ms"].get("p50") or float("nan")
    result: dict[str, Any] = {
        "bench": "opening",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": git_version(),
        "machine": {
            "python": sys.version.split()[0],
            "platform": pyplatform.platform(),
            "cpus": os.cpu_count(),
        },
        "database": "postgresql" if args.db and args.db.startswith("postgres") else "sqlite",
        "bidders": n,
        "server": server,
        "bench_maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "setup": setup,
        **opening,
        "peer": {
            "what": f"{n} concurrent GET /api/v1/time (no auth, no database) through the same"
            " httpx.AsyncClient to the same server after the opening; curl: one GET /api/v1/time"
            " from a fresh process, median of 5",
            "plain_burst_wall_s": round(peer["burst_wall_s"], 3),
            "plain_ms": peer["plain_ms"],
            "curl_time_ms": curl_ms,
            "ratios": {
                "signin_wall_over_plain_burst": round(
                    peer["signin_wall_s"] / peer["burst_wall_s"], 1
                ),
                "release_wall_over_plain_burst": round(
                    peer["release_wall_s"] / peer["burst_wall_s"], 1
                ),
                "release_p50_over_plain_p50": round(opening["release_ms"]["p50"] / plain_p50, 1),
                "signin_post_p50_over_plain_p50": round(
                    opening["signin_post_ms"]["p50"] / plain_p50, 1
                ),
            },
        },
    }
    result["targets"] = targets(result)
    atomic_write(out_dir / "result.json", json.dumps(result, ensure_ascii=False, indent=2).encode())
    return result


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets beside the figures (they are stated for 500 bidders)."""
    rows = [
        ("summaries published after close (close sent → last results event)", "s",
         r["close_to_results_s"], TARGET_RESULTS_S),
        ("event latency p99", "ms", r["event_latency_ms"]["p99"], TARGET_EVENT_P99_MS),
    ]  # fmt: skip
    return [
        {
            "what": what,
            "unit": unit,
            "value": value,
            "target": f"<= {target} at {TARGET_AT_BIDDERS} bidders",
            "met": value <= target,
            "at_target_size": r["bidders"] >= TARGET_AT_BIDDERS,
        }
        for what, unit, value, target in rows
    ]


def human(r: dict[str, Any]) -> str:
    lines = [f"opening bench: {r['bidders']} bidders, {r['subscribers']} event streams, "
             f"{r['database']}, code {r['code']}"]  # fmt: skip
    st = r["setup"]
    lines.append(
        f"set-up: identities {st['identities_s']} s, register {st['register_s']} s, seal+login+"
        f"submit {st['seal_login_submit_s']} s, waited {st['waited_for_deadline_s']} s for the deadline"
    )
    lines.append("phases (s): " + ", ".join(f"{k} {v}" for k, v in r["phases_s"].items()))
    lines.append(f"close request {r['close_request_s']} s; close → last results event "
                 f"{r['close_to_results_s']} s")  # fmt: skip
    e = r["event_latency_ms"]
    lines.append(
        f"event latency ms over {r['events_delivered']} deliveries: p50 {e['p50']} p90 {e['p90']}"
        f" p99 {e['p99']} max {e['max']}; streams reconnected {r['streams_reconnected']}"
    )
    f = r["event_fanout_ms"]
    lines.append(
        f"    fan-out (behind the first subscriber) ms: p50 {f['p50']} p90 {f['p90']} p99"
        f" {f['p99']} max {f['max']}"
    )
    for kind, s in r["event_latency_by_kind_ms"].items():
        lines.append(
            f"    {kind:10s} n={s['count']:7d} p50 {s['p50']:8.1f} p99 {s['p99']:8.1f} max {s['max']:8.1f}"
        )
    for key in ("signin_ms", "signin_post_ms", "envelope_ms", "release_ms", "record_sign_ms"):
        s = r[key]
        lines.append(f"{key:15s} p50 {s['p50']:8.1f} p99 {s['p99']:8.1f} max {s['max']:8.1f}")
    lag = r["bench_loop_lag_ms"]
    lines.append(f"bench event-loop lag ms: p50 {lag['p50']} p99 {lag['p99']} max {lag['max']}")
    sv = r["server"]
    lines.append(f"server peak RSS {sv['vmhwm_mib']} MiB (now {sv['vmrss_mib']} MiB), "
                 f"log errors {sv['log_errors']}; bench peak RSS {r['bench_maxrss_mib']} MiB")  # fmt: skip
    p = r["peer"]
    lines.append(f"peer: {p['what']}")
    lines.append(
        f"    burst wall {p['plain_burst_wall_s']} s, p50 {p['plain_ms']['p50']} ms, p99 "
        f"{p['plain_ms']['p99']} ms; curl {p['curl_time_ms']} ms"
    )
    lines.append("    ratios: " + ", ".join(f"{k} {v}×" for k, v in p["ratios"].items()))
    lines.append("targets (informational):")
    for t in r["targets"]:
        flag = "met" if t["met"] else "MISS"
        size = "" if t["at_target_size"] else f" (measured at {r['bidders']})"
        lines.append(
            f"    {t['what']}: {t['value']} {t['unit']}  target {t['target']}  {flag}{size}"
        )
    rec = r["record"]
    lines.append(f"record: {rec['path']} ({rec['bytes']} bytes, {rec['signatures']} signatures, "
                 f"{rec['valid_bids']}/{rec['bidders']} bids opened, closed={rec['closed']})")  # fmt: skip
    if r["http_errors"]:
        lines.append(f"HTTP errors: {r['http_errors']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.opening", description=__doc__.splitlines()[0] if __doc__ else None
    )
    ap.add_argument("--bidders", type=int, default=50, help="number of bidders (at least 3)")
    ap.add_argument(
        "--out", help="folder for record.json, result.json (default bench/out/opening-N)"
    )
    ap.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    ap.add_argument(
        "--db", help="database URL for the platform (an EMPTY database); default SQLite"
    )
    ap.add_argument("--workers", type=int, default=8, help="threads that seal and submit bids")
    ap.add_argument("--window-minutes", type=int, default=30)
    ap.add_argument("--confirmation-minutes", type=int, default=30)
    ap.add_argument("--workdir", type=Path, help="where the temp folder goes (default bench/out)")
    ap.add_argument(
        "--keep", action="store_true", help="keep the temp folder (platform data, bids)"
    )
    args = ap.parse_args(argv)
    if args.bidders < 3:
        ap.error("--bidders: at least 3 (fewer bids make the opening fail, 流标)")
    args.out = args.out or str(OUT_DIR / f"opening-{args.bidders}")
    try:
        result = run(args)
    except BenchError as exc:
        say(f"failed: {exc}")
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(human(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
