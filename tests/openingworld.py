"""An opening on the real platform for tests, driven over raw HTTP (what any client would send).

    world = OpeningWorld.create(tmp_path, bids=5)       # sandbox platform, 5 sandbox bidders' bids in
    world.past_deadline()                               # the platform clock moves to the opening
    world.host.post("start", {})
    world.signin(0); world.release(0)                   # bidder 0 signs in and releases its key
    events = world.events(world.bidders[1], after=0)    # what bidder 1's stream has delivered

Every bidder seals a summary with a distinctive ``manager`` (``SECRET_MARK`` + number) and price,
so a test can search any answer or event for them. The clock is the platform's (SettableClock).
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from clienthelpers import Party, client_for
from platformserver import RunningPlatform, SettableClock, start_platform

from client import PlatformClient, wire
from crypto import Identity, seal
from crypto.release import unwrap_envelope
from sealbid.cli_platform import fetch_seal_context
from server.config import Config

__all__ = ["SECRET_MARK", "Actor", "OpeningWorld", "price_of", "summary_of"]

SECRET_MARK = "泄密探针"


def summary_of(i: int) -> dict[str, Any]:
    return {
        "price": price_of(i),
        "duration": 360 + i,
        "quality": "合格",
        "manager": f"{SECRET_MARK}{i}",
        "bond": "800000.00",
    }


def price_of(i: int) -> str:
    return f"{98765432 + i * 1111}.{i:02d}"


@dataclass
class Actor:
    party: Party
    client: PlatformClient
    identity: Identity
    world: OpeningWorld = field(repr=False)

    @property
    def token(self) -> str:
        return self.client._token()

    def fresh_token(self) -> str:
        if self.request("GET", "/projects").status_code != 200:
            raise AssertionError("cannot log in")
        return self.token

    def request(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """``path`` below /api/v1; any status back. A session the moved clock expired is
        renewed (one new login), nothing else is retried."""
        for attempt in (1, 2):
            r = httpx.request(
                method,
                self.world.platform.api + path,
                json=body,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=60,
            )
            if r.status_code == 401 and _stale(r) and attempt == 1:
                self.client.login()
                continue
            return r
        raise AssertionError("unreachable")

    def post(self, op: str, body: Any = None, *, expect: int = 200) -> dict[str, Any]:
        """POST /openings/{section}/{op}, which must answer ``expect``."""
        r = self.request("POST", f"/openings/{self.world.section}/{op}", body)
        assert r.status_code == expect, (op, r.status_code, r.text)
        return dict(r.json())

    def get(self, path: str = "", *, expect: int = 200) -> Any:
        r = self.request("GET", f"/openings/{self.world.section}{path}")
        assert r.status_code == expect, (path, r.status_code, r.text)
        return r.json()

    def now_text(self) -> str:
        return self.world.clock().strftime("%Y-%m-%dT%H:%M:%SZ")

    def sign(self, message: bytes) -> str:
        sig = self.identity.sign_detached(message, signing_time=self.world.clock())
        return base64.b64encode(sig).decode("ascii")


@dataclass
class OpeningWorld:
    platform: RunningPlatform
    clock: SettableClock
    section: str
    bidders: list[Actor]
    host: Actor
    recorder: Actor
    supervisor: Actor
    opening_time: datetime
    tmp: Path

    @classmethod
    def create(
        cls,
        tmp: Path,
        *,
        bids: int = 5,
        db_url: str | None = None,
        summaries: dict[int, Any] | None = None,
    ) -> OpeningWorld:
        clock = SettableClock()
        config = Config(
            data_dir=tmp / "platform", db_url=db_url, sandbox=True, clock=clock, event_tick=0.3
        )
        platform = start_platform(tmp, config=config)
        section = next(s["id"] for s in platform.sandbox["sections"] if s["open_for_bids"])  # type: ignore[index]

        def actor(role: str, i: int = 0) -> Actor:
            party = Party.of(platform, role, i)
            ident = party.identity()
            c = client_for(platform, party, tmp / f"state-{role}-{i}", identity=ident)
            return Actor(party, c, ident, None)  # type: ignore[arg-type]

        bidders = [actor("bidder", i) for i in range(5)]
        staff = [actor(r) for r in ("host", "recorder", "supervisor")]
        world = cls(platform, clock, section, bidders, *staff, datetime.now(UTC), tmp)
        for a in [*bidders, *staff]:
            a.world = world
        _, opening, _ = fetch_seal_context(bidders[0].client, section)
        world.opening_time = opening
        for i in range(bids):
            world.submit(i, (summaries or {}).get(i, summary_of(i)))
        return world

    def submit(self, i: int, summary: Any, *, identity: Identity | None = None) -> Path:
        a = self.bidders[i]
        tender_version, opening, _ = fetch_seal_context(a.client, self.section)
        doc = self.tmp / f"技术标-{i}.pdf"
        doc.write_bytes(f"%PDF-1.4 bid of bidder {i} {SECRET_MARK}\n".encode() * 50)
        out = self.tmp / f"投标文件-{i}.sealbid"
        out.unlink(missing_ok=True)
        seal(
            [doc],
            out,
            identity=identity or a.identity,
            section=self.section,
            summary=summary,
            tender_version=tender_version,
            opening_time=opening,
        )
        a.client.submit(self.section, out)
        return out

    def past_deadline(self, extra: timedelta = timedelta(seconds=1)) -> None:
        self.clock.offset = self.opening_time - datetime.now(UTC) + extra

    def advance(self, delta: timedelta) -> None:
        self.clock.offset += delta

    def restart(self) -> None:
        """Stop the platform and start it again on the same data (a new port): what a crash
        and restart in the middle of an opening looks like to the clients."""
        config = self.platform.config
        self.platform.stop()
        self.platform = start_platform(self.tmp, config=config)
        for a in [*self.bidders, self.host, self.recorder, self.supervisor]:
            a.client.close()
            a.client = client_for(
                self.platform, a.party, self.tmp / f"state-{a.party.role}-r", identity=a.identity
            )

    def stop(self) -> None:
        for a in [*self.bidders, self.host, self.recorder, self.supervisor]:
            a.client.close()
        self.platform.stop()

    # --- bidder steps -------------------------------------------------------------------------

    def signin(self, i: int) -> dict[str, Any]:
        a = self.bidders[i]
        ch = a.post("signin/challenge")
        t = a.now_text()
        msg = wire.opening_signin_message(
            nonce=ch["nonce"], platform_id=ch["platform_id"], section_id=self.section, time=t
        )
        return a.post("signin", {"nonce": ch["nonce"], "time": t, "signature": a.sign(msg)})

    def file_key(self, i: int) -> bytes:
        a = self.bidders[i]
        env = a.request("GET", f"/sections/{self.section}/submission/envelope").json()
        u = unwrap_envelope(
            base64.b64decode(env["head"]), base64.b64decode(env["tail"]), a.identity
        )
        return u.file_key

    def release(self, i: int, key: bytes | None = None) -> httpx.Response:
        a = self.bidders[i]
        key = self.file_key(i) if key is None else key
        return a.request(
            "POST",
            f"/openings/{self.section}/release",
            {"file_key": base64.b64encode(key).decode()},
        )

    def sign_record(
        self,
        a: Actor,
        decision: str = "confirm",
        reason: str | None = None,
        *,
        record_sha256: str | None = None,
    ) -> httpx.Response:
        doc = {"record_sha256": record_sha256} if record_sha256 else a.get("/record")
        session = a.client.session
        assert session is not None
        role = "bidder" if session.role == "bidder" else session.role
        signer = (
            session.org_code
            if role == "bidder"
            else a.identity.signing_cert.subject.rfc4514_string()
        )
        t = a.now_text()
        msg = wire.record_statement(
            platform_id=self.platform.config.platform_id,
            section_id=self.section,
            record_sha256=doc["record_sha256"],
            role=role,
            signer=signer or "",
            decision=decision,
            reason=reason,
            time=t,
        )
        body = {
            "record_sha256": doc["record_sha256"],
            "decision": decision,
            "reason": reason,
            "time": t,
            "signature": a.sign(msg),
        }
        return a.request("POST", f"/openings/{self.section}/record/sign", body)

    # --- events -------------------------------------------------------------------------------

    def events(self, a: Actor, *, after: int = 0, until: int | None = None) -> list[dict[str, Any]]:
        """The events ``a``'s stream delivers after ``after``, read until the stream has given
        every stored event up to ``until`` (default: the opening's last), or is quiet (its first
        ``tick``: the platform here ticks after 0.3 s of quiet), or 10 s pass."""
        if until is None:
            until = int(a.get()["last_event"])
        got: list[dict[str, Any]] = []
        done = threading.Event()
        token = a.fresh_token()

        def read() -> None:
            with httpx.stream(
                "GET",
                self.platform.api + f"/openings/{self.section}/events",
                headers={"Authorization": f"Bearer {token}", "Last-Event-ID": str(after)},
                timeout=httpx.Timeout(10, read=10),
            ) as r:
                assert r.status_code == 200, r.read()
                data: list[str] = []
                kind = None
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        data.append(line[6:])
                    elif line.startswith("event: "):
                        kind = line[7:]
                    elif line == "" and data:
                        if kind == "tick":
                            done.set()
                            return
                        if kind != "tick":
                            e = json.loads("\n".join(data))
                            got.append(e)
                            if e["seq"] >= until:
                                done.set()
                                return
                        data, kind = [], None

        t = threading.Thread(target=read, daemon=True)
        t.start()
        done.wait(10)
        t.join(0.1)
        return got


def _stale(r: httpx.Response) -> bool:
    """A session the moved clock ended (expired, or already swept away by a later login)."""
    return bool(r.json()["error"]["code"] in ("auth.expired", "auth.token"))
