"""The sandbox seed (sandbox.json, people, projects, forms, documents), the ``server`` command, and
a platform set up without the sandbox from the command line's seeding options."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.serialization import Encoding
from platformserver import REPO, start_platform
from serverkit import Api, seal_for

from client import wire
from crypto import load_identity
from crypto.ca import KeyType, Role, SandboxCA
from sealbid import cli_server
from sealbid.uscc import validate
from server.sandbox import seed


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_sandbox_json_describes_usable_identities_and_sections(platform: Any) -> None:
    info = json.loads((platform.data_dir / "sandbox.json").read_text("utf-8"))
    roles = [i["role"] for i in info["identities"]]
    assert sorted(set(roles)) == ["admin", "bidder", "host", "recorder", "supervisor"]
    assert roles.count("bidder") == 5
    for entry in info["identities"]:
        assert Path(entry["p12"]).is_absolute() and Path(entry["password_file"]).is_absolute()
        password = Path(entry["password_file"]).read_text("utf-8").strip().encode()
        ident = load_identity(entry["p12"], password=password)
        if entry["role"] == "bidder":
            assert validate(entry["org_code"]) == entry["org_code"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in entry["name"])  # Chinese names
            assert ident.signing_cert != ident.encryption_cert  # dual certificates
        assert (Path(entry["password_file"]).stat().st_mode & 0o077) == 0
    now = datetime.now(UTC)
    deadlines = sorted(_parse_time(s["deadline"]) for s in info["sections"])
    assert all(d > now for d in deadlines)
    assert deadlines[0] - now < timedelta(minutes=10)  # one for trying an opening soon
    assert deadlines[1] - now > timedelta(days=1)
    for s in info["sections"]:
        assert set(s) >= {"id", "name", "deadline", "opening_time", "open_for_bids"}
        assert s["open_for_bids"] is True
    assert Path(info["ca"]).is_file()


def test_sandbox_catalogue_forms_and_documents(platform: Any) -> None:
    api = Api(platform.api)
    token = api.login(platform.identity("bidder"))
    projects = api.request("GET", "/projects", token).json()
    assert sorted(p["sector"] for p in projects) == ["工程建设", "政府采购"]
    sections = [
        wire.Section.model_validate(s) for s in api.request("GET", "/sections", token).json()
    ]
    assert len(sections) == 3
    units = {f.unit for s in sections for f in s.form.fields}
    assert {"元", "万元", "日历天"} <= units
    works = next(s for s in sections if s.form.fields[0].unit == "元")
    labels = {f.label: f for f in works.form.fields}
    assert set(labels) == {"投标报价", "工期", "质量标准", "项目负责人", "投标保证金"}
    assert labels["质量标准"].type == "choice" and labels["质量标准"].choices == ("合格", "优良")
    assert labels["工期"].type == "integer"
    for section in sections:
        assert section.tender_version and section.documents
        for doc in section.documents:
            r = api.request("GET", f"/sections/{section.id}/documents/{doc.id}", token)
            assert r.status_code == 200
            assert hashlib.sha256(r.content).hexdigest() == doc.sha256
            digest = base64.b64encode(hashlib.sha256(r.content).digest()).decode()
            assert r.headers["Digest"] == f"sha-256={digest}"
            assert int(r.headers["Content-Length"]) == doc.size
            if doc.name.endswith(".pdf"):
                assert r.content.startswith(b"%PDF-1.4") and r.content.rstrip().endswith(b"%%EOF")
    assert any(d.kind == "clarification" for s in sections for d in s.documents)
    r = api.request("GET", f"/sections/{sections[0].id}/documents/nope", token)
    assert r.status_code == 404 and r.json()["error"]["code"] == "document.not_found"


def test_seed_is_idempotent(platform: Any) -> None:
    before = json.loads((platform.data_dir / "sandbox.json").read_text("utf-8"))
    (platform.data_dir / "sandbox.json").unlink()
    again = seed(platform.config)
    assert again == before
    assert json.loads((platform.data_dir / "sandbox.json").read_text("utf-8")) == before
    with platform.platform.db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM projects").scalar() == 2


def test_server_command_seeds_and_serves(tmp_path: Path) -> None:
    """``python -m server --sandbox`` from nothing: real key generation, real uvicorn."""
    data, ready = tmp_path / "数据", tmp_path / "ready"
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--data", str(data), "--sandbox", "--port", "0",
         "--ready-file", str(ready), "--log-level", "warning"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not ready.exists():
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else b""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        url = ready.read_text().strip()
        info = httpx.get(url + "/api/v1/platform").json()
        assert info["platform_id"] == "sealbid-sandbox"
        sandbox = json.loads((data / "sandbox.json").read_text("utf-8"))
        host = next(i for i in sandbox["identities"] if i["role"] == "host")
        pw = Path(host["password_file"]).read_text("utf-8").strip().encode()
        token = Api(url + "/api/v1").login((Path(host["p12"]), pw))
        assert token
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_server_without_receipt_identity_says_what_to_do(tmp_path: Path, capsys: Any) -> None:
    code = cli_server.run_standalone(["--data", str(tmp_path / "empty"), "--port", "0"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--sandbox" in err and "--receipt-identity" in err


def test_server_parser_is_addable_to_sealbid() -> None:
    parser = argparse.ArgumentParser(prog="sealbid")
    cli_server.add_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["server", "--data", "d", "--db", "postgresql+psycopg://x@/y"])
    assert args.func is cli_server.cmd_server
    assert (args.host, args.port, args.sandbox) == ("127.0.0.1", 8000, False)


def test_platform_set_up_from_the_command_line(tmp_path: Path) -> None:
    """No sandbox: our own CA, receipt identity, trusted CA and admin account given as options;
    the admin then creates a project and section over HTTP and a bidder submits."""
    data = tmp_path / "platform"
    data.mkdir()
    ca = SandboxCA.init(tmp_path / "ca")
    receipt_id = ca.issue(role=Role.PLATFORM, name="测试平台回执", key_type=KeyType.P256)
    receipt_id.write_p12(tmp_path / "receipt.p12", password="回执密码".encode())
    (tmp_path / "receipt.pw").write_text("回执密码\n", "utf-8")
    admin = ca.issue(role=Role.PLATFORM, name="管理员", key_type=KeyType.P256)
    (tmp_path / "admin.pem").write_bytes(admin.signing_cert.public_bytes(Encoding.PEM))
    argv = [
        "--data", str(data), "--receipt-identity", str(tmp_path / "receipt.p12"),
        "--receipt-password-file", str(tmp_path / "receipt.pw"), "--platform-id", "test-platform",
        "--trust", str(tmp_path / "ca" / "ca.pem"), "--account", f"admin:{tmp_path / 'admin.pem'}",
    ]  # fmt: skip
    parser = argparse.ArgumentParser()
    cli_server._server_options(parser)
    args = parser.parse_args(argv)
    config = cli_server._config(args)
    cli_server._seed_from_args(config, args)
    cli_server._seed_from_args(config, args)  # idempotent
    running = start_platform(tmp_path, sandbox=False, data_dir=data, config=config)
    try:
        api = Api(running.api)
        token = api.login(admin.identity())
        project = api.request(
            "POST",
            "/admin/projects",
            token,
            json={"code": "P1", "name": "测试项目", "sector": "政府采购"},
        ).json()
        form = {"fields": [{"key": "price", "label": "投标报价", "type": "money", "unit": "万元"}]}
        deadline = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        section = api.request(
            "POST",
            "/admin/sections",
            token,
            json={"id": "P1-1", "project_id": project["id"], "code": "P1-1", "name": "第1包",
                  "deadline": deadline, "opening_time": deadline, "form": form},
        )  # fmt: skip
        assert section.status_code == 201, section.text
        assert section.json()["tender_version"] is None
        org = "91340100MA2N0A1B25"
        r = api.request(
            "POST",
            "/admin/sections/P1-1/bidders",
            token,
            json={"org_code": org, "name": "测试公司"},
        )
        assert r.status_code == 201
        bidder = ca.issue(
            role=Role.BIDDER, name="测试公司", org_code=org, key_type=KeyType.P256
        ).identity()
        btoken = api.login(bidder)
        bid = seal_for(
            bidder, api.section(btoken, "P1-1"), tmp_path / "b.sealbid", tender_version=None
        )
        r = api.submit(btoken, "P1-1", bid)
        assert r.status_code == 200, r.text
        assert wire.Receipt.model_validate_json(r.json()["receipt"]).platform_id == "test-platform"
    finally:
        running.stop()
