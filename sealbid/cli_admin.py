"""The host and admin commands of the ``sealbid`` command line (docs/protocol.md, "Admin and host").

    sealbid admin project create --platform URL --identity host.p12 --password-file pw \\
        --id P-2025-01 --code HF-2025-01 --name 合肥市滨湖区道路改造工程 --sector 工程建设
    sealbid admin section create … --project P-2025-01 --id S-2025-01-1 --code 1 --name 一标段 \\
        --deadline 2025-07-01T09:30 --opening-time 2025-07-01T09:30 --form form.json [--trust ca.pem]
    sealbid admin publish  … --section S-2025-01-1 [--kind clarification] 招标文件.pdf
    sealbid admin register … --section S-2025-01-1 --org-code 91340100MA2N0A1B25 --name 合肥建工集团有限公司
    sealbid admin bidders  … --section S-2025-01-1
    sealbid admin audit    … [--after SEQ] [--limit N] [--json]

Every command takes ``--platform`` and the identity options as ``sealbid sections`` does (login
is implicit). Times are ISO 8601; one without a zone is Beijing time (UTC+8). The form file is
the JSON of :class:`client.wire.SummaryForm`, e.g.::

    {"fields": [{"key": "price", "label": "投标报价", "type": "money", "unit": "万元"},
                {"key": "duration", "label": "工期", "type": "integer", "unit": "日历天"},
                {"key": "quality", "label": "质量标准", "type": "choice", "choices": ["合格", "优良"]},
                {"key": "bond", "label": "投标保证金", "type": "money", "unit": "万元",
                 "required": false}]}

What scripts need goes to stdout alone: the new project's or section's id, the new tender
version after ``publish``; what people read goes to stderr. Roles: creating and publishing need
host or admin, the audit log admin or supervisor; a bidder gets "not allowed" (exit 1).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .cli import _identity_options, _load_certs, _load_identity, _parse_time, _show_time
from .cli_platform import _client, _err, _platform_options, _progress
from .errors import UsageError

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from client.wire import AuditEntry, Section, SummaryForm

__all__ = ["add_parsers", "load_form"]

_M = TypeVar("_M", bound="BaseModel")
# How many audit entries one request asks for when the whole log (after --after) is wanted.
_AUDIT_PAGE = 1000


# --- input -----------------------------------------------------------------------------------


def _problems(exc: ValidationError, limit: int = 5) -> str:
    """Pydantic's complaints as ``where: what`` (its texts are English; the caller's prefix
    says in both languages what was being read)."""
    out = []
    for e in exc.errors()[:limit]:
        where = ".".join(str(p) for p in e.get("loc", ())) or "-"
        out.append(f"{where}: {e.get('msg', '')}")
    more = len(exc.errors()) - limit
    if more > 0:
        out.append(f"… (+{more})")
    return "; ".join(out)


def _build(model: type[_M], what: str, **fields: Any) -> _M:
    """A wire model from the command's options; a value it refuses is a usage error (exit 2)."""
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as exc:
        raise UsageError(what=f"{what}: {_problems(exc)}") from exc


def _form_problems(form: SummaryForm) -> list[str]:
    """What the schema lets through but no bid could fill in properly."""
    problems = []
    seen: set[str] = set()
    for i, f in enumerate(form.fields):
        where = f"fields.{i} ({f.key or '-'})"
        if not f.key.strip():
            problems.append(f"{where}: key 为空 / empty key")
        if not f.label.strip():
            problems.append(f"{where}: label 为空 / empty label")
        if f.key in seen:
            problems.append(f"{where}: key 重复 / duplicate key")
        seen.add(f.key)
        if f.type == "choice" and not f.choices:
            problems.append(f"{where}: choice 类型需要 choices / a choice needs choices")
        if f.type != "choice" and f.choices:
            problems.append(f"{where}: 只有 choice 类型可有 choices / choices only for a choice")
    return problems


def load_form(path: str) -> SummaryForm:
    """The bid-summary form (开标一览表) definition in the JSON file ``path``; a file that is not
    one raises :class:`UsageError` saying where and why, in Chinese and English."""
    from pydantic import ValidationError

    from client.wire import SummaryForm

    prefix = f"{path}: 开标一览表定义有误 / bad bid-summary form"
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(what=f"{path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(what=f"{prefix}: 不是 UTF-8 文本 / not UTF-8 text") from exc
    try:
        form = SummaryForm.model_validate_json(text)
    except ValidationError as exc:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            raise UsageError(what=f"{prefix}: 不是有效的 JSON / not valid JSON") from exc
        raise UsageError(what=f"{prefix}: {_problems(exc)}") from exc
    problems = _form_problems(form)
    if problems:
        raise UsageError(what=f"{prefix}: " + "; ".join(problems))
    return form


def _trusted_pem(paths: list[str] | None) -> str | None:
    """The ``--trust`` certificates (PEM or DER files) as one PEM text; None: the platform's."""
    if not paths:
        return None
    from cryptography.hazmat.primitives.serialization import Encoding

    return "".join(c.public_bytes(Encoding.PEM).decode("ascii") for c in _load_certs(paths))


def _count(text: str | None, option: str, minimum: int) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise UsageError(
            what=f"{option} 应为不小于 {minimum} 的整数 / must be an integer ≥ {minimum}"
        )
    return value


# --- output ----------------------------------------------------------------------------------


def _describe_section(s: Section) -> list[str]:
    lines = [
        f"标段 / section {s.id}  {s.code}  {s.name}  (项目 / project {s.project_id})",
        f"  投标截止 / deadline: {_show_time(s.deadline)}",
        f"  开标时间 / opening:  {_show_time(s.opening_time)}",
        f"  招标文件版本 / tender version: {s.tender_version or '-'}",
    ]
    for f in s.form.fields:
        unit = f" [{f.unit}]" if f.unit else ""
        need = "必填 required" if f.required else "选填 optional"
        choices = f" {'/'.join(f.choices)}" if f.choices else ""
        lines.append(f"  开标一览表 / form: {f.key} {f.label} ({f.type}{unit}, {need}){choices}")
    return lines


def _show_audit_time(at: str) -> str:
    try:
        return _show_time(datetime.fromisoformat(at))
    except ValueError:
        return at  # shown as the platform wrote it rather than hidden


def _audit_line(e: AuditEntry) -> str:
    data = json.dumps(e.data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"{e.seq}  {_show_audit_time(e.at)}  {e.actor}  {e.action}  {e.subject}  {data}"


# --- commands --------------------------------------------------------------------------------


def cmd_project_create(args: argparse.Namespace) -> int:
    from client.wire import ProjectCreate

    body = _build(
        ProjectCreate,
        "项目 / project",
        id=args.id,
        code=args.code,
        name=args.name,
        sector=args.sector,
    )
    with _load_identity(args) as identity, _client(args, identity) as client:
        project = client.create_project(body)
    _err(f"项目已创建 / project created: {project.id}  {project.code}  {project.name}")
    _err(f"  行业 / sector: {project.sector}")
    print(project.id)
    return 0


def cmd_section_create(args: argparse.Namespace) -> int:
    from client.wire import SectionCreate

    deadline = _parse_time(args.deadline)
    opening = _parse_time(args.opening_time)
    if opening < deadline:
        raise UsageError(
            what="--opening-time 早于 --deadline / the opening time is before the deadline"
        )
    body = _build(
        SectionCreate,
        "标段 / section",
        id=args.id,
        project_id=args.project,
        code=args.code,
        name=args.name,
        deadline=deadline,
        opening_time=opening,
        form=load_form(args.form),
        trusted_ca_pem=_trusted_pem(args.trust),
    )
    with _load_identity(args) as identity, _client(args, identity) as client:
        section = client.create_section(body)
    _err("标段已创建 / section created")
    for line in _describe_section(section):
        _err(line)
    print(section.id)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(what=f"{path}: 文件不存在 / no such file")
    with _load_identity(args) as identity, _client(args, identity) as client:
        doc = client.publish_document(
            args.section,
            path,
            kind=args.kind,
            name=args.name,
            progress=_progress("上传 / upload"),
        )
        # The document's answer carries its number, not the section's tender version (the
        # digest bids are sealed against): read it back. Should another host publish in the
        # same instant, this shows the newer one, which is the one bids need anyway.
        version = client.section(args.section).tender_version
    kind = {"tender": "招标文件 tender document", "clarification": "答疑澄清 clarification"}
    _err(f"已发布 / published: {kind[doc.kind]} “{doc.name}”, 第 {doc.version} 版 / version")
    _err(f"  {doc.size:,} bytes, SHA-256 {doc.sha256}")
    _err(f"  发布时间 / published at: {_show_time(doc.published_at)}")
    _err(
        "  此前按旧版本密封的投标文件须重新密封 / bids sealed against the previous version must be"
        " resealed"
    )
    print(version or "-")
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from .uscc import validate

    org_code = validate(args.org_code)  # the platform checks it too; this answers sooner
    with _load_identity(args) as identity, _client(args, identity) as client:
        reg = client.register_bidder(args.section, org_code, args.name)
    print(f"已登记 / registered: {reg.org_code}  {reg.name}  (标段 / section {args.section})")
    return 0


def cmd_bidders(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        bidders = client.registered_bidders(args.section)
    if args.json:
        out = [b.model_dump(mode="json") for b in bidders]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if not bidders:
        _err(f"标段 {args.section} 尚无登记的投标人 / no bidders registered for this section")
    for b in bidders:
        print(f"{b.org_code}  {b.name}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    after = _count(args.after, "--after", 0)
    limit = _count(args.limit, "--limit", 1)
    with _load_identity(args) as identity, _client(args, identity) as client:
        if limit is not None:
            entries = client.audit(after=after, limit=limit)
        else:
            # The whole log after --after: the platform answers a page at a time.
            entries = []
            cursor = after or 0
            while True:
                page = client.audit(after=cursor, limit=_AUDIT_PAGE)
                entries.extend(page)
                if len(page) < _AUDIT_PAGE:
                    break
                cursor = page[-1].seq
    if args.json:
        print(
            json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False, indent=2)
        )
        return 0
    if not entries:
        _err("没有审计记录 / no audit entries")
    for e in entries:
        print(_audit_line(e))
    return 0


# --- parser ----------------------------------------------------------------------------------


def _options(p: argparse.ArgumentParser) -> None:
    _platform_options(p)
    _identity_options(p)


def add_parsers(sub: Any) -> None:
    """Add ``admin`` (project create, section create, publish, register, bidders, audit) to the
    ``sealbid`` sub-command parsers (``sub`` from ``add_subparsers``)."""
    admin = sub.add_parser("admin", help="主持人与平台管理 / host and admin")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)

    p = admin_sub.add_parser("project", help="项目 / projects")
    project_sub = p.add_subparsers(dest="project_command", required=True)
    p = project_sub.add_parser("create", help="创建项目 / create a project")
    _options(p)
    p.add_argument("--id", help="项目编号（默认由平台生成）/ project id (default: the platform's)")
    p.add_argument("--code", required=True, help="项目代码 / project code")
    p.add_argument("--name", required=True, help="项目名称 / project name")
    p.add_argument("--sector", required=True, help="行业，如 工程建设、政府采购 / sector")
    p.set_defaults(func=cmd_project_create)

    p = admin_sub.add_parser("section", help="标段 / sections")
    section_sub = p.add_subparsers(dest="section_command", required=True)
    p = section_sub.add_parser("create", help="创建标段 / create a section")
    _options(p)
    p.add_argument("--project", required=True, help="项目编号 / project id")
    p.add_argument("--id", help="标段编号（默认由平台生成）/ section id (default: the platform's)")
    p.add_argument("--code", required=True, help="标段代码 / section code")
    p.add_argument("--name", required=True, help="标段名称 / section name")
    p.add_argument(
        "--deadline",
        required=True,
        help="投标截止时间 ISO 8601（无时区按北京时间）/ bid deadline (no zone: UTC+8)",
    )
    p.add_argument(
        "--opening-time",
        required=True,
        help="开标时间 ISO 8601（无时区按北京时间）/ opening time (no zone: UTC+8)",
    )
    p.add_argument(
        "--form", required=True, metavar="FORM.json", help="开标一览表定义 / bid-summary form"
    )
    p.add_argument(
        "--trust",
        action="append",
        metavar="CA.pem",
        help="本标段受信任的 CA（可重复，默认平台的）/ CA whose bids it takes (repeat; default"
        " the platform's)",
    )
    p.set_defaults(func=cmd_section_create)

    p = admin_sub.add_parser(
        "publish", help="发布招标文件或答疑澄清 / publish a tender document or clarification"
    )
    _options(p)
    p.add_argument("--section", required=True, help="标段编号 / section id")
    p.add_argument("--kind", choices=["tender", "clarification"], default="tender")
    p.add_argument("--name", help="发布的文件名（默认同文件名）/ published name (default: FILE's)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_publish)

    p = admin_sub.add_parser("register", help="登记投标人 / register a bidder for a section")
    _options(p)
    p.add_argument("--section", required=True, help="标段编号 / section id")
    p.add_argument(
        "--org-code", required=True, help="统一社会信用代码 / unified social credit code"
    )
    p.add_argument("--name", required=True, help="单位名称 / organisation name")
    p.set_defaults(func=cmd_register)

    p = admin_sub.add_parser("bidders", help="列出已登记的投标人 / list registered bidders")
    _options(p)
    p.add_argument("--section", required=True, help="标段编号 / section id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bidders)

    p = admin_sub.add_parser("audit", help="审计日志 / the audit log (admin, supervisor)")
    _options(p)
    p.add_argument("--after", metavar="SEQ", help="只列此序号之后 / only entries after SEQ")
    p.add_argument("--limit", metavar="N", help="最多 N 条（默认全部）/ at most N (default all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)
