"""Helpers for the opening client tests: a fresh section on the real platform, bids from
sandbox bidders, the platform clock moved past the opening time, and a whole opening run
through ``client.opening`` step by step (tests/openingworld.py drives the server over raw HTTP;
this drives it the way the app does).

    kit = OpeningKit(platform, clock, tmp_path)
    sid = kit.section(bidders=3)                  # deadline a few minutes ahead, bids submitted
    kit.past_opening(sid)                         # the platform's clock moves past the opening
    doc = kit.run(sid, until="finished")          # start … finish; returns the signed record
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from clienthelpers import Party, client_for
from platformserver import RunningPlatform, SettableClock

from client import PlatformClient, wire
from client.opening import OpeningClient
from crypto import seal

__all__ = ["FORM", "OpeningKit", "org_code_of", "summary_for"]

FORM = wire.SummaryForm(
    fields=(
        wire.FormField(key="price", label="投标报价", type="money", unit="元"),
        wire.FormField(key="duration", label="工期", type="integer", unit="日历天"),
        wire.FormField(key="quality", label="质量标准", type="choice", choices=("合格", "优良")),
    )
)
_counter = itertools.count(1)


def summary_for(i: int) -> dict[str, Any]:
    return {"price": f"{1234567 + i * 1000}.89", "duration": 300 + i, "quality": "合格"}


def org_code_of(platform: RunningPlatform, party: Party) -> str:
    entry = next(i for i in platform.sandbox["identities"] if i["p12"] == str(party.p12))  # type: ignore[index]
    return str(entry["org_code"])


@dataclass
class OpeningKit:
    platform: RunningPlatform
    clock: SettableClock
    tmp: Path
    clients: dict[str, PlatformClient] = field(default_factory=dict)

    def party(self, role: str, index: int = 0) -> Party:
        return Party.of(self.platform, role, index)

    def bidders(self, n: int) -> list[Party]:
        return [self.party("bidder", i) for i in range(n)]

    def state_dir(self, party: Party) -> Path:
        return self.tmp / f"state-{party.p12.stem}"

    def client(self, party: Party) -> PlatformClient:
        key = str(party.p12)
        if key not in self.clients:
            self.clients[key] = client_for(self.platform, party, self.state_dir(party))
        return self.clients[key]

    def opening(self, party: Party, section_id: str, **kw: Any) -> OpeningClient:
        return OpeningClient(self.client(party), section_id, **kw)

    def close(self) -> None:
        for c in self.clients.values():
            c.close()
        self.clients.clear()

    def section(self, *, bidders: int = 3, minutes: int = 10) -> str:
        """A new section whose deadline is ``minutes`` ahead on the platform's clock, with
        every sandbox bidder registered and the first ``bidders`` of them having submitted."""
        host = self.client(self.party("host"))
        n = next(_counter)
        now = host.server_time()
        project = host.create_project(
            wire.ProjectCreate(
                code=f"KT-{n}-{now:%H%M%S%f}", name=f"开标测试项目 {n}", sector="工程建设"
            )
        )
        deadline = (now + timedelta(minutes=minutes)).replace(microsecond=0)
        section = host.create_section(
            wire.SectionCreate(
                project_id=project.id,
                code=f"KT-{n}-1",
                name=f"开标测试标段 {n}（施工）",
                deadline=deadline,
                opening_time=deadline,
                form=FORM,
            )
        )
        for party in self.bidders(5):
            host.register_bidder(section.id, org_code_of(self.platform, party), party.name)
        for i, party in enumerate(self.bidders(bidders)):
            self.submit(party, section.id, i)
        return section.id

    def seal(
        self,
        party: Party,
        section_id: str,
        i: int = 0,
        identity: Any = None,
        *,
        check_opening: bool = True,
    ) -> Path:
        c = self.client(party)
        section = c.section(section_id)
        folder = self.tmp / f"bid-{section_id}-{i}"
        folder.mkdir(parents=True, exist_ok=True)
        doc = folder / "商务标.pdf"
        doc.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 64)
        out = folder / "投标.sealbid"
        seal(
            [doc],
            out,
            identity=identity or party.identity(),
            section=section_id,
            summary=summary_for(i),
            tender_version=section.tender_version,
            opening_time=section.opening_time if check_opening else None,
        )
        return out

    def submit(self, party: Party, section_id: str, i: int = 0, identity: Any = None) -> None:
        self.client(party).submit(section_id, self.seal(party, section_id, i, identity))

    def past_opening(self, section_id: str, *, after: timedelta = timedelta(seconds=5)) -> None:
        """Move the platform's clock just past the section's opening time."""
        c = self.client(self.party("host"))
        opening = c.section(section_id).opening_time
        now = c.server_time()
        if now < opening + after:
            self.clock.offset += opening + after - now

    def run(
        self, section_id: str, *, bidders: int = 3, until: str = "finished"
    ) -> wire.SignedRecord:
        """The opening from start to ``until`` (``confirming``: announced, nobody signed yet;
        ``signed``: everyone signed; ``finished``), every bidder opening its bid."""
        host = self.opening(self.party("host"), section_id)
        people = [self.opening(b, section_id) for b in self.bidders(bidders)]
        host.start()
        for o in people:
            o.signin()
        host.publish_list()
        host.open_window(30)
        for o in people:
            o.release()
        host.close(early=True)
        host.announce(confirmation_minutes=30)
        if until == "confirming":
            return host.record()
        for o in people:
            o.sign_record("confirm")
        for role in ("host", "recorder", "supervisor"):
            self.opening(self.party(role), section_id).sign_record("confirm")
        if until == "signed":
            return host.record()
        host.finish()
        return host.record()
