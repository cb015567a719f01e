"""Practice openings on the sandbox platform (练习开标): a section that opens in a few minutes,
bids from demo bidders already in, and demo bidders that take part in the opening by themselves.

    info = load_sandbox_info(Path("…/sandbox.json"))
    made = create_practice_section(url, info, minutes=10, me_org_code="91340100MA2N0A1B25")
    made.section_id, made.deadline, [b.name for b in made.bids]   # 2 demo bids: with yours, 3
    demo = DemoBidders(url, info, made.section_id, made.demo_org_codes)
    demo.start()       # threads: sign in when the opening starts, decrypt, confirm the record
    …
    demo.stop()        # at once (a blocked event stream is cut)
    host = DemoHost(url, info, made.section_id, expected_bids=3)   # a bidder practising alone
    host.start()       # starts, lists, opens the window, closes, announces, signs, finishes

A remote opening needs at least three bids (招标投标法实施条例 Art. 44) and bidders who sign
in, decrypt and confirm; on the sandbox a newcomer has nobody to do that with. Everything here
goes through :mod:`client` over HTTP, as the sandbox host and the demo bidders of
``sandbox.json`` would do it themselves: nothing reaches into the platform's internals, so a
practice opening is an ordinary one, run by the ordinary rules. Times are the platform's.

The demo bidders never object and never decline; the demo host answers every objection with a
note that it is a demo answer. Each step reads the opening's state first, so following a
section again (after a restart) does only what is still to do.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from client import PlatformClient, RetryPolicy, wire
from client.errors import (
    ForbiddenError,
    NotFoundError,
    RecordInvalidError,
    ReleaseFailedError,
    RequestRefusedError,
)
from client.opening import READ_TIMEOUT, OpeningClient, interrupt_stream
from crypto.identity import Identity

from .errors import CancelledError, SealBidError, UsageError

__all__ = [
    "MAX_MINUTES",
    "MIN_BIDS",
    "MIN_MINUTES",
    "DemoBidders",
    "DemoHost",
    "PracticeBid",
    "PracticeSection",
    "StepCallback",
    "create_practice_section",
    "load_sandbox_info",
    "submitted_demo_bidders",
]

log = logging.getLogger(__name__)

MIN_BIDS = 3
"""Bids an opening needs (招标投标法实施条例 Art. 44): with fewer the tender fails (流标)."""
MIN_MINUTES = 1
MAX_MINUTES = 24 * 60
"""The range of minutes to the deadline a practice section accepts."""

_CST = timezone(timedelta(hours=8), "CST")
_ID_PREFIX = "PRACTICE"
# Demo bidders' names of project managers (项目负责人), one per bid.
_MANAGERS = ("王建国", "刘海波", "陈晓东", "周立群", "孙志刚")
# The phases in which a bidder may still sign in (the platform refuses it after the window).
_SIGNIN_PHASES = ("signin", "listed", "window")
# Events after which a demo bidder looks at the opening again (others' sign-ins, decryptions
# and signatures change nothing for it).
_ACT_ON = frozenset({"phase", "list", "window", "record", "finished"})
# The phases in which objections may be raised and answered.
_OBJECTION_PHASES = ("signin", "listed", "window", "closed", "announced", "confirming")
_RELEASE_ATTEMPTS = 3
# Seconds before following again after an error, doubling while errors go on, up to the max.
_RESTART_AFTER = 0.5
_RESTART_MAX = 10.0
# Signing again after the record changed under the signature (an objection answered meanwhile).
_SIGN_TRIES = 3


# --- the sandbox's people ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    role: str
    name: str
    org_code: str | None
    p12: Path
    password_file: Path

    def identity(self) -> Identity:
        """The person's PKCS#12 identity; its password comes from the sandbox's file."""
        from crypto import load_identity

        try:
            text = self.password_file.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise UsageError(
                what=f"{self.password_file}: 无法读取沙箱密码文件 / cannot read the sandbox"
                f" password file ({exc.strerror})"
            ) from exc
        except UnicodeDecodeError as exc:
            raise UsageError(
                what=f"{self.password_file}: 不是 UTF-8 文本 / not UTF-8 text"
            ) from exc
        lines = text.splitlines()
        return load_identity(self.p12, password=(lines[0] if lines else "").encode("utf-8"))


def _not_sandbox(why: str) -> UsageError:
    return UsageError(what=f"不是沙箱描述文件（{why}）/ not a sandbox description ({why})")


def _people(info: Mapping[str, Any]) -> list[_Person]:
    """The identities of ``sandbox.json``; anything else is a clear usage error."""
    if not isinstance(info, Mapping):
        raise _not_sandbox("JSON object expected")
    entries = info.get("identities")
    if not isinstance(entries, list) or not entries:
        raise _not_sandbox("no identities")
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, Mapping) or not all(
            isinstance(e.get(k), str) and e.get(k) for k in ("role", "name", "p12", "password_file")
        ):
            raise _not_sandbox(f"identities[{i}]")
        org = e.get("org_code")
        out.append(
            _Person(
                role=str(e["role"]),
                name=str(e["name"]),
                org_code=org if isinstance(org, str) and org else None,
                p12=Path(str(e["p12"])),
                password_file=Path(str(e["password_file"])),
            )
        )
    return out


def load_sandbox_info(path: Path) -> dict[str, Any]:
    """``sandbox.json`` (written by the sandbox platform at its first start) as a dict, checked
    to describe the sandbox's people; a missing or foreign file raises :class:`UsageError`."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(
            what=f"{path}: 无法读取沙箱描述文件 sandbox.json / cannot read the sandbox file"
            f" ({exc.strerror or type(exc).__name__})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise UsageError(what=f"{path}: 不是 UTF-8 文本 / not UTF-8 text") from exc
    try:
        info = json.loads(text)
    except ValueError as exc:
        raise UsageError(what=f"{path}: 不是有效的 JSON / not valid JSON") from exc
    if not isinstance(info, dict):
        raise _not_sandbox("JSON object expected")
    _people(info)
    return info


def _bidders(people: Sequence[_Person]) -> list[_Person]:
    return [p for p in people if p.role == "bidder" and p.org_code]


def _host(people: Sequence[_Person]) -> _Person:
    for p in people:
        if p.role == "host":
            return p
    raise _not_sandbox("no host identity")


def _default_state_dir(people: Sequence[_Person]) -> Path:
    """Beside the sandbox's identities (``DATA/sandbox/practice``): the demo bidders' receipts
    and the host's saved platform certificate stay with the sandbox, out of the user's own."""
    return _host(people).p12.parent.parent / "practice"


def _client(
    url: str, identity: Identity, state_dir: Path, ca_bundle: str | None, **kw: Any
) -> PlatformClient:
    return PlatformClient(
        base_url=url, identity=identity, state_dir=state_dir, ca_bundle=ca_bundle, **kw
    )


# --- the section ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeBid:
    """A demo bidder's bid, submitted for the practice section."""

    org_code: str
    name: str
    summary: dict[str, Any]
    """The bid summary (开标一览表) sealed inside, as the section's form defines it."""
    file_sha256: str
    """The digest on the platform's receipt."""


@dataclass(frozen=True)
class PracticeSection:
    """What :func:`create_practice_section` made."""

    section_id: str
    name: str
    project_id: str
    deadline: datetime
    """Bid deadline (UTC, platform time); the opening time is the same."""
    opening_time: datetime
    tender_version: str | None
    bids: tuple[PracticeBid, ...]
    """The demo bidders' bids, in the order they were submitted."""
    me_org_code: str | None
    """The user's own organisation (a sandbox bidder that still has to bid), or None."""
    tender_document: str | None
    """The published tender document's name (None if it could not be published)."""

    @property
    def demo_org_codes(self) -> tuple[str, ...]:
        """The demo bidders to follow the opening with (:class:`DemoBidders`)."""
        return tuple(b.org_code for b in self.bids)


def _check_minutes(minutes: object) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise UsageError(what=f"minutes={minutes!r}: 应为整数 / must be an integer")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise UsageError(
            what=f"距投标截止的分钟数应在 {MIN_MINUTES}–{MAX_MINUTES} 之间（{minutes}）"
            f" / minutes to the deadline must be {MIN_MINUTES}–{MAX_MINUTES} ({minutes})"
        )
    return minutes


def _next_minute(t: datetime) -> datetime:
    """``t`` rounded up to a whole minute: "before 10:42" is then exactly what it says."""
    whole = t.replace(second=0, microsecond=0)
    return whole if whole == t else whole + timedelta(minutes=1)


def _template_section(info: Mapping[str, Any]) -> dict[str, Any]:
    """The seeded works section (工程建设) whose project and form a practice section takes."""
    sections = [s for s in info.get("sections") or [] if isinstance(s, Mapping) and s.get("id")]
    if not sections:
        raise _not_sandbox("no sections")
    for s in sections:
        if str(s.get("project_id", "")).startswith("HFJS-"):
            return dict(s)
    return dict(sections[0])


def _money(amount: Decimal, unit: str | None) -> str:
    """An amount in yuan written in the field's unit (万元: yuan / 10,000, up to 6 places)."""
    if unit == "万元":
        return format((amount / 10000).quantize(Decimal("0.000001")).normalize(), "f")
    return format(amount.quantize(Decimal("0.01")), "f")


def _summary(
    form: wire.SummaryForm, rng: random.Random, i: int, deadline: datetime
) -> dict[str, Any]:
    """A plausible, valid bid summary for ``form``: each demo bidder its own price, duration,
    quality and project manager."""
    out: dict[str, Any] = {}
    price = Decimal(rng.randrange(3_600_000_000, 4_100_000_000)) / 100  # 3,600 – 4,100 万元
    for f in form.fields:
        text = f"{f.key} {f.label}"
        if f.type == "money":
            if "bond" in text or "保证金" in text:
                amount = Decimal("800000")
            elif "price" in text or "报价" in text:
                amount = price
            else:
                amount = Decimal(rng.randrange(10_000_000, 90_000_000)) / 100
            out[f.key] = _money(amount, f.unit)
        elif f.type == "integer":
            out[f.key] = 330 + 15 * i + rng.randrange(0, 10)
        elif f.type == "choice":
            out[f.key] = f.choices[i % len(f.choices)] if f.choices else ""
        elif f.type == "date":
            out[f.key] = (deadline.astimezone(_CST).date() + timedelta(days=30 + i)).isoformat()
        else:
            out[f.key] = _MANAGERS[i % len(_MANAGERS)]
    return out


def _show(t: datetime) -> str:
    return t.astimezone(_CST).strftime("%Y-%m-%d %H:%M 北京时间 (UTC+8)")


def _tender_document(
    folder: Path, section: wire.Section, project_name: str, created: datetime
) -> Path:
    """The practice tender document (招标文件): a one-page PDF in Chinese, or a text file
    where no Chinese font is installed (the PDF renderer refuses to draw without one)."""
    lines = [
        f"项目：{project_name}",
        f"标段：{section.name}（{section.id}）",
        f"投标截止时间：{_show(section.deadline)}",
        f"开标时间：{_show(section.opening_time)}",
        "开标方式：不见面开标（网上开标大厅），投标人远程签到、解密、确认开标记录。",
        "开标一览表："
        + "；".join(
            f"{f.label}" + (f"（{f.unit}）" if f.unit else "") for f in section.form.fields
        ),
        "本标段为沙箱练习，非真实招标。演示投标人会自行签到、解密并确认开标记录。",
        "SANDBOX PRACTICE — not a real tender. The demo bidders take part by themselves.",
    ]
    from reports.fonts import NoCJKFontError

    try:
        data = _tender_pdf(lines, section.id, created)
        path = folder / "招标文件（练习）.pdf"
    except NoCJKFontError:
        data = ("招标文件（练习）\n\n" + "\n".join(lines) + "\n").encode("utf-8")
        path = folder / "招标文件（练习）.txt"
    from crypto._files import atomic_write

    atomic_write(path, data)
    return path


def _tender_pdf(lines: list[str], seed: str, created: datetime) -> bytes:
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
    from reportlab.lib.units import mm  # type: ignore[import-untyped]
    from reportlab.platypus import Spacer  # type: ignore[import-untyped]

    from reports._layout import PdfMeta, Styles, build_pdf, draw_footer
    from reports.fonts import load_fonts

    fonts = load_fonts()
    st = Styles.for_fonts(fonts, cell_size=10.5)
    text = ParagraphStyle("practice", parent=st.body, fontSize=11, leading=18, spaceAfter=4)
    story = [
        st.p("招标文件（练习）", st.title),
        st.p("Tender documents — sandbox practice", st.subtitle),
        Spacer(1, 8 * mm),
        *[st.p(line, text) for line in lines],
    ]

    def footer(canvas: Any, page: int, total: int) -> None:
        draw_footer(
            canvas,
            fonts=fonts,
            page=page,
            total=total,
            pagesize=A4,
            left_text=f"招标文件（练习）· {seed} · 沙箱练习，非真实招标",
            margin=20 * mm,
        )

    return build_pdf(
        story,
        meta=PdfMeta(title="招标文件（练习）", created=created, seed=seed),
        pagesize=A4,
        footer=footer,
        fonts=fonts,
        margins=(20 * mm, 20 * mm, 20 * mm, 20 * mm),
    )


def _bid_document(
    folder: Path, bidder: _Person, section: wire.Section, summary: Mapping[str, Any]
) -> Path:
    """The demo bidder's one document inside its sealed bid (a short text: the content is
    not what the practice is about)."""
    body = [
        f"投标函（练习） — {bidder.name}（{bidder.org_code}）",
        f"标段：{section.name}（{section.id}）",
        *[
            f"{f.label}：{summary.get(f.key, '')}" + (f" {f.unit}" if f.unit else "")
            for f in section.form.fields
        ],
        "沙箱练习，非真实投标 / sandbox practice, not a real bid",
    ]
    path = folder / "投标函（练习）.txt"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def _create_section(
    host: PlatformClient, template: wire.Section, now: datetime, deadline: datetime
) -> wire.Section:
    """A new section with a unique ``PRACTICE-MMDD-HHMMSS`` id (platform time, Beijing; ``-2``,
    ``-3`` … when two are made in the same second)."""
    base = f"{_ID_PREFIX}-{now.astimezone(_CST):%m%d-%H%M%S}"
    name = f"练习标段 {deadline.astimezone(_CST):%H:%M} 开标（沙箱练习，非真实招标）"
    for n in range(1, 10):
        sid = base if n == 1 else f"{base}-{n}"
        try:
            return host.create_section(
                wire.SectionCreate(
                    id=sid,
                    project_id=template.project_id,
                    code=sid,
                    name=name,
                    deadline=deadline,
                    opening_time=deadline,
                    form=template.form,
                )
            )
        except RequestRefusedError as exc:
            if exc.server_code != "request.conflict":
                raise
            log.info("section %s exists; trying the next id", sid)
    raise UsageError(what=f"{base}: 练习标段编号已用完 / no free practice section id")


def create_practice_section(
    url: str,
    sandbox_info: Mapping[str, Any],
    *,
    minutes: int = 10,
    me_org_code: str | None = None,
    bids: int | None = None,
    now: datetime | None = None,
    state_dir: Path | None = None,
    ca_bundle: str | None = None,
    exclude_org_codes: Sequence[str] = (),
) -> PracticeSection:
    """Create a practice section on the sandbox platform at ``url`` and submit demo bids.

    As the sandbox host: a section under the seeded works project, with its bid-summary form,
    whose deadline and opening are ``minutes`` ahead on the platform's clock (rounded up to a
    whole minute; ``now`` replaces the platform's clock), a practice tender document, and
    every sandbox bidder registered. Then demo bidders other than ``me_org_code`` seal and
    submit ``bids`` bids (default: enough for the three an opening needs with the user's own:
    2 when ``me_org_code`` is given, else 3). ``state_dir``: where the clients keep receipts
    (default: ``practice`` in the sandbox folder). Bad input raises :class:`UsageError`; the
    platform's refusals are the :mod:`client.errors` tree. ``exclude_org_codes``: bidders
    who get no demo bid either (the person logged in, who hosts instead of bidding: a bid
    they never made must not appear under their company)."""
    from crypto import seal

    minutes = _check_minutes(minutes)
    people = _people(sandbox_info)
    host = _host(people)
    bidders = _bidders(people)
    me = None
    if me_org_code is not None:
        me = me_org_code.strip().upper()
        if me not in {b.org_code for b in bidders}:
            raise UsageError(
                what=f"{me_org_code}: 不是沙箱演示投标人的统一社会信用代码 / not the unified"
                " social credit code of a sandbox bidder"
            )
    excluded = {o.strip().upper() for o in exclude_org_codes}
    others = [b for b in bidders if b.org_code != me and b.org_code not in excluded]
    want = bids if bids is not None else (MIN_BIDS - 1 if me else MIN_BIDS)
    if isinstance(want, bool) or not isinstance(want, int) or not 0 <= want <= len(others):
        raise UsageError(
            what=f"bids={bids!r}: 演示投标数应在 0–{len(others)} 之间 / the number of demo bids"
            f" must be 0–{len(others)}"
        )
    template_info = _template_section(sandbox_info)
    folder = Path(state_dir) if state_dir is not None else _default_state_dir(people)

    with (
        host.identity() as host_identity,
        _client(url, host_identity, folder / "host", ca_bundle) as hc,
    ):
        # Only the sandbox this sandbox.json describes: never sections and bids on another
        # platform that happens to accept these identities (a staging platform, say).
        expected = sandbox_info.get("platform_id")
        actual = hc.platform_info(refresh=True).platform_id
        if not expected or actual != expected:
            raise UsageError(
                what=f"{url}: 不是此 sandbox.json 所属的沙箱平台（平台 {actual}，应为 {expected}）"
                f" / not the sandbox platform of this sandbox.json (platform {actual},"
                f" expected {expected})"
            )
        platform_now = (now or hc.server_time()).astimezone(UTC)
        deadline = _next_minute(platform_now + timedelta(minutes=minutes))
        template = hc.section(str(template_info["id"]))
        section = _create_section(hc, template, platform_now, deadline)
        project = next((p for p in hc.projects() if p.id == section.project_id), None)
        work = folder / "files" / section.id
        document: str | None = None
        try:
            work.mkdir(parents=True, exist_ok=True)
            doc = _tender_document(
                work, section, project.name if project else section.project_id, platform_now
            )
            document = hc.publish_document(section.id, doc, kind="tender").name
            for b in bidders:
                assert b.org_code is not None  # _bidders keeps only those with one
                hc.register_bidder(section.id, b.org_code, b.name)
            section = hc.section(section.id)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    rng = random.Random(section.id)  # noqa: S311 - plausible prices, not secrets
    made: list[PracticeBid] = []
    for i, bidder in enumerate(others[:want]):
        assert bidder.org_code is not None
        summary = _summary(section.form, rng, i, section.deadline)
        work = folder / "files" / section.id / bidder.org_code
        try:
            work.mkdir(parents=True, exist_ok=True)
            with (
                bidder.identity() as identity,
                _client(url, identity, folder / bidder.org_code, ca_bundle) as bc,
            ):
                out = work / "投标文件.sealbid"
                seal(
                    [_bid_document(work, bidder, section, summary)],
                    out,
                    identity=identity,
                    section=section.id,
                    summary=summary,
                    tender_version=section.tender_version,
                    opening_time=section.opening_time,
                )
                receipt = bc.submit(section.id, out)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        made.append(
            PracticeBid(
                org_code=bidder.org_code,
                name=bidder.name,
                summary=summary,
                file_sha256=receipt.receipt.file_sha256 or "",
            )
        )
        log.info("practice %s: %s submitted", section.id, bidder.org_code)
    shutil.rmtree(folder / "files" / section.id, ignore_errors=True)
    return PracticeSection(
        section_id=section.id,
        name=section.name,
        project_id=section.project_id,
        deadline=section.deadline,
        opening_time=section.opening_time,
        tender_version=section.tender_version,
        bids=tuple(made),
        me_org_code=me,
        tender_document=document,
    )


def submitted_demo_bidders(
    url: str,
    sandbox_info: Mapping[str, Any],
    section_id: str,
    *,
    exclude: str | None = None,
    state_dir: Path | None = None,
    ca_bundle: str | None = None,
) -> list[str]:
    """The sandbox bidders (but ``exclude``) whose bid for ``section_id`` is current: whom to
    follow an opening with again after a restart. Asks the platform as each of them."""
    people = _people(sandbox_info)
    folder = Path(state_dir) if state_dir is not None else _default_state_dir(people)
    skip = exclude.strip().upper() if exclude else None
    out = []
    for b in _bidders(people):
        if b.org_code == skip or b.org_code is None:
            continue
        with b.identity() as identity, _client(url, identity, folder / b.org_code, ca_bundle) as c:
            if c.submission(section_id).status == "submitted":
                out.append(b.org_code)
    return out


# --- demo people at the opening ---------------------------------------------------------------

StepCallback = Callable[[str, str, str], None]
"""``on_step(who, name, step)``, called from a demo person's thread after each step: ``who`` is
a bidder's 统一社会信用代码 or ``host``. Bidders: ``signed_in``, ``opened``, ``release_failed``,
``confirmed``; the host: ``started``, ``listed``, ``window``, ``closed``, ``announced``,
``answered``, ``signed:ROLE``; everyone: ``finished``, ``left`` (not in this opening) or
``error`` (logged; it follows again)."""


def _confirm(opening: OpeningClient) -> None:
    """Sign the current record: again when it changed between reading and signing (an
    objection raised or answered meanwhile makes a new revision)."""
    for attempt in range(1, _SIGN_TRIES + 1):
        try:
            opening.sign_record("confirm")
            return
        except RequestRefusedError as exc:
            if exc.server_code != "opening.record_stale" or attempt == _SIGN_TRIES:
                raise
            log.info("the record changed while signing; signing the new revision")


class _Runner:
    """One demo person following one opening in a daemon thread: the event stream (reconnecting
    as the client does, resuming after the last event), a look at the state after each event
    that may matter (``_act``), and a clean stop that cuts a blocked read."""

    every_tick = False
    """Look at the state on every tick (5 s), not only when the phase changed: for steps that
    wait on the platform's clock (the host's)."""

    def __init__(
        self,
        url: str,
        who: str,
        person: _Person,
        section_id: str,
        state_dir: Path,
        *,
        ca_bundle: str | None,
        read_timeout: float,
        on_step: StepCallback | None,
    ) -> None:
        self.url = url
        self.who = who
        self.person = person
        self.section_id = section_id
        self.state_dir = state_dir
        self.ca_bundle = ca_bundle
        self.read_timeout = read_timeout
        self.on_step = on_step
        self.steps: list[str] = []
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self._response: httpx.Response | None = None
        self._lock = threading.Lock()
        self._phase: str | None = None

    # -- control (any thread) --

    def start(self) -> None:
        if self.thread is not None and self.thread.is_alive() and not self.stop_event.is_set():
            return
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=self._main,
            args=(self.stop_event,),
            name=f"demo-{self.who}-{self.section_id}",
            daemon=True,
        )
        self.thread.start()

    @property
    def connected(self) -> bool:
        with self._lock:
            return self._response is not None

    def request_stop(self) -> None:
        self.stop_event.set()
        with self._lock:
            response = self._response
        if response is not None:
            interrupt_stream(response)  # a read blocked on the event stream ends now

    # -- the thread --

    def _note(self, step: str) -> None:
        self.steps.append(step)
        log.info("practice %s: demo %s %s", self.section_id, self.who, step)
        if self.on_step is not None:
            try:
                self.on_step(self.who, self.person.name, step)
            except Exception:  # a display callback must not end the demo person
                log.exception("on_step failed")

    def _connected(self, stop: threading.Event, response: httpx.Response) -> None:
        with self._lock:
            self._response = response
        if stop.is_set():
            interrupt_stream(response)

    def _client_for(
        self, person: _Person, identity: Identity, stop: threading.Event
    ) -> PlatformClient:
        def sleep(seconds: float) -> None:
            # Waits end at once on stop(), and the call that waits gives up.
            if stop.wait(seconds):
                raise CancelledError("stopped")

        retry = RetryPolicy(attempts=6, initial=0.5, cap=5.0, sleep=sleep)
        folder = self.state_dir if person is self.person else self.state_dir / person.role
        return _client(self.url, identity, folder, self.ca_bundle, retry=retry)

    def _main(self, stop: threading.Event) -> None:
        try:
            identity = self.person.identity()
        except SealBidError as exc:
            log.error("demo %s: %s", self.who, exc.diagnostics("en_US"))
            self._note("error")
            return
        client = self._client_for(self.person, identity, stop)
        try:
            self._follow(stop, client)
        finally:
            client.close()
            identity.close()
            self._closed()

    def _closed(self) -> None:
        """Release what ``_act`` opened (the host's recorder and supervisor)."""

    def _follow(self, stop: threading.Event, client: PlatformClient) -> None:
        last = 0
        failures = 0
        while not stop.is_set():
            opening = OpeningClient(client, self.section_id, read_timeout=self.read_timeout)
            try:
                phase = self._act(opening, stop)
                failures = 0
                if phase == "finished":
                    self._note("finished")
                    return

                def tick(data: dict[str, Any], opening: OpeningClient = opening) -> None:
                    # The host waits on the clock; a bidder looks again only at a phase the
                    # stream did not bring as an event (one missed while reconnecting).
                    if stop.is_set():
                        return
                    if self.every_tick or data.get("phase") != self._phase:
                        self._act(opening, stop)

                for event in opening.events(
                    last,
                    stop=stop.is_set,
                    on_tick=tick,
                    on_connect=lambda r: self._connected(stop, r),
                ):
                    last = event.seq
                    if event.kind in self.act_on and not stop.is_set():
                        self._act(opening, stop)
                    if event.kind == "finished":
                        break
                if stop.is_set():
                    return
                if self._act(opening, stop) == "finished":
                    self._note("finished")
                    return
            except CancelledError:
                return
            except (ForbiddenError, NotFoundError) as exc:
                if stop.is_set():
                    return
                # Not in this opening (no bid when it started) or no such section: nothing
                # to wait for.
                log.warning(
                    "demo %s leaves %s: %s", self.who, self.section_id, exc.diagnostics("en_US")
                )
                self._note("left")
                return
            except SealBidError as exc:
                if stop.is_set():
                    return
                log.warning("demo %s: %s; following again", self.who, exc.diagnostics("en_US"))
                self._note("error")
            except Exception:
                if stop.is_set():
                    return
                log.exception("demo %s failed; following again", self.who)
                self._note("error")
            # Soon after a first failure (a login whose challenge a clock jump expired, a step
            # that raced another), patiently when it goes on failing.
            failures += 1
            if stop.wait(min(_RESTART_MAX, _RESTART_AFTER * 2 ** (failures - 1))):
                return

    act_on: frozenset[str] = _ACT_ON
    """Event kinds after which the state is read again."""

    def _act(self, opening: OpeningClient, stop: threading.Event) -> str:
        """Do what is still to do in the opening's current phase; returns the phase."""
        raise NotImplementedError


class _Bidder(_Runner):
    """A demo bidder: signs in, releases its key, confirms the record; never objects."""

    def _act(self, opening: OpeningClient, stop: threading.Event) -> str:
        state = opening.state()
        self._phase = state.phase
        me = state.me
        if state.phase in _SIGNIN_PHASES and me is not None:
            window_over = (
                state.phase == "window"
                and state.window_closes_at is not None
                and state.server_time >= state.window_closes_at
            )
            if me.signed_in_at is None and not window_over:
                me = opening.signin()
                self._note("signed_in")
            if (
                state.phase == "window"
                and not window_over
                and me.decryption in ("pending", "failed")
                and me.attempts < _RELEASE_ATTEMPTS
            ):
                try:
                    me = opening.release()
                    self._note("opened" if me.decryption == "opened" else "release_failed")
                except ReleaseFailedError as exc:
                    log.warning(
                        "demo bidder %s: release refused: %s", self.who, exc.diagnostics("en_US")
                    )
                    self._note("release_failed")
        elif state.phase == "confirming" and state.record_sha256:
            mine = next((b for b in state.bidders if b.org_code == self.who), None)
            if mine is not None and mine.confirmation == "pending":
                try:
                    _confirm(opening)
                    self._note("confirmed")
                except RecordInvalidError as exc:
                    # Never sign what does not check out; a demo bidder does not decline.
                    log.warning(
                        "demo bidder %s does not confirm: %s", self.who, exc.diagnostics("en_US")
                    )
        return state.phase


_ANSWER = (
    "已记录在开标记录中。沙箱练习：本答复由演示主持人自动给出。"
    " / Recorded in the opening record. Sandbox practice: answered by the demo host."
)
_LATE_REASON = (
    "解密时限已过，未解密的投标文件按平台认定的原因处理（沙箱练习）"
    " / the decryption window is over; bids not decrypted are decided by the platform's"
    " proposed cause (sandbox practice)"
)


class _Host(_Runner):
    """The sandbox host running the opening, with the recorder and supervisor signing."""

    every_tick = True
    act_on = frozenset({*_ACT_ON, "signin", "decryption", "objection", "signature"})

    def __init__(
        self,
        *args: Any,
        staff: Sequence[_Person],
        expected_bids: int | None,
        signin_wait: timedelta,
        window_minutes: int,
        confirmation_minutes: int,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.staff = list(staff)
        self.expected_bids = expected_bids
        self.signin_wait = signin_wait
        self.window_minutes = window_minutes
        self.confirmation_minutes = confirmation_minutes
        self._signers: dict[str, tuple[Identity, PlatformClient]] = {}

    def _closed(self) -> None:
        for identity, client in self._signers.values():
            client.close()
            identity.close()
        self._signers.clear()

    def _signer(self, person: _Person, stop: threading.Event) -> OpeningClient:
        if person.role not in self._signers:
            identity = person.identity()
            self._signers[person.role] = (identity, self._client_for(person, identity, stop))
        return OpeningClient(self._signers[person.role][1], self.section_id)

    def _act(self, opening: OpeningClient, stop: threading.Event) -> str:
        state = opening.state()
        self._phase = state.phase
        now = state.server_time
        if state.phase == "waiting":
            if now >= state.opening_time:
                opening.start()
                self._note("started")
            return state.phase
        if state.phase in _OBJECTION_PHASES:
            for o in state.objections:
                if o.answer is None:
                    opening.answer(o.id, _ANSWER)
                    self._note("answered")
        if state.phase == "signin":
            started = state.started_at or now
            everyone = (
                self.expected_bids is not None and (state.signed_in or 0) >= self.expected_bids
            )
            if everyone or now >= started + self.signin_wait:
                opening.publish_list()
                self._note("listed")
        elif state.phase == "listed":
            opening.open_window(self.window_minutes)
            self._note("window")
        elif state.phase == "window":
            if all(b.decryption == "opened" for b in state.bidders):
                opening.close(early=True)
                self._note("closed")
            elif state.window_closes_at is not None and now >= state.window_closes_at:
                opening.close(reason=_LATE_REASON)
                self._note("closed")
        elif state.phase == "closed":
            opening.announce(confirmation_minutes=self.confirmation_minutes)
            self._note("announced")
        elif state.phase == "confirming" and state.record_sha256:
            self._sign_and_finish(opening, state, stop)
        return state.phase

    def _sign_and_finish(
        self, opening: OpeningClient, state: wire.OpeningState, stop: threading.Event
    ) -> None:
        signed = {s.role for s in opening.record().signatures if s.role != "bidder"}
        for person in [self.person, *self.staff]:
            if person.role in signed or stop.is_set():
                continue
            _confirm(opening if person is self.person else self._signer(person, stop))
            self._note(f"signed:{person.role}")
        waiting = any(b.confirmation == "pending" for b in state.bidders)
        over = (
            state.confirmation_until is not None and state.server_time >= state.confirmation_until
        )
        if not waiting or over:
            try:
                opening.finish()
            except RequestRefusedError as exc:
                # Not yet (an objection raised meanwhile, a signature on an older revision):
                # the next event or tick looks again.
                log.info("demo host cannot finish yet: %s", exc.diagnostics("en_US"))


class _Crew:
    """Demo people following one opening (see :class:`DemoBidders`, :class:`DemoHost`)."""

    def __init__(self, runners: list[_Runner]) -> None:
        self._runners = runners

    def start(self) -> None:
        """Start following (again); one already following is left as it is."""
        for r in self._runners:
            r.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop now (a blocked stream read is cut) and wait up to ``timeout`` seconds in all
        for the threads; True when every one has ended."""
        for r in self._runners:
            r.request_stop()
        return self.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every one is done (the opening finished, or it left, or it was
        stopped); True if so."""
        end = None if timeout is None else time.monotonic() + max(0.0, timeout)
        for r in self._runners:
            if r.thread is not None:
                r.thread.join(None if end is None else max(0.0, end - time.monotonic()))
        return not self.running

    @property
    def connected(self) -> bool:
        """Whether every one has connected to the opening's event stream (at least once)."""
        return all(r.connected for r in self._runners)

    @property
    def any_connected(self) -> bool:
        """Whether any one follows the event stream now (the platform is reachable)."""
        return any(r.connected for r in self._runners)

    @property
    def running(self) -> bool:
        """Whether any of their threads is still alive."""
        return any(r.thread is not None and r.thread.is_alive() for r in self._runners)

    def steps(self) -> dict[str, list[str]]:
        """Each one's steps so far (``signed_in``, ``opened`` …), by 统一社会信用代码 or
        ``host``."""
        return {r.who: list(r.steps) for r in self._runners}


class DemoBidders(_Crew):
    """Demo bidders of the sandbox that take part in one opening by themselves.

    Each follows the opening's event stream in a daemon thread (reconnecting as the client
    does) and, as the opening goes on, signs in (签到) once it starts, releases its file key
    once the decryption window opens (解密) and confirms the record once it is announced
    (签认). They never object. Every step reads the opening's state first: starting them again
    for the same section (another run, a restart) does only what is left. Errors are logged
    (never a key or a password) and the bidder follows again; one not in the opening leaves.

    ``org_codes``: which sandbox bidders (usually :attr:`PracticeSection.demo_org_codes`).
    ``state_dir``: their clients' folder (default: ``practice`` in the sandbox folder).
    ``on_step`` (:data:`StepCallback`) is called from their threads after each step.
    """

    def __init__(
        self,
        url: str,
        sandbox_info: Mapping[str, Any],
        section_id: str,
        org_codes: Sequence[str],
        *,
        state_dir: Path | None = None,
        ca_bundle: str | None = None,
        read_timeout: float = READ_TIMEOUT,
        on_step: StepCallback | None = None,
    ) -> None:
        people = _people(sandbox_info)
        by_org = {b.org_code: b for b in _bidders(people)}
        unknown = [o for o in org_codes if o not in by_org]
        if unknown:
            raise UsageError(
                what=f"{', '.join(unknown)}: 不是沙箱演示投标人 / not a sandbox demo bidder"
            )
        folder = Path(state_dir) if state_dir is not None else _default_state_dir(people)
        self.url = url
        self.section_id = section_id
        super().__init__(
            [
                _Bidder(
                    url,
                    o,
                    by_org[o],
                    section_id,
                    folder / o,
                    ca_bundle=ca_bundle,
                    read_timeout=read_timeout,
                    on_step=on_step,
                )
                for o in dict.fromkeys(org_codes)
            ]
        )

    @property
    def org_codes(self) -> tuple[str, ...]:
        return tuple(r.who for r in self._runners)


class DemoHost(_Crew):
    """The sandbox's host running one opening by itself, its recorder and supervisor signing
    the record: for a bidder who practises alone (in the hall, someone has to host).

    At the opening time it starts the opening; it publishes the bidder list once
    ``expected_bids`` bidders signed in or ``signin_minutes`` passed; opens the decryption
    window for ``window_minutes``; closes it as soon as every bid opened (or when it ends,
    leaving the failures to the platform's proposed causes); announces with
    ``confirmation_minutes`` to sign; answers every objection (saying it is a demo answer);
    signs as host, recorder and supervisor; and finishes once every bidder answered or the
    confirmation time is over. Like :class:`DemoBidders`: one daemon thread, idempotent steps,
    errors logged, ``stop()`` at once.
    """

    def __init__(
        self,
        url: str,
        sandbox_info: Mapping[str, Any],
        section_id: str,
        *,
        expected_bids: int | None = None,
        signin_minutes: float = 2.0,
        window_minutes: int = 10,
        confirmation_minutes: int = 15,
        state_dir: Path | None = None,
        ca_bundle: str | None = None,
        read_timeout: float = READ_TIMEOUT,
        on_step: StepCallback | None = None,
    ) -> None:
        people = _people(sandbox_info)
        staff = []
        for role in ("recorder", "supervisor"):
            person = next((p for p in people if p.role == role), None)
            if person is None:
                raise _not_sandbox(f"no {role} identity")
            staff.append(person)
        folder = Path(state_dir) if state_dir is not None else _default_state_dir(people)
        self.url = url
        self.section_id = section_id
        super().__init__(
            [
                _Host(
                    url,
                    "host",
                    _host(people),
                    section_id,
                    folder / "host",
                    ca_bundle=ca_bundle,
                    read_timeout=read_timeout,
                    on_step=on_step,
                    staff=staff,
                    expected_bids=expected_bids,
                    signin_wait=timedelta(minutes=signin_minutes),
                    window_minutes=window_minutes,
                    confirmation_minutes=confirmation_minutes,
                )
            ]
        )
