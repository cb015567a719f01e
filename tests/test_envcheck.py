"""The environment check (环境检测) against the real platform: a sound set-up passes; a wrong
clock, an expiring certificate, an untrusted one, a certificate that ends before an opening the
bidder has a bid in, a folder that cannot be written — each is found and said in both languages.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from clienthelpers import Party, cli_login, client_for, open_sections, seal_for
from platformserver import RunningPlatform, SettableClock, start_platform

from client.envcheck import check_environment
from crypto.ca import KeyType, Role, SandboxCA
from sealbid.cli import main


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def platform(tmp_path: Path, clock: SettableClock):  # type: ignore[no-untyped-def]
    p = start_platform(tmp_path / "platform", clock=clock)
    yield p
    p.stop()


def _levels(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f.key: f.level for f in report.findings}


def test_a_sound_setup_passes(platform: RunningPlatform, tmp_path: Path) -> None:
    bidder = Party.of(platform, "bidder", 0)
    with client_for(platform, bidder, tmp_path / "state") as c:
        c.submit(
            open_sections(platform)[0], seal_for(c, bidder, open_sections(platform)[0], tmp_path)
        )
        report = check_environment(
            client=c, identity=bidder.identity(), state_dir=tmp_path / "state", work_dir=tmp_path
        )
    levels = _levels(report)
    assert report.ok, report.render()
    for key in ("platform", "clock", "pinned", "cert.signing", "chain.signing", "openings"):
        assert levels[key] == "ok", report.render()
    assert levels["disk.state"] == "ok" and levels["disk.work"] == "ok"
    # The support export carries findings, never a secret.
    exported = report.to_json()
    assert json.loads(exported)["ok"] is True
    assert bidder.password.decode() not in exported


def test_a_wrong_clock_is_a_warning(
    platform: RunningPlatform, clock: SettableClock, tmp_path: Path
) -> None:
    clock.offset = timedelta(minutes=5)  # the platform runs 5 minutes ahead of this PC
    with client_for(platform, None, tmp_path / "state") as c:
        report = check_environment(client=c, identity=None, state_dir=tmp_path / "state")
    clock_finding = next(f for f in report.findings if f.key == "clock")
    assert clock_finding.level == "warn" and "+300" in clock_finding.en.replace(".0", "")
    assert "校准" in clock_finding.zh


def test_certificate_problems_are_found(platform: RunningPlatform, tmp_path: Path) -> None:
    sandbox = platform.sandbox
    assert sandbox is not None
    ca = SandboxCA.load(Path(sandbox["ca"]).parent)
    bidder = next(i for i in sandbox["identities"] if i["role"] == "bidder")
    with client_for(platform, None, tmp_path / "s") as c:
        now = c.server_time()
    # Expiring in 5 days: a warning; and it ends before the opening (a week away) of the bid
    # it made.
    soon = ca.issue(
        role=Role.BIDDER,
        name=bidder["name"],
        org_code=bidder["org_code"],
        key_type=KeyType.P256,
        not_after=now + timedelta(days=5),
    ).identity()
    sid = open_sections(platform)[0]
    with client_for(platform, None, tmp_path / "state", identity=soon) as c:
        c.submit(sid, _seal_unchecked(c, soon, sid, tmp_path))
        report = check_environment(client=c, identity=soon, state_dir=tmp_path / "state")
    levels = _levels(report)
    assert levels["cert.signing"] == "warn" and levels["openings"] == "fail", report.render()
    assert not report.ok
    # A certificate from a CA the platform does not trust.
    stranger = (
        SandboxCA.create()
        .issue(role=Role.BIDDER, name="陌生公司", key_type=KeyType.P256)
        .identity()
    )
    report = check_environment(
        client=client_for(platform, None, tmp_path / "x"), identity=stranger, state_dir=tmp_path
    )
    assert _levels(report)["chain.signing"] == "fail"


def _seal_unchecked(c, identity, sid: str, tmp: Path) -> Path:  # type: ignore[no-untyped-def]
    """A bid sealed without the opening-time check (its certificate ends before the opening:
    exactly what the environment check must catch)."""
    from crypto import seal
    from sealbid.cli_platform import fetch_seal_context

    tender_version, _, _ = fetch_seal_context(c, sid)
    doc = tmp / "技术标.pdf"
    doc.write_bytes(b"%PDF-1.4 test")
    out = tmp / "soon.sealbid"
    seal([doc], out, identity=identity, section=sid, tender_version=tender_version)
    return out


def test_an_unwritable_folder_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    report = check_environment(client=None, identity=None, state_dir=blocker / "state")
    assert _levels(report)["disk.state"] == "fail" and not report.ok


def test_the_doctor_command(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bidder = Party.of(platform, "bidder", 1)
    out = tmp_path / "环境检测.json"
    args = ["doctor", *cli_login(platform, bidder, tmp_path / "state"), "-o", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "√" in text and "交易平台" in text and "platform" in text
    assert json.loads(out.read_text("utf-8"))["ok"] is True
