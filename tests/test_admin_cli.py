"""``sealbid admin …`` end to end against the real platform on 127.0.0.1: a host creates a
project and a section, publishes a tender document and a clarification, registers a bidder; the
admin reads the audit log; a bidder is refused; a bad form is a usage error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clienthelpers import Party, cli_login, client_for, seal_for
from platformserver import RunningPlatform, start_platform

from client import wire
from sealbid import cli_admin
from sealbid.cli import CST, main
from sealbid.errors import CancelledError


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    p = start_platform(tmp_path_factory.mktemp("platform"))
    yield p
    p.stop()


def _org_code(platform: RunningPlatform, party: Party) -> str:
    entry = next(i for i in platform.sandbox["identities"] if i["p12"] == str(party.p12))  # type: ignore[index]
    return str(entry["org_code"])


FORM: dict[str, Any] = {
    "fields": [
        {"key": "price", "label": "投标报价", "type": "money", "unit": "万元"},
        {"key": "duration", "label": "工期", "type": "integer", "unit": "日历天"},
        {"key": "quality", "label": "质量标准", "type": "choice", "choices": ["合格", "优良"]},
        {"key": "bond", "label": "投标保证金", "type": "money", "unit": "万元", "required": False},
    ]
}


def _write_form(path: Path, form: Any) -> Path:
    path.write_text(
        form if isinstance(form, str) else json.dumps(form, ensure_ascii=False), "utf-8"
    )
    return path


def test_host_sets_up_a_section_and_the_admin_audits_it(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = Party.of(platform, "host")
    admin = Party.of(platform, "admin")
    bidder = Party.of(platform, "bidder", 0)
    as_host = cli_login(platform, host, tmp_path / "host")
    pid, sid = "P-ADM-1", "S-ADM-1-1"

    cmd = ["admin", "project", "create", *as_host, "--id", pid, "--code", "HF-2025-ADM"]
    assert main([*cmd, "--name", "合肥市滨湖区道路改造工程", "--sector", "工程建设"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == pid and "项目已创建" in out.err

    # A time without a zone is Beijing time (UTC+8).
    deadline = (datetime.now(CST) + timedelta(hours=3)).replace(microsecond=0, tzinfo=None)
    opening = deadline + timedelta(minutes=30)
    form = _write_form(tmp_path / "开标一览表.json", FORM)
    cmd = ["admin", "section", "create", *as_host, "--project", pid, "--id", sid, "--code", "1"]
    cmd += ["--name", "第一标段（道路工程）", "--deadline", deadline.isoformat()]
    cmd += ["--opening-time", opening.isoformat(), "--form", str(form)]
    cmd += ["--trust", platform.sandbox["ca"]]  # type: ignore[index]
    assert main(cmd) == 0
    out = capsys.readouterr()
    assert out.out.strip() == sid
    assert "万元" in out.err and "北京时间" in out.err
    with client_for(platform, bidder, tmp_path / "seal") as c:
        section = c.section(sid)
    assert section.name == "第一标段（道路工程）" and section.project_id == pid
    assert section.deadline == deadline.replace(tzinfo=CST).astimezone(UTC)
    assert section.opening_time == opening.replace(tzinfo=CST).astimezone(UTC)
    assert [(f.key, f.unit, f.required) for f in section.form.fields] == [
        ("price", "万元", True),
        ("duration", "日历天", True),
        ("quality", None, True),
        ("bond", "万元", False),
    ]

    tender = tmp_path / "招标文件.pdf"
    tender.write_bytes(b"%PDF-1.4 tender " + bytes(range(256)) * 600)
    assert main(["admin", "publish", *as_host, "--section", sid, str(tender)]) == 0
    v1 = capsys.readouterr().out.strip()
    with client_for(platform, bidder, tmp_path / "seal") as c:
        section = c.section(sid)
    assert v1 == section.tender_version
    assert [(d.name, d.kind, d.size) for d in section.documents] == [
        ("招标文件.pdf", "tender", tender.stat().st_size)
    ]

    org = _org_code(platform, bidder)
    cmd = ["admin", "register", *as_host, "--section", sid, "--org-code", org.lower()]
    assert main([*cmd, "--name", bidder.name]) == 0
    assert org in capsys.readouterr().out
    assert main(["admin", "bidders", *as_host, "--section", sid]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{org}  {bidder.name}"]

    with client_for(platform, bidder, tmp_path / "seal") as c:
        old = seal_for(c, bidder, sid, tmp_path / "old")

    clarification = tmp_path / "答疑澄清第1号.txt"
    clarification.write_text("工期调整为 300 日历天。", "utf-8")
    cmd = ["admin", "publish", *as_host, "--section", sid, "--kind", "clarification"]
    assert main([*cmd, str(clarification)]) == 0
    v2 = capsys.readouterr().out.strip()
    assert v2 and v2 != v1

    as_bidder = cli_login(platform, bidder, tmp_path / "bidder")
    assert main(["submit", *as_bidder, "--section", sid, str(old)]) == 1
    err = capsys.readouterr().err
    assert "重新密封" in err and "reseal" in err
    with client_for(platform, bidder, tmp_path / "seal") as c:
        new = seal_for(c, bidder, sid, tmp_path / "new")
    assert main(["submit", *as_bidder, "--section", sid, str(new)]) == 0
    capsys.readouterr()

    as_admin = cli_login(platform, admin, tmp_path / "admin")
    assert main(["admin", "audit", *as_admin, "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [e["seq"] for e in log] == list(range(log[0]["seq"], log[0]["seq"] + len(log)))
    mine = [e for e in log if e["subject"] in (pid, sid)]
    actions = [(e["action"], e["subject"]) for e in mine if e["actor"].startswith("host:")]
    assert actions == [
        ("project.create", pid),
        ("section.create", sid),
        ("document.publish", sid),
        ("bidder.register", sid),
        ("document.publish", sid),
    ]
    published = [e["data"] for e in mine if e["action"] == "document.publish"]
    assert [(d["kind"], d["tender_version"]) for d in published] == [
        ("tender", v1),
        ("clarification", v2),
    ]
    registered = next(e["data"] for e in mine if e["action"] == "bidder.register")
    assert registered == {"org_code": org, "name": bidder.name}

    # Text form, a page of it: --after and --limit.
    created = next(e["seq"] for e in mine if e["action"] == "section.create")
    assert main(["admin", "audit", *as_admin, "--after", str(created - 1), "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{created}  ")
    assert f"section.create  {sid}" in lines[0] and "北京时间" in lines[0]
    assert lines[1].startswith(f"{created + 1}  ")


@pytest.mark.parametrize(
    ("role", "command", "options"),
    [
        ("bidder", "project create", ["--code", "X-1", "--name", "某项目", "--sector", "政府采购"]),
        ("bidder", "register", ["--section", "@open", "--org-code", "@org", "--name", "某公司"]),
        ("bidder", "bidders", ["--section", "@open"]),
        ("bidder", "audit", []),
        ("host", "audit", []),  # the audit log is for the admin and the supervisor
    ],
)
def test_admin_commands_are_forbidden_to_others(
    platform: RunningPlatform,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    role: str,
    command: str,
    options: list[str],
) -> None:
    party = Party.of(platform, role)
    fill = {
        "@open": platform.sandbox["sections"][0]["id"],  # type: ignore[index]
        "@org": _org_code(platform, Party.of(platform, "bidder", 0)),
    }
    options = [fill.get(o, o) for o in options]
    assert main(["admin", *command.split(), *cli_login(platform, party, tmp_path), *options]) == 1
    err = capsys.readouterr().err
    assert "错误：" in err and "无权执行此操作" in err
    assert "error:" in err and "Not allowed" in err


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ("{not json", "not valid JSON"),
        ({"fields": [{"key": "price", "label": "报价", "type": "float"}]}, "fields.0.type"),
        ({"fields": [{"key": "price", "label": "报价"}]}, "fields.0.type"),
        ({"rows": []}, "fields"),
        ({"fields": [FORM["fields"][0], FORM["fields"][0]]}, "duplicate key"),
        ({"fields": [{"key": "q", "label": "质量", "type": "choice"}]}, "needs choices"),
    ],
)
def test_a_bad_form_file_is_a_usage_error(
    platform: RunningPlatform,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    form: Any,
    why: str,
) -> None:
    host = Party.of(platform, "host")
    path = _write_form(tmp_path / "form.json", form)
    cmd = ["admin", "section", "create", *cli_login(platform, host, tmp_path), "--project", "P-X"]
    cmd += ["--id", "S-BAD", "--code", "1", "--name", "坏表单标段", "--form", str(path)]
    assert main([*cmd, "--deadline", "2099-01-01T09:00", "--opening-time", "2099-01-01T09:00"]) == 2
    err = capsys.readouterr().err
    assert "开标一览表定义有误" in err and "bad bid-summary form" in err and why in err


def test_an_unsafe_document_name_is_refused_before_any_upload(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = Party.of(platform, "host")
    sid = platform.sandbox["sections"][0]["id"]  # type: ignore[index]
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(b"%PDF-1.4")
    cmd = ["admin", "publish", *cli_login(platform, host, tmp_path), "--section", sid]
    assert main([*cmd, "--name", "../../etc/passwd", str(doc)]) == 2
    err = capsys.readouterr().err
    assert "文档名" in err and "document name" in err


def test_the_whole_audit_log_is_read_page_by_page(
    platform: RunningPlatform,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = Party.of(platform, "admin")
    with client_for(platform, admin, tmp_path) as c:
        before = c.audit(limit=10000)
    monkeypatch.setattr(cli_admin, "_AUDIT_PAGE", 3)
    assert main(["admin", "audit", *cli_login(platform, admin, tmp_path), "--json"]) == 0
    read = [e["seq"] for e in json.loads(capsys.readouterr().out)]
    # Everything there was before (its own login comes after, and may be in too).
    assert read[: len(before)] == [e.seq for e in before] and len(before) > 3


# --- the client methods ---------------------------------------------------------------------


def _new_section(c: Any, sid: str) -> None:
    pid = f"P-{sid}"
    c.create_project(wire.ProjectCreate(id=pid, code=pid, name="政府采购项目", sector="政府采购"))
    now = datetime.now(UTC)
    form = wire.SummaryForm.model_validate(FORM)
    c.create_section(
        wire.SectionCreate(
            id=sid,
            project_id=pid,
            code="1",
            name="货物标段",
            deadline=now + timedelta(hours=1),
            opening_time=now + timedelta(hours=1),
            form=form,
        )
    )


def test_publish_streams_the_file_with_progress(platform: RunningPlatform, tmp_path: Path) -> None:
    doc = tmp_path / "招标文件（货物）.pdf"
    doc.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * (12 << 10))  # 3 MiB: several slices
    steps: list[tuple[int, int]] = []
    with client_for(platform, Party.of(platform, "admin"), tmp_path / "admin") as c:
        _new_section(c, "S-STREAM")
        published = c.publish_document(
            "S-STREAM", doc, kind="tender", progress=lambda d, t: steps.append((d, t))
        )
    size = doc.stat().st_size
    assert len(steps) > 2 and steps[-1] == (size, size)
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)
    with client_for(platform, Party.of(platform, "bidder"), tmp_path / "bidder") as c:
        got = c.download_document("S-STREAM", published.id, tmp_path / "down")
    assert got.name == doc.name and got.read_bytes() == doc.read_bytes()


def test_a_cancelled_publish_publishes_nothing(platform: RunningPlatform, tmp_path: Path) -> None:
    doc = tmp_path / "澄清.pdf"
    doc.write_bytes(bytes(3 << 20))
    sent: list[int] = []
    with client_for(platform, Party.of(platform, "host"), tmp_path / "host") as c:
        _new_section(c, "S-CANCEL")
        with pytest.raises(CancelledError):
            c.publish_document(
                "S-CANCEL",
                doc,
                kind="clarification",
                progress=lambda d, t: sent.append(d),
                cancel=lambda: bool(sent),  # stop after the first slice
            )
        section = c.section("S-CANCEL")
    assert sent and sent[0] < doc.stat().st_size
    assert section.documents == () and section.tender_version is None
