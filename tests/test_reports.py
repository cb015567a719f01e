"""The printable PDFs (reports/): a record from a real opening on the real platform, with rare
characters in bidder names; text, fonts and pages checked with poppler (pdftotext, pdffonts,
pdfinfo); determinism; a synthesised 500-bidder record for pagination; receipts and summaries."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from clienthelpers import client_for
from openingkit import FORM, OpeningKit
from platformserver import SettableClock, start_platform

from client import wire
from client.opening import OpeningClient
from crypto import seal
from crypto.ca import KeyType, Role, SandboxCA
from reports import (
    NoCJKFontError,
    collect_missing,
    load_fonts,
    missing_characters,
    qr_payload,
    render_receipt,
    render_record,
    render_summary,
)
from reports.fonts import _CANDIDATES
from sealbid import money
from sealbid.errors import SealBidError
from sealbid.uscc import with_check_character

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

RARE_NAMES = [
    "合肥䶮欣建设工程有限公司",
    "安徽𠮷祥路桥股份有限公司",
    "芜湖喆堃建筑集团有限公司",
    "马鞍山𡈽城ＡＢ市政有限公司",
]
PRICES = ["1234567.89", "98765432.10", "100.50", "30000000.00"]


# --- poppler helpers -----------------------------------------------------------------------


def _tool(args: list[str], pdf: bytes, tmp: Path) -> str:
    path = tmp / f"{hashlib.sha256(pdf).hexdigest()[:16]}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [*args, str(path), "-"] if args[0] == "pdftotext" else [*args, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def text_of(pdf: bytes, tmp: Path, *, page: int | None = None) -> str:
    args = ["pdftotext", "-raw", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return _tool(args, pdf, tmp)


def flat(text: str) -> str:
    """Text without whitespace: table cells wrap words and digests over lines."""
    return re.sub(r"\s+", "", text)


def pages_of(pdf: bytes, tmp: Path) -> int:
    info = _tool(["pdfinfo"], pdf, tmp)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def fonts_of(pdf: bytes, tmp: Path) -> list[list[str]]:
    lines = _tool(["pdffonts"], pdf, tmp).splitlines()[2:]
    return [line.split() for line in lines]


# --- a real opening ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def opening(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A finished opening on the real platform: four bidders with rare characters in their names
    (issued by the sandbox CA, registered through the admin API), one objection answered."""
    tmp = tmp_path_factory.mktemp("reports")
    clock = SettableClock()
    platform = start_platform(tmp, clock=clock)
    kit = OpeningKit(platform, clock, tmp)
    try:
        host = kit.client(kit.party("host"))
        now = host.server_time()
        project = host.create_project(
            wire.ProjectCreate(
                code=f"RP-{now:%H%M%S%f}", name="䶮𠮷开标记录打印测试项目", sector="工程建设"
            )
        )
        deadline = (now + timedelta(minutes=10)).replace(microsecond=0)
        section = host.create_section(
            wire.SectionCreate(
                project_id=project.id,
                code=f"RP-{now:%H%M%S%f}-1",
                name="打印测试标段（施工）",
                deadline=deadline,
                opening_time=deadline,
                form=FORM,
            )
        )
        ca = SandboxCA.load(Path(platform.sandbox["ca"]).parent)  # type: ignore[index]
        people: list[OpeningClient] = []
        for i, name in enumerate(RARE_NAMES):
            org = with_check_character(f"91340100MA{9100000 + i:07d}")
            issued = ca.issue(role=Role.BIDDER, name=name, org_code=org, key_type=KeyType.P256)
            host.register_bidder(section.id, org, name)
            c = client_for(platform, None, tmp / f"bidder-{i}", identity=issued.identity())
            kit.clients[f"rare-{i}"] = c
            doc = tmp / f"商务标-{i}.pdf"
            doc.write_bytes(b"%PDF-1.4 " + bytes([i]) * 4096)
            out = tmp / f"投标-{i}.sealbid"
            summary = {"price": PRICES[i], "duration": 300 + i, "quality": "合格"}
            seal(
                [doc],
                out,
                identity=issued.identity(),
                section=section.id,
                summary=summary,
                tender_version=section.tender_version,
                opening_time=section.opening_time,
            )
            c.submit(section.id, out)
            people.append(OpeningClient(c, section.id))
        kit.past_opening(section.id)
        h = kit.opening(kit.party("host"), section.id)
        h.start()
        for o in people:
            o.signin()
        h.publish_list()
        h.open_window(30)
        for o in people:
            o.release()
        h.close(early=True)
        objection = people[1].object(
            "请核实第 3 家的工期是否符合招标文件要求，否则应作无效标处理。"
        )
        h.answer(objection.id, "已核实，符合招标文件第二章的要求；评标委员会将在评标时复核。")
        h.announce(confirmation_minutes=30)
        for o in people[:3]:
            o.sign_record("confirm")
        people[3].sign_record("decline", "报价读数有误")
        for role in ("host", "recorder", "supervisor"):
            kit.opening(kit.party(role), section.id).sign_record("confirm")
        h.finish()
        record = h.record()
        yield {"record": record, "tmp": tmp}
    finally:
        kit.close()
        platform.stop()


@pytest.fixture(scope="module")
def record_pdf(opening: dict[str, Any]) -> bytes:
    with collect_missing() as missing:
        pdf = render_record(opening["record"])
    assert not missing
    return pdf


def test_record_shows_every_name_price_in_figures_and_capitals_and_the_digests(
    opening: dict[str, Any], record_pdf: bytes, tmp_path: Path
) -> None:
    doc: wire.SignedRecord = opening["record"]
    body = json.loads(doc.record)
    text = flat(text_of(record_pdf, tmp_path))
    assert "开标记录表" in text
    for name in RARE_NAMES:
        assert flat(name) in text, name
    for price in PRICES:
        assert money.format_figures(Decimal(price)) in text
        assert money.to_capital(Decimal(price)) in text
    assert doc.record_sha256 in text
    for b in body["bidders"]:
        assert b["submission"]["file_sha256"] in text  # the full digest, on two lines
        assert b["org_code"] in text
    assert "北京时间(UTC+8)" in text
    assert "已解密" in text and "拒绝" in text and "报价读数有误" in text
    assert "请核实第3家的工期" in text and "已核实，符合招标文件第二章的要求" in text
    assert "未验证" in text  # no statuses given: the renderer does not verify
    assert qr_payload(doc) in text
    assert qr_payload(doc).startswith(
        f"SEALBID-RECORD/1;p={body['platform']['id']};s={body['section']['id']};r={doc.record_sha256};c="
    )
    assert hashlib.sha256(doc.closing.encode()).hexdigest() in qr_payload(doc)  # type: ignore[union-attr]


def test_record_embeds_subset_fonts_only(record_pdf: bytes, tmp_path: Path) -> None:
    rows = fonts_of(record_pdf, tmp_path)
    assert rows
    names = {r[0].split("+", 1)[-1] for r in rows}
    assert any(n.startswith("WenQuanYiZenHei") for n in names)
    assert any(n.startswith("HanaMin") for n in names)  # 𠮷 and 𡈽 come from the fallback
    for r in rows:
        # name type encoding emb sub uni objnum gen: every font embedded and subset.
        assert r[-5:-2] == ["yes", "yes", "yes"], r


def test_record_footer_has_page_x_of_y_and_the_digest_on_every_page(
    opening: dict[str, Any], record_pdf: bytes, tmp_path: Path
) -> None:
    n = pages_of(record_pdf, tmp_path)
    for page in range(1, n + 1):
        t = flat(text_of(record_pdf, tmp_path, page=page))
        assert f"第{page}页共{n}页" in t and f"page{page}of{n}" in t
        assert opening["record"].record_sha256 in t


def test_the_same_record_gives_the_same_bytes(opening: dict[str, Any], record_pdf: bytes) -> None:
    assert render_record(opening["record"]) == record_pdf
    other = render_record(opening["record"], statuses={1: True, 2: False})
    assert other != record_pdf
    assert b"/CreationDate" in record_pdf


def test_statuses_from_the_verifier_are_shown(opening: dict[str, Any], tmp_path: Path) -> None:
    doc = opening["record"]
    pdf = render_record(doc, statuses={i: i != 2 for i in range(1, len(doc.signatures) + 1)})
    text = flat(text_of(pdf, tmp_path))
    assert text.count("有效valid") == len(doc.signatures) - 1
    assert "无效invalid" in text and "未验证" not in text


# --- the 500-bidder record: pagination -----------------------------------------------------


def _big_record(n: int, base: wire.SignedRecord) -> wire.SignedRecord:
    """A record of ``n`` bidders built from a real one's shape (it need not verify)."""
    body = json.loads(base.record)
    template = body["bidders"][0]
    bidders = []
    for i in range(1, n + 1):
        b = json.loads(json.dumps(template))
        b["number"] = i
        b["name"] = f"第{i:04d}号安徽省合肥市蜀山区超长名称建筑工程集团股份有限公司"
        b["org_code"] = with_check_character(f"91340100MA{i:07d}")
        b["submission"]["file_sha256"] = hashlib.sha256(str(i).encode()).hexdigest()
        price = Decimal(1000000 + i * 1234) + Decimal("0.56")
        b["summary"] = {"price": str(price), "duration": 300 + i % 90, "quality": "合格"}
        b["summary_text"] = {
            "price": money.display(price, "元"),
            "duration": f"{300 + i % 90} 日历天",
            "quality": "合格",
        }
        if i % 50 == 0:
            b["decryption"].update(
                status="revoked",
                fault="bidder",
                cause="投标人未在解密时限内解密 / the bidder did not decrypt within the window" * 2,
            )
            b["summary"] = None
            b["summary_text"] = None
        bidders.append(b)
    body["bidders"] = bidders
    body["valid_bids"] = n - n // 50
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return base.model_copy(
        update={
            "record": text,
            "record_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "signatures": base.signatures[:3],
            "closing": None,
            "closed": False,
        }
    )


def test_a_500_bidder_record_pages_with_the_table_header_on_every_page(
    opening: dict[str, Any], tmp_path: Path
) -> None:
    doc = _big_record(500, opening["record"])
    pdf = render_record(doc)
    n = pages_of(pdf, tmp_path)
    assert n > 10
    bidder_pages = 0
    for page in range(1, n + 1):
        t = flat(text_of(pdf, tmp_path, page=page))
        if "安徽省合肥市蜀山区" in t:
            bidder_pages += 1
            assert "投标人名称统一社会信用代码" in t, page  # the repeated header row
        assert f"第{page}页共{n}页" in t
    assert bidder_pages >= 10
    all_text = flat(text_of(pdf, tmp_path))
    for i in (1, 250, 500):
        assert f"第{i:04d}号安徽省合肥市蜀山区超长名称建筑工程集团股份有限公司" in all_text
    assert "撤销" in all_text and "未闭合" in all_text


# --- missing glyphs and fonts --------------------------------------------------------------


def test_a_character_no_font_has_is_shown_and_reported_never_dropped(
    opening: dict[str, Any], tmp_path: Path
) -> None:
    odd = "\U0003134a"  # CJK Ext. G: in none of the fonts
    assert missing_characters("䶮𠮷喆堃𡈽ＡＢ") == []
    assert missing_characters(f"合肥{odd}建设") == [odd]
    doc = opening["record"]
    body = json.loads(doc.record)
    body["bidders"][0]["name"] = f"合肥{odd}建设有限公司"
    text = json.dumps(body, ensure_ascii=False)
    changed = doc.model_copy(update={"record": text})
    with collect_missing() as missing:
        pdf = render_record(changed)
    assert missing == {odd}
    assert "合肥□U+3134A建设有限公司" in flat(text_of(pdf, tmp_path))


def test_no_cjk_font_is_a_bilingual_sealbid_error(tmp_path: Path) -> None:
    with pytest.raises(NoCJKFontError) as info:
        load_fonts([tmp_path])
    err = info.value
    assert isinstance(err, SealBidError) and err.code == "report.no_font"
    assert "中文字体" in err.diagnostics("zh_CN") and "font" in err.diagnostics("en_US")
    assert str(tmp_path) in err.diagnostics("en_US")


def test_the_bundled_folder_comes_first(tmp_path: Path) -> None:
    src = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    if not src.exists():
        pytest.skip("no system WenQuanYi to copy")
    (tmp_path / "wqy-zenhei.ttc").symlink_to(src)
    fonts = load_fonts([tmp_path, Path("/nonexistent")])
    assert fonts.files == (tmp_path / "wqy-zenhei.ttc",)
    assert fonts.font_for("𠮷") is None  # no fallback in that folder
    assert _CANDIDATES[0].name == fonts.main


# --- receipt and summary -------------------------------------------------------------------


def test_receipt_pdf(opening: dict[str, Any], tmp_path: Path) -> None:
    body = json.loads(opening["record"].record)
    b = body["bidders"][1]
    signed = wire.SignedReceipt(
        receipt=b["submission"]["receipt"], signature=b["submission"]["receipt_signature"]
    )
    pdf = render_receipt(signed, section=body["section"], project=body["project"])
    assert pdf == render_receipt(signed, section=body["section"], project=body["project"])
    assert pages_of(pdf, tmp_path) == 1
    text = flat(text_of(pdf, tmp_path))
    digest = hashlib.sha256(b["submission"]["receipt"].encode()).hexdigest()
    assert "投标回执" in text and flat(RARE_NAMES[1]) in text
    assert b["submission"]["file_sha256"] in text and digest in text
    assert f"{b['submission']['file_size']:,}字节" in text
    assert "未验证" in text
    assert all(r[-5:-2] == ["yes", "yes", "yes"] for r in fonts_of(pdf, tmp_path))


def test_summary_pdf(opening: dict[str, Any], tmp_path: Path) -> None:
    body = json.loads(opening["record"].record)
    summary = {"price": "1234567.89", "duration": 365, "quality": "优良"}
    bidder = {"name": RARE_NAMES[3], "org_code": "91340100MA0000002N"}
    pdf = render_summary(FORM, summary, section=body["section"], bidder=bidder)
    assert pdf == render_summary(FORM, summary, section=body["section"], bidder=bidder)
    text = flat(text_of(pdf, tmp_path))
    assert "开标一览表" in text and flat(RARE_NAMES[3]) in text
    assert "1,234,567.89元" in text and "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分" in text
    assert "365日历天" in text and "优良" in text and "投标人（盖章）" in text


# --- golden files ----------------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden"
_GOLDEN_SECTION = {
    "id": "HFJS-2026-0101-01",
    "code": "HFJS-2026-0101-01",
    "name": "施工一标段（教学楼、实验楼）",
    "deadline": "2026-12-03T01:30:00Z",
    "opening_time": "2026-12-03T01:30:00Z",
    "project": {"name": "合肥市滨湖新区第十二中学新建工程施工", "code": "HFJS-2026-0101"},
}
_GOLDEN_RECEIPT = wire.SignedReceipt(
    receipt=json.dumps(
        {
            "bidder": {
                "cert_sha256": "ab" * 32,
                "name": "合肥𠮷䶮喆堃建设有限公司",
                "org_code": "91340100MA2N0A1B25",
            },
            "file_sha256": "cd" * 32,
            "file_size": 1234567,
            "kind": "submit",
            "platform_id": "sealbid-sandbox",
            "previous_sha256": "0" * 64,
            "received_at": "2026-12-02T08:15:00Z",
            "section_id": "HFJS-2026-0101-01",
            "sequence": 3,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ),
    signature="AAAA",
)


def _golden(name: str, pdf: bytes, tmp_path: Path) -> None:
    """The PDF's SHA-256 must equal tests/golden/NAME.sha256: a layout, font or library change
    shows up here. After checking the new rendering (written beside the test's temp files, and
    with pdftoppm) update the digest with SEALBID_UPDATE_GOLDEN=1."""
    import os

    digest = hashlib.sha256(pdf).hexdigest()
    path = GOLDEN / f"{name}.sha256"
    if os.environ.get("SEALBID_UPDATE_GOLDEN") == "1":
        path.write_text(digest + "\n", encoding="utf-8")
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    assert path.read_text(encoding="utf-8").strip() == digest, (
        f"{name}: the rendering changed; see {tmp_path / (name + '.pdf')}"
    )


def test_the_summary_pdf_matches_its_golden_digest(tmp_path: Path) -> None:
    summary = {"price": "1234567.89", "duration": 365, "quality": "优良"}
    bidder = {"name": "合肥𠮷䶮喆堃建设有限公司", "org_code": "91340100MA2N0A1B25"}
    _golden(
        "summary", render_summary(FORM, summary, section=_GOLDEN_SECTION, bidder=bidder), tmp_path
    )


def test_the_receipt_pdf_matches_its_golden_digest(tmp_path: Path) -> None:
    _golden("receipt", render_receipt(_GOLDEN_RECEIPT, section=_GOLDEN_SECTION), tmp_path)
